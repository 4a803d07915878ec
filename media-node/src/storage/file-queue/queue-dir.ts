import { copyFile, mkdir, readdir, readFile, rename, rm, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { keyProblem, type PutOptions } from '../storage.ts';

/**
 * The upload queue's directory: each finished file waits as `<id>.file`
 * beside `<id>.json`, its manifest (key, headers, the caller's meta). The
 * manifest is written (tmp + rename) before the file is moved in, and the
 * file removed before the manifest, so whatever a crash leaves is either a
 * whole entry, a manifest without a file (dropped at open: the file is still
 * where it came from, or already uploaded), or nothing. Files the bucket
 * refused for good move to `failed/` with their manifest, for an operator.
 * One node per directory.
 */

export type QueueMeta = { readonly [key: string]: unknown };

export interface Manifest {
  readonly key: string;
  readonly options: PutOptions;
  readonly meta: QueueMeta;
}

export interface StoredEntry extends Manifest {
  readonly id: number;
  /** The file's size on disk. */
  readonly bytes: number;
}

/** Manifests hold a key (at most 1024 bytes), two header values and a small meta object; past this a file is not ours. */
export const MAX_MANIFEST_BYTES = 64 * 1024;

const ENTRY = /^(\d{16})\.(json|file)$/;
export const FAILED_DIR = 'failed';

export class QueueDir {
  readonly dir: string;

  private constructor(dir: string) {
    this.dir = dir;
  }

  static async open(dir: string): Promise<QueueDir> {
    await mkdir(join(dir, FAILED_DIR), { recursive: true });
    return new QueueDir(dir);
  }

  filePath(id: number): string {
    return join(this.dir, `${name(id)}.file`);
  }

  manifestPath(id: number): string {
    return join(this.dir, `${name(id)}.json`);
  }

  /** Writes the manifest atomically (a reader sees the old or the new one). */
  async writeManifest(id: number, m: Manifest): Promise<void> {
    const text = JSON.stringify(m);
    if (Buffer.byteLength(text) > MAX_MANIFEST_BYTES) throw new RangeError(`manifest of ${m.key} over ${MAX_MANIFEST_BYTES} bytes`);
    const path = this.manifestPath(id);
    const tmp = `${path}.tmp`;
    try {
      await writeFile(tmp, text);
      await rename(tmp, path);
    } catch (e) {
      await rm(tmp, { force: true });
      throw e;
    }
  }

  /** Moves `from` in as entry `id`'s file (rename; copy then remove across filesystems); returns its size. */
  async moveIn(id: number, from: string): Promise<number> {
    const to = this.filePath(id);
    try {
      await rename(from, to);
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EXDEV') throw e;
      const tmp = `${to}.tmp`;
      try {
        await copyFile(from, tmp);
        await rename(tmp, to);
      } catch (copyError) {
        await rm(tmp, { force: true });
        throw copyError;
      }
      await rm(from, { force: true });
    }
    return (await stat(to)).size;
  }

  /** Removes an uploaded entry: the file first, then its manifest. */
  async remove(id: number): Promise<void> {
    await rm(this.filePath(id), { force: true });
    await rm(this.manifestPath(id), { force: true });
  }

  /** Moves an entry to `failed/`; returns where its file is now. */
  async moveToFailed(id: number): Promise<string> {
    const file = join(this.dir, FAILED_DIR, `${name(id)}.file`);
    await rename(this.filePath(id), file).catch((e: NodeJS.ErrnoException) => {
      if (e.code !== 'ENOENT') throw e;
    });
    await rename(this.manifestPath(id), join(this.dir, FAILED_DIR, `${name(id)}.json`));
    return file;
  }

  /**
   * The entries a previous run left, oldest first. Manifests without their
   * file, unreadable manifests and stray temporary files are removed and
   * counted; files without a manifest are left alone and listed (never
   * deleted: they may be a recording nobody else has).
   */
  async recover(): Promise<Recovered> {
    const names = new Set(await readdir(this.dir));
    const failedNames = await readdir(join(this.dir, FAILED_DIR));
    const entries: StoredEntry[] = [];
    const orphans: string[] = [];
    let dropped = 0;
    // new ids start past every name here, so no entry ever lands on a file someone may still want
    let lastId = 0;
    for (const n of [...names, ...failedNames]) {
      const m = /^(\d{16})\./.exec(n);
      if (m !== null) lastId = Math.max(lastId, Number(m[1]));
    }
    for (const n of [...names].sort()) {
      if (n.endsWith('.tmp')) {
        await rm(join(this.dir, n), { force: true });
        dropped++;
        continue;
      }
      const m = ENTRY.exec(n);
      if (m === null) continue;
      const id = Number(m[1]);
      if (m[2] === 'file') {
        if (!names.has(`${m[1]}.json`)) orphans.push(join(this.dir, n));
        continue;
      }
      const manifest = names.has(`${m[1]}.file`) ? await readManifest(join(this.dir, n)) : null;
      if (manifest === null) {
        await rm(join(this.dir, n), { force: true });
        dropped++;
        continue;
      }
      entries.push({ ...manifest, id, bytes: (await stat(this.filePath(id))).size });
    }
    const failed = failedNames.filter((n) => n.endsWith('.file')).length;
    return { entries, dropped, orphans, failed, lastId };
  }
}

export interface Recovered {
  /** Whole entries, oldest first. */
  readonly entries: readonly StoredEntry[];
  /** Manifests without a file, unreadable ones and temporary files: removed. */
  readonly dropped: number;
  /** Files without a manifest: left where they are. */
  readonly orphans: readonly string[];
  /** Files in `failed/`. */
  readonly failed: number;
  /** The largest id any name in the directory carries (0 when none). */
  readonly lastId: number;
}

function name(id: number): string {
  return String(id).padStart(16, '0');
}

async function readManifest(path: string): Promise<Manifest | null> {
  try {
    if ((await stat(path)).size > MAX_MANIFEST_BYTES) return null;
    return asManifest(JSON.parse(await readFile(path, 'utf8')));
  } catch {
    return null;
  }
}

function asManifest(v: unknown): Manifest | null {
  if (v === null || typeof v !== 'object') return null;
  const r = v as Record<string, unknown>;
  if (typeof r.key !== 'string' || keyProblem(r.key) !== null) return null;
  const o = r.options as Record<string, unknown> | null;
  if (o === null || typeof o !== 'object' || typeof o.contentType !== 'string') return null;
  if (o.cacheControl !== undefined && typeof o.cacheControl !== 'string') return null;
  const meta = r.meta !== null && typeof r.meta === 'object' && !Array.isArray(r.meta) ? (r.meta as QueueMeta) : {};
  return {
    key: r.key,
    options: { contentType: o.contentType, ...(typeof o.cacheControl === 'string' ? { cacheControl: o.cacheControl } : {}) },
    meta,
  };
}
