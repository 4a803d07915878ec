import { ProtocolError } from '@runnel/shared';
import { checkKey, type ObjectStore, type PutOptions } from '../storage.ts';
import { DEFAULT_BACKOFF, RetryState } from './backoff.ts';
import type { SpoolFiles } from './spool-files.ts';
import { asError, newEntry, recoverEntries, settle, type Entry } from './spool-entry.ts';
import { QueueOrder } from './playlist-dependencies.ts';
import { SpoolQueue } from './spool-queue.ts';
import { DEFAULT_MAX_MEMORY_BYTES, type SpoolingStats, type SpoolingStoreOptions, type StorageLog } from './spooling-options.ts';

export { MAX_DEFERRED_DELETES } from './playlist-dependencies.ts';

export {
  DEFAULT_MAX_MEMORY_BYTES,
  MAX_QUEUED_OPERATIONS,
  type SpoolingStats,
  type SpoolingStoreOptions,
  type StorageLog,
  type StorageLogValue,
} from './spooling-options.ts';

/**
 * An ObjectStore in front of a remote one (S3) that keeps a CDN consistent
 * through outages. See README.md for the rules; in short:
 *
 * - `put` resolves once the object is uploaded, held in memory (healthy, and
 *   within `maxMemoryBytes`), or written to the spool; `delete` at once.
 *   Neither ever rejects because the remote store is down.
 * - Operations go up in the order they came, with these exceptions that never
 *   change what a reader can see: independent segments upload in parallel,
 *   a playlist waits only for earlier operations on the objects it names, a
 *   newer playlist version replaces a queued older one.
 * - A retryable failure puts the store in "degraded" mode: one probe upload
 *   at a time with exponential backoff, every new object goes to the spool.
 * - A full spool drops its oldest segments. A playlist that names a dropped
 *   segment is never uploaded (the bucket keeps the previous version), and a
 *   delete waits while the bucket's current playlist still names its object.
 */
export class SpoolingStore implements ObjectStore {
  private readonly inner: ObjectStore;
  private readonly files: SpoolFiles;
  private readonly maxSpoolBytes: number;
  private readonly maxInFlight: number;
  private readonly now: () => number;
  private readonly log: StorageLog | undefined;

  private readonly queue: SpoolQueue;
  private nextId = 1;
  private inFlight = 0;
  private readonly retry: RetryState;
  private timer: ReturnType<typeof setTimeout> | null = null;
  private closed = false;
  private stopped = false;
  private drainWaiters: (() => void)[] = [];

  private constructor(options: SpoolingStoreOptions) {
    this.inner = options.inner;
    this.files = options.files;
    this.maxSpoolBytes = options.maxSpoolBytes;
    this.maxInFlight = Math.max(1, options.maxInFlight ?? 4);
    this.retry = new RetryState(options.backoff ?? DEFAULT_BACKOFF, options.random ?? Math.random);
    this.now = options.now ?? (() => performance.now());
    this.log = options.log;
    this.queue = new SpoolQueue({
      files: options.files,
      maxSpoolBytes: options.maxSpoolBytes,
      maxMemoryBytes: options.maxMemoryBytes ?? DEFAULT_MAX_MEMORY_BYTES,
      log: options.log,
      changed: () => this.pump(),
    });
  }

  /** A store that first re-queues, in order, whatever the spool still holds from an earlier run. */
  static async open(options: SpoolingStoreOptions): Promise<SpoolingStore> {
    const store = new SpoolingStore(options);
    await store.recover();
    return store;
  }

  get stats(): SpoolingStats {
    return {
      queued: this.queue.size,
      inFlight: this.inFlight,
      memoryBytes: this.queue.memoryBytes,
      spoolBytes: this.queue.spoolBytes,
      deferredDeletes: this.queue.deps.deferredCount,
      degraded: this.retry.degraded,
      ...this.queue.counters,
    };
  }

  put(key: string, bytes: Uint8Array, options: PutOptions): Promise<void> {
    try {
      this.checkOpen();
      checkKey(key);
    } catch (e) {
      return Promise.reject(e as Error);
    }
    const e = newEntry(this.nextId++, 'put', key, options, bytes);
    const q = this.queue;
    if (!q.makeRoomForEntry()) return q.refuse(e, 'too many queued operations');
    const inMemory = !this.retry.degraded && q.fitsInMemory(e.size);
    if (!inMemory && !q.makeRoom(e.size)) return q.refuse(e, `spool full (${this.maxSpoolBytes} bytes)`);
    q.cancelDeferredDelete(key);
    if (e.kind !== 'immutable') q.supersede(key);
    if (inMemory) {
      q.hold(e);
      this.pump();
      return Promise.resolve();
    }
    const acked = new Promise<void>((resolve, reject) => {
      e.waiter = { resolve, reject };
    });
    q.spool(e);
    this.pump();
    return acked;
  }

  delete(key: string): Promise<void> {
    try {
      this.checkOpen();
      checkKey(key);
    } catch (e) {
      return Promise.reject(e as Error);
    }
    const e = newEntry(this.nextId++, 'delete', key, null, null);
    // A delete has no payload; when the queue is full, leaving an object behind is the lesser harm.
    if (!this.queue.makeRoomForEntry()) {
      this.queue.counters.rejected++;
      this.log?.warn('storage_delete_dropped', { key, reason: 'too many queued operations' });
      return Promise.resolve();
    }
    if (!this.retry.degraded) this.queue.hold(e);
    else this.queue.spool(e);
    this.pump();
    return Promise.resolve();
  }

