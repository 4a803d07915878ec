import { copyFile, mkdir, realpath, rename, rm } from 'node:fs/promises';
import { dirname, sep } from 'node:path';
import { ProtocolError } from '@runnel/shared';
import type { DvrStore } from '../../output/dvr/dvr-spool.ts';
import type { LocalDirStore } from '../../storage/local-dir.ts';
import type { PutOptions } from '../../storage/storage.ts';

/**
 * The DVR's local directory (`dvr.path`): a LocalDirStore that also takes
 * finished spool files by rename(2), so a recording of any size is never
 * read into memory. The key is allowlisted by LocalDirStore and the target
 * directory's real path must be inside the root (no `..`, no planted
 * symlink). A spool on another filesystem is copied to a temporary name
 * beside the target first, so readers never see half a file.
 */
export class LocalDvrStore implements DvrStore {
  readonly dir: LocalDirStore;

  constructor(dir: LocalDirStore) {
    this.dir = dir;
  }

  /** The file a key is stored in (SRS on_dvr `file`). */
  pathOf(key: string): string {
    return this.dir.pathOf(key);
  }

  put(key: string, bytes: Uint8Array, options: PutOptions): Promise<void> {
    return this.dir.put(key, bytes, options);
  }

  async putFile(key: string, path: string, _options: PutOptions): Promise<void> {
    const target = this.dir.pathOf(key);
    await mkdir(dirname(target), { recursive: true });
    const root = await realpath(this.dir.root);
    const real = await realpath(dirname(target));
    if (real !== root && !real.startsWith(root + sep)) {
      throw new ProtocolError('storage_bad_key', `key ${JSON.stringify(key)} resolves outside the store root`);
    }
    try {
      await rename(path, target);
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EXDEV') throw e;
      const tmp = `${target}.${process.pid}.tmp`;
      try {
        await copyFile(path, tmp);
        await rename(tmp, target);
      } catch (copyError) {
        await rm(tmp, { force: true });
        throw copyError;
      }
      await rm(path, { force: true });
    }
  }
}
