import { createReadStream } from 'node:fs';
import { realpath, stat } from 'node:fs/promises';
import { isAbsolute, relative, resolve } from 'node:path';
import { Readable } from 'node:stream';
import type { LocalRecordings, RecordingFile } from '../deps.ts';

/**
 * Recordings on this machine's disk, for the one-machine platform: the local
 * node's DVR directory (`dvr.path`). A recording's storage key is the file's
 * absolute path as the node announced it in on_dvr; only a regular file whose
 * real path lies inside `root` is opened (no `..`, no symlink out of it), so
 * a key can never read anything else on the machine.
 */
export function localDirRecordings(root: string): LocalRecordings {
  return {
    async open(storageKey: string): Promise<RecordingFile | null> {
      if (!isAbsolute(storageKey)) return null;
      try {
        const [base, real] = await Promise.all([realpath(root), realpath(resolve(storageKey))]);
        const rel = relative(base, real);
        if (rel === '' || rel.startsWith('..') || isAbsolute(rel)) return null;
        const info = await stat(real);
        if (!info.isFile()) return null;
        return { body: Readable.toWeb(createReadStream(real)) as ReadableStream<Uint8Array>, size: info.size };
      } catch (e) {
        if ((e as NodeJS.ErrnoException).code === 'ENOENT') return null;
        throw e;
      }
    },
  };
}