  /** Resolves when nothing is queued or running (deferred deletes aside). */
  drained(): Promise<void> {
    if (this.queue.size === 0 && this.inFlight === 0) return Promise.resolve();
    return new Promise((resolve) => this.drainWaiters.push(resolve));
  }

  /**
   * Refuses new operations, waits up to `drainMs` for the queue to empty,
   * then writes what is still only in memory to the spool (an upload already
   * running is left to finish). What the spool holds goes up after the next
   * `open` on the same directory.
   */
  async close(drainMs = 10_000): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    let timeout: ReturnType<typeof setTimeout> | undefined;
    await Promise.race([this.drained(), new Promise<void>((r) => (timeout = setTimeout(r, drainMs)))]);
    clearTimeout(timeout);
    this.stopped = true;
    if (this.timer !== null) clearTimeout(this.timer);
    this.timer = null;
    const { kept, lost } = await this.queue.persistMemory();
    const backlog = this.queue.size + this.queue.deps.deferredCount;
    if (backlog > 0) {
      this.log?.warn('storage_closed_with_backlog', { queued: backlog, spooled_now: kept, lost, spool_bytes: this.queue.spoolBytes });
    }
  }

  private checkOpen(): void {
    if (this.closed) throw new ProtocolError('storage_closed', 'the store is closed');
  }

  // -- uploading ------------------------------------------------------------

  /** Starts every operation that may run now, then wakes drained() waiters if nothing is left. */
  private pump(): void {
    this.startReady();
    this.checkDrained();
  }

  private startReady(): void {
    if (this.stopped) return;
    const wait = this.retry.waitMs(this.now());
    if (wait > 0) {
      this.wakeAt(wait);
      return;
    }
    const limit = this.retry.degraded ? 1 : this.maxInFlight;
    if (this.inFlight >= limit) return;
    const order = new QueueOrder();
    for (const e of [...this.queue.entries()]) {
      if (this.inFlight >= limit) break;
      if (!e.running && order.mayStart(e)) {
        const verdict = this.queue.deps.verdict(e);
        if (verdict === 'park') {
          this.queue.park(e);
          continue;
        }
        if (verdict === 'withhold') {
          this.queue.withhold(e);
          continue;
        }
        this.start(e);
      }
      order.passed(e);
    }
  }

  private start(e: Entry): void {
    e.running = true;
    this.inFlight++;
    this.run(e).catch((error: unknown) => this.log?.warn('storage_internal_error', { key: e.key, error: asError(error) }));
  }

  private async run(e: Entry): Promise<void> {
    let bytes: Uint8Array | null = null;
    if (e.op === 'put') {
      try {
        bytes = e.bytes ?? (await this.files.read(e.id));
      } catch (error) {
        this.finishRun(e);
        this.queue.counters.failed++;
        this.log?.warn('storage_spool_read_failed', { key: e.key, error: asError(error) });
        this.queue.drop(e, new ProtocolError('storage_spool_read_failed', `could not read back ${e.key}`));
        this.pump();
        return;
      }
    }
    try {
      if (e.op === 'put') await this.inner.put(e.key, bytes!, e.options!);
      else await this.inner.delete(e.key);
    } catch (error) {
      this.finishRun(e);
      this.failed(e, error);
      return;
    }
    this.finishRun(e);
    this.succeeded(e);
  }

  private finishRun(e: Entry): void {
    e.running = false;
    this.inFlight--;
    if (e.where === 'disk') e.bytes = null;
  }

  private succeeded(e: Entry): void {
    this.queue.release(e);
    settle(e);
    if (e.op === 'put') this.queue.counters.uploaded++;
    else this.queue.counters.deleted++;
    const refsChanged = this.queue.deps.landed(e);
    const downMs = this.retry.succeeded(this.now());
    if (downMs !== null) {
      this.log?.info('storage_recovered', { down_ms: Math.round(downMs), queued: this.queue.size, spool_bytes: this.queue.spoolBytes });
    }
    if (refsChanged) this.queue.unpark();
    this.pump();
  }

  private failed(e: Entry, error: unknown): void {
    if (error instanceof ProtocolError) {
      this.queue.counters.failed++;
      this.log?.warn('storage_object_failed', { key: e.key, op: e.op, error });
      this.queue.drop(e, error);
      this.pump();
      return;
    }
    this.queue.counters.retries++;
    const { delayMs, began } = this.retry.failed(this.now());
    if (began) this.log?.warn('storage_degraded', { key: e.key, op: e.op, retry_ms: delayMs, error: asError(error) });
    this.pump();
  }

  private wakeAt(ms: number): void {
    if (this.timer !== null) return;
    this.timer = setTimeout(() => {
      this.timer = null;
      this.pump();
    }, Math.max(1, Math.ceil(ms)));
    this.timer.unref?.();
  }

  private checkDrained(): void {
    if (this.queue.size !== 0 || this.inFlight !== 0 || this.drainWaiters.length === 0) return;
    const waiters = this.drainWaiters;
    this.drainWaiters = [];
    for (const w of waiters) w();
  }

  // -- recovery -------------------------------------------------------------

  private async recover(): Promise<void> {
    const { entries, found, discarded } = await recoverEntries(this.files);
    for (const e of entries) this.nextId = Math.max(this.nextId, e.id + 1);
    this.queue.recovered(entries);
    if (found > 0 || discarded > 0) {
      this.log?.info('storage_spool_recovered', { operations: this.queue.size, bytes: this.queue.spoolBytes, discarded });
    }
    this.pump();
  }
}
