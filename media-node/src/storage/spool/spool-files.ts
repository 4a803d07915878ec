import { mkdir, open, readdir, readFile, rename, rm, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { keyProblem } from '../storage.ts';

/** One queued storage operation as the spool keeps it. */
export interface SpoolRecord {
  readonly op: 'put' | 'delete';
  readonly key: string;
  readonly contentType?: string;
  readonly cacheControl?: string;
  /** Payload bytes (0 for a delete). */
  readonly size: number;
}

export interface RecoveredRecord extends SpoolRecord {
  /** Queue position: records go up in id order. */
  readonly id: number;
}

/**
 * Where the spooling store keeps operations it could not upload yet. The
 * disk implementation is `SpoolDir`; tests use `MemorySpoolFiles`.
 */
export interface SpoolFiles {
  /** Stores one operation (a delete has an empty payload); resolves once a crash no longer loses it. */
  write(id: number, record: SpoolRecord, bytes: Uint8Array): Promise<void>;
  /** The payload written for `id`. */
  read(id: number): Promise<Uint8Array>;
  /** Forgets `id`; resolves also when it is not there. */
  remove(id: number): Promise<void>;
  /** Every stored operation, oldest first; files that are not whole records are deleted and counted. */
  recover(): Promise<{ readonly records: readonly RecoveredRecord[]; readonly discarded: number }>;
}

/** A record header holds a key (at most 1024 bytes, storage.ts) and two header values we write ourselves; 4 KiB leaves room. */
export const MAX_RECORD_HEADER_BYTES = 4096;

const RECORD_FILE = /^(\d{16})\.op$/;
const TMP_FILE = /\.tmp$/;

/**
 * The spool on disk: one file per operation, `<id as 16 digits>.op`, holding
 * a 4-byte big-endian header length, the header (JSON `SpoolRecord`), then
 * the payload. Written to a `.tmp` file and renamed, so a crash leaves whole
 * records or stray `.tmp` files (removed by `recover`), and `recover` checks
 * each file's length against its header. The directory belongs to one node.
 */
export class SpoolDir implements SpoolFiles {
  readonly dir: string;

  private constructor(dir: string) {
    this.dir = dir;
  }

  static async open(dir: string): Promise<SpoolDir> {
    await mkdir(dir, { recursive: true });
    return new SpoolDir(dir);
  }

  async write(id: number, record: SpoolRecord, bytes: Uint8Array): Promise<void> {
    const header = new TextEncoder().encode(JSON.stringify(record));
    if (header.length > MAX_RECORD_HEADER_BYTES) throw new RangeError(`spool record header of ${header.length} bytes`);
    const prefix = new Uint8Array(4);
    new DataView(prefix.buffer).setUint32(0, header.length);
    const path = this.pathOf(id);
    const tmp = `${path}.tmp`;
    try {
      await writeFile(tmp, [prefix, header, bytes]);
      await rename(tmp, path);
    } catch (e) {
      await rm(tmp, { force: true });
      throw e;
    }
  }

  async read(id: number): Promise<Uint8Array> {
    const file = new Uint8Array(await readFile(this.pathOf(id)));
    const parsed = parseRecord(file.subarray(0, Math.min(file.length, 4 + MAX_RECORD_HEADER_BYTES)), file.length);
    if (parsed === null) throw new RangeError(`spool file ${id} is not a whole record`);
    return file.subarray(parsed.payloadAt);
  }

  async remove(id: number): Promise<void> {
    await rm(this.pathOf(id), { force: true });
  }

  async recover(): Promise<{ readonly records: readonly RecoveredRecord[]; readonly discarded: number }> {
    const records: RecoveredRecord[] = [];
    let discarded = 0;
    for (const name of (await readdir(this.dir)).sort()) {
      const path = join(this.dir, name);
      const m = RECORD_FILE.exec(name);
      if (m === null) {
        if (TMP_FILE.test(name)) {
          await rm(path, { force: true });
          discarded++;
        }
        continue;
      }
      const record = await readHeader(path);
      if (record === null) {
        await rm(path, { force: true });
        discarded++;
        continue;
      }
      records.push({ ...record, id: Number(m[1]) });
    }
    return { records, discarded };
  }

  private pathOf(id: number): string {
    return join(this.dir, `${String(id).padStart(16, '0')}.op`);
  }
}

async function readHeader(path: string): Promise<SpoolRecord | null> {
  const info = await stat(path);
  if (!info.isFile()) return null;
  const handle = await open(path, 'r');
  try {
    const head = new Uint8Array(Math.min(info.size, 4 + MAX_RECORD_HEADER_BYTES));
    const { bytesRead } = await handle.read(head, 0, head.length, 0);
    return parseRecord(head.subarray(0, bytesRead), info.size)?.record ?? null;
  } finally {
    await handle.close();
  }
}

/** The record at the start of a file of `fileSize` bytes, or null when it is not one whole, valid record. */
export function parseRecord(head: Uint8Array, fileSize: number): { readonly record: SpoolRecord; readonly payloadAt: number } | null {
  if (head.length < 4) return null;
  const length = new DataView(head.buffer, head.byteOffset, 4).getUint32(0);
  if (length > MAX_RECORD_HEADER_BYTES || head.length < 4 + length) return null;
  let value: unknown;
  try {
    value = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(head.subarray(4, 4 + length)));
  } catch {
    return null;
  }
  const record = asRecord(value);
  if (record === null || fileSize !== 4 + length + record.size) return null;
  return { record, payloadAt: 4 + length };
}

function asRecord(v: unknown): SpoolRecord | null {
  if (v === null || typeof v !== 'object') return null;
  const r = v as Record<string, unknown>;
  if (r.op !== 'put' && r.op !== 'delete') return null;
  if (typeof r.key !== 'string' || keyProblem(r.key) !== null) return null;
  if (typeof r.size !== 'number' || !Number.isSafeInteger(r.size) || r.size < 0) return null;
  if (r.op === 'delete' && r.size !== 0) return null;
  if (r.op === 'put' && typeof r.contentType !== 'string') return null;
  if (r.cacheControl !== undefined && typeof r.cacheControl !== 'string') return null;
  return {
    op: r.op,
    key: r.key,
    size: r.size,
    ...(typeof r.contentType === 'string' ? { contentType: r.contentType } : {}),
    ...(typeof r.cacheControl === 'string' ? { cacheControl: r.cacheControl } : {}),
  };
}

/** The in-memory SpoolFiles for tests: `failWrites` makes writes reject (a full or broken disk). */
export class MemorySpoolFiles implements SpoolFiles {
  readonly files = new Map<number, { readonly record: SpoolRecord; readonly bytes: Uint8Array }>();
  failWrites = false;

  async write(id: number, record: SpoolRecord, bytes: Uint8Array): Promise<void> {
    if (this.failWrites) throw new Error('spool write failed (MemorySpoolFiles.failWrites)');
    this.files.set(id, { record, bytes: bytes.slice() });
  }

  async read(id: number): Promise<Uint8Array> {
    const f = this.files.get(id);
    if (f === undefined) throw new Error(`no spool file ${id}`);
    return f.bytes;
  }

  async remove(id: number): Promise<void> {
    this.files.delete(id);
  }

  async recover(): Promise<{ readonly records: readonly RecoveredRecord[]; readonly discarded: number }> {
    const records = [...this.files.entries()].sort(([a], [b]) => a - b).map(([id, f]) => ({ ...f.record, id }));
    return { records, discarded: 0 };
  }
}
