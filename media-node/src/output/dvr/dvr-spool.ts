import type { PutOptions } from '../../storage/storage.ts';

/**
 * Where a recording grows while it is being written (a local file under the
 * node's data dir in production, memory in tests), and where it goes when it
 * is finished. The recorder declares both; the server wires the fs spool and
 * the store. A recording never sits in memory: frames are appended to the
 * spool file as they come.
 */
export interface SpoolFile {
  /** The local file, when there is one (a store that can take a file moves or uploads it from here). */
  readonly path: string | null;
  /** Appends bytes at the end, in order. */
  append(parts: readonly Uint8Array[]): Promise<void>;
  /** Overwrites bytes already written at `offset` (MP4 mdat size, FLV duration). */
  writeAt(offset: number, bytes: Uint8Array): Promise<void>;
  /** Flushes and closes; the content stays until remove(). */
  close(): Promise<void>;
  /** The whole content (for a store that only takes bytes). */
  read(): Promise<Uint8Array>;
  /** Deletes it (closing first if needed); resolves also when it is already gone. */
  remove(): Promise<void>;
}

export interface DvrSpool {
  /** A new empty file; `extension` ('flv', 'mp4') only names it, for whoever looks into the spool. */
  create(extension: string): Promise<SpoolFile>;
}

/**
 * The store a finished recording goes to: any ObjectStore, optionally with
 * `putFile`, which stores a local file without reading it into memory (a
 * local directory renames it, an S3 store would stream it).
 */
export interface DvrStore {
  put(key: string, bytes: Uint8Array, options: PutOptions): Promise<void>;
  putFile?(key: string, path: string, options: PutOptions): Promise<void>;
}

/** The in-memory spool for tests: files are byte arrays; `files` shows what is still there. */
export class MemorySpool implements DvrSpool {
  readonly files = new Set<MemorySpoolFile>();
  /** Make create() fail (a full or missing spool directory). */
  failCreate = false;
  private count = 0;
  private held: (() => void)[] | null = null;

  /** Hold every append until release() (a stalled disk). */
  hold(): void {
    this.held ??= [];
  }

  release(): void {
    const waiting = this.held ?? [];
    this.held = null;
    for (const go of waiting) go();
  }

  async create(extension: string): Promise<SpoolFile> {
    if (this.failCreate) throw new Error('spool create failed (MemorySpool.failCreate)');
    const f = new MemorySpoolFile(`mem-${++this.count}.${extension}`, () => this.files.delete(f), () => this.gate());
    this.files.add(f);
    return f;
  }

  private gate(): Promise<void> {
    if (this.held === null) return Promise.resolve();
    return new Promise((go) => this.held!.push(go));
  }
}

export class MemorySpoolFile implements SpoolFile {
  readonly path = null;
  readonly name: string;
  closed = false;
  private parts: Uint8Array[] = [];
  private readonly onRemove: () => void;
  private readonly gate: () => Promise<void>;

  constructor(name: string, onRemove: () => void, gate: () => Promise<void> = () => Promise.resolve()) {
    this.name = name;
    this.onRemove = onRemove;
    this.gate = gate;
  }

  get size(): number {
    return this.parts.reduce((n, p) => n + p.length, 0);
  }

  async append(parts: readonly Uint8Array[]): Promise<void> {
    await this.gate();
    if (this.closed) throw new Error(`append to closed ${this.name}`);
    for (const p of parts) this.parts.push(p.slice());
  }

  async writeAt(offset: number, bytes: Uint8Array): Promise<void> {
    const all = await this.read();
    if (offset + bytes.length > all.length) throw new Error(`writeAt past the end of ${this.name}`);
    all.set(bytes, offset);
    this.parts = [all];
  }

  async close(): Promise<void> {
    this.closed = true;
  }

  async read(): Promise<Uint8Array> {
    const out = new Uint8Array(this.size);
    let off = 0;
    for (const p of this.parts) {
      out.set(p, off);
      off += p.length;
    }
    return out;
  }

  async remove(): Promise<void> {
    this.parts = [];
    this.closed = true;
    this.onRemove();
  }
}
