import { checkKey, type ObjectStore, type PutOptions } from './storage.ts';

/** One stored object of the fake. */
export interface MemoryObject {
  readonly bytes: Uint8Array;
  readonly contentType: string;
  readonly cacheControl: string | undefined;
}

/**
 * The in-memory ObjectStore for tests: checks keys like the real stores,
 * records every operation in order (`log`: `put key` / `delete key`), can
 * hold operations until `release()` (a slow store) and fail chosen ones
 * (`failWhen`), to test what callers do while writes are pending or broken.
 */
export class MemoryStore implements ObjectStore {
  readonly objects = new Map<string, MemoryObject>();
  readonly log: string[] = [];
  /** Operations rejected because of `failWhen`. */
  failures = 0;
  /** Reject operations for which this returns true. */
  failWhen: ((op: 'put' | 'delete', key: string) => boolean) | null = null;
  private held: (() => void)[] | null = null;

  /** Hold every operation until release(). */
  hold(): void {
    this.held ??= [];
  }

  /** Let held operations run, and stop holding. */
  release(): void {
    const waiting = this.held ?? [];
    this.held = null;
    for (const go of waiting) go();
  }

  /** Operations waiting in hold(). */
  get waiting(): number {
    return this.held?.length ?? 0;
  }

  text(key: string): string | undefined {
    const o = this.objects.get(key);
    return o && new TextDecoder().decode(o.bytes);
  }

  async put(key: string, bytes: Uint8Array, options: PutOptions): Promise<void> {
    checkKey(key);
    await this.gate();
    if (this.failWhen?.('put', key)) {
      this.failures++;
      throw new Error(`put ${key} failed (MemoryStore.failWhen)`);
    }
    this.log.push(`put ${key}`);
    this.objects.set(key, { bytes: bytes.slice(), contentType: options.contentType, cacheControl: options.cacheControl });
  }

  async delete(key: string): Promise<void> {
    checkKey(key);
    await this.gate();
    if (this.failWhen?.('delete', key)) {
      this.failures++;
      throw new Error(`delete ${key} failed (MemoryStore.failWhen)`);
    }
    this.log.push(`delete ${key}`);
    this.objects.delete(key);
  }

  private gate(): Promise<void> {
    if (this.held === null) return Promise.resolve();
    return new Promise((go) => this.held!.push(go));
  }
}
