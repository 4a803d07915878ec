import { randomBytes } from 'node:crypto';
import { mkdir, realpath, rename, rm, writeFile } from 'node:fs/promises';
import { dirname, join, resolve, sep } from 'node:path';
import { ProtocolError } from '@runnel/shared';
import { checkKey, type ObjectStore, type PutOptions } from './storage.ts';

/**
 * An ObjectStore on a local directory (SRS `hls_path`, the all-in-one
 * `npm start` setup): a key is a path below `root`. Writes are atomic (a
 * temporary file in the same directory, then rename(2), as SRS does with
 * `.tmp` segments and `.temp` playlists), so an HTTP server reading the
 * directory never serves half a segment. Directories are created as needed.
 * Keys are allowlisted (storage.ts) and the real path of the target
 * directory is checked to be inside the real root, so neither `..` nor a
 * symlink planted under the root can send a write elsewhere. Content types
 * are not stored: a file server derives them from the extension.
 */
export class LocalDirStore implements ObjectStore {
  readonly root: string;
  private realRoot: string | undefined;

  constructor(root: string) {
    this.root = resolve(root);
  }

  /** The file a key is stored in (for SRS hook fields such as `file`). */
  pathOf(key: string): string {
    return join(this.root, checkKey(key));
  }

  async put(key: string, bytes: Uint8Array, _options: PutOptions): Promise<void> {
    const path = this.pathOf(key);
    await mkdir(dirname(path), { recursive: true });
    await this.checkInside(dirname(path), key);
    const tmp = `${path}.${randomBytes(6).toString('hex')}.tmp`;
    try {
      await writeFile(tmp, bytes);
      await rename(tmp, path);
    } catch (e) {
      await rm(tmp, { force: true });
      throw e;
    }
  }

  async delete(key: string): Promise<void> {
    const path = this.pathOf(key);
    try {
      await this.checkInside(dirname(path), key);
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'ENOENT') return; // its directory is gone: so is the file
      throw e;
    }
    await rm(path, { force: true });
  }

  private async checkInside(dir: string, key: string): Promise<void> {
    this.realRoot ??= await realpath(this.root);
    const real = await realpath(dir);
    if (real !== this.realRoot && !real.startsWith(this.realRoot + sep)) {
      throw new ProtocolError('storage_bad_key', `key ${JSON.stringify(key)} resolves outside the store root`);
    }
  }
}
