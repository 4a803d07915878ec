/**
 * Where the delivery route reads HLS objects from: the narrow interface it
 * declares. Node reads the node's local directory (entry/hls-files.ts),
 * Workers an R2 bucket (r2-storage.ts); tests use `MemoryHlsStorage`.
 */

export interface HlsObject {
  readonly body: ReadableStream<Uint8Array> | Uint8Array;
  /** Bytes, when the store knows it without reading the body. */
  readonly size: number | undefined;
}

export interface HlsStorage {
  /** The object under `key`, or null when there is none. */
  get(key: string): Promise<HlsObject | null>;
}

/** The fake: a map of keys to bytes, and how many reads reached it (to prove a cache hit). */
export class MemoryHlsStorage implements HlsStorage {
  readonly objects = new Map<string, Uint8Array>();
  reads = 0;

  put(key: string, bytes: Uint8Array | string): void {
    this.objects.set(key, typeof bytes === 'string' ? new TextEncoder().encode(bytes) : bytes);
  }

  async get(key: string): Promise<HlsObject | null> {
    this.reads += 1;
    const bytes = this.objects.get(key);
    return bytes === undefined ? null : { body: bytes, size: bytes.byteLength };
  }
}
