import { randomBytes } from 'node:crypto';
import { mkdir, open, readdir, readFile, rm, type FileHandle } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import type { DvrSpool, SpoolFile } from '../../output/dvr/dvr-spool.ts';

/** Spool files end in this; anything with it found at start was left by a node that stopped mid-recording. */
export const SPOOL_SUFFIX = '.part';

/**
 * The DVR spool on a local directory (under the node's data_dir): each
 * recording grows in its own file, written at explicit positions, so the
 * patches at the end (MP4 mdat size, FLV duration) land where they belong.
 * One node per directory.
 */
export class FsSpool implements DvrSpool {
  readonly dir: string;

  private constructor(dir: string) {
    this.dir = dir;
  }

  static async open(dir: string): Promise<FsSpool> {
    const abs = resolve(dir);
    await mkdir(abs, { recursive: true });
    return new FsSpool(abs);
  }

  /** Files a previous run left (a crash or a kill mid-recording): FLV ones play as they are, MP4 ones lack their moov. */
  async leftovers(): Promise<string[]> {
    return (await readdir(this.dir)).filter((n) => n.endsWith(SPOOL_SUFFIX)).map((n) => join(this.dir, n));
  }

  async create(extension: string): Promise<SpoolFile> {
    const ext = /^[a-z0-9]{1,8}$/.test(extension) ? extension : 'bin';
    const path = join(this.dir, `${Date.now()}-${randomBytes(6).toString('hex')}.${ext}${SPOOL_SUFFIX}`);
    // 'wx': a new file, never someone else's
    return new FsSpoolFile(path, await open(path, 'wx'));
  }
}

class FsSpoolFile implements SpoolFile {
  readonly path: string;
  private fh: FileHandle | null;
  private size = 0;

  constructor(path: string, fh: FileHandle) {
    this.path = path;
    this.fh = fh;
  }

  async append(parts: readonly Uint8Array[]): Promise<void> {
    const fh = this.handle();
    let at = this.size;
    let todo = parts.filter((p) => p.length > 0);
    // writev may write less than asked (a signal, a full pipe); go on from where it stopped
    while (todo.length > 0) {
      const { bytesWritten } = await fh.writev(todo, at);
      at += bytesWritten;
      todo = skip(todo, bytesWritten);
    }
    this.size = at;
  }

  async writeAt(offset: number, bytes: Uint8Array): Promise<void> {
    if (offset + bytes.length > this.size) throw new Error(`writeAt ${offset}+${bytes.length} past the end (${this.size}) of ${this.path}`);
    const fh = this.handle();
    let done = 0;
    while (done < bytes.length) done += (await fh.write(bytes, done, bytes.length - done, offset + done)).bytesWritten;
  }

  async close(): Promise<void> {
    const fh = this.fh;
    this.fh = null;
    await fh?.close();
  }

  async read(): Promise<Uint8Array> {
    return new Uint8Array(await readFile(this.path));
  }

  async remove(): Promise<void> {
    await this.close();
    await rm(this.path, { force: true });
  }

  private handle(): FileHandle {
    if (this.fh === null) throw new Error(`${this.path} is closed`);
    return this.fh;
  }
}

/** The parts after the first `n` bytes (subarrays, no copies). */
function skip(parts: readonly Uint8Array[], n: number): Uint8Array[] {
  const out: Uint8Array[] = [];
  let left = n;
  for (const p of parts) {
    if (left >= p.length) {
      left -= p.length;
      continue;
    }
    out.push(left > 0 ? p.subarray(left) : p);
    left = 0;
  }
  return out;
}
