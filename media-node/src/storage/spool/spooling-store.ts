import { ProtocolError } from '@runnel/shared';
import { checkKey, type ObjectStore, type PutOptions } from '../storage.ts';
import { DEFAULT_BACKOFF, RetryState } from './backoff.ts';
import type { SpoolFiles } from './spool-files.ts';
import { asError, newEntry, recordOf, recoverEntries, settle, type Entry } from './spool-entry.ts';
import { PlaylistDependencies, QueueOrder } from './playlist-dependencies.ts';
import {
  DEFAULT_MAX_MEMORY_BYTES,
  MAX_QUEUED_OPERATIONS,
  type SpoolingCounters,
  type SpoolingStats,
  type SpoolingStoreOptions,
  type StorageLog,
} from './spooling-options.ts';

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
  private readonly maxMemoryBytes: number;
  private readonly maxInFlight: number;
  private readonly now: () => number;
  private readonly log: StorageLog | undefined;

  /** Insertion order is upload order. */
  private readonly queue = new Map<number, Entry>();
  private readonly deps = new PlaylistDependencies();
  private readonly counters: SpoolingCounters = {
    uploaded: 0, deleted: 0, retries: 0, evicted: 0, evictedBytes: 0, withheld: 0, superseded: 0, failed: 0, rejected: 0,
  };
  private nextId = 1;
  private memoryBytes = 0;
  private spoolBytes = 0;
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
    this.maxMemoryBytes = options.maxMemoryBytes ?? DEFAULT_MAX_MEMORY_BYTES;
    this.maxInFlight = Math.max(1, options.maxInFlight ?? 4);
    this.retry = new RetryState(options.backoff ?? DEFAULT_BACKOFF, options.random ?? Math.random);
    this.now = options.now ?? (() => performance.now());
    this.log = options.log;
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
      memoryBytes: this.memoryBytes,
      spoolBytes: this.spoolBytes,
      deferredDeletes: this.deps.deferredCount,
      degraded: this.retry.degraded,
      ...this.counters,
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
    if (!this.makeRoomForEntry()) return this.refuse(e, 'too many queued operations');
    const inMemory = !this.retry.degraded && this.memoryBytes + e.size <= this.maxMemoryBytes;
    if (!inMemory && !this.makeRoom(e.size)) return this.refuse(e, `spool full (${this.maxSpoolBytes} bytes)`);
    this.cancelDeferredDelete(key);
    if (e.kind !== 'immutable') this.supersede(key);
    if (inMemory) {
      this.hold(e);
      this.pump();
      return Promise.resolve();
    }
    const acked = new Promise<void>((resolve, reject) => {
      e.waiter = { resolve, reject };
    });
    this.spool(e);
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
    if (!this.makeRoomForEntry()) {
      this.counters.rejected++;
      this.log?.warn('storage_delete_dropped', { key, reason: 'too many queued operations' });
      return Promise.resolve();
    }
    if (!this.retry.degraded) this.hold(e);
    else this.spool(e);
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
    let kept = 0;
    let lost = 0;
    for (const e of [...this.queue.values(), ...this.deps.deferred()]) {
      if (e.where !== 'memory' || e.running) continue;
      if (this.spoolBytes + e.size > this.maxSpoolBytes) {
        lost++;
        continue;
      }
      try {
        await this.files.write(e.id, recordOf(e), e.bytes ?? new Uint8Array(0));
        this.spoolBytes += e.size;
        this.memoryBytes -= e.size;
        e.where = 'disk';
        kept++;
      } catch {
        lost++;
      }
    }
    if (this.queue.size + this.deps.deferredCount > 0) {
      this.log?.warn('storage_closed_with_backlog', { queued: this.queue.size + this.deps.deferredCount, spooled_now: kept, lost, spool_bytes: this.spoolBytes });
    }
  }

  // -- queueing ------------------------------------------------------------

  private checkOpen(): void {
    if (this.closed) throw new ProtocolError('storage_closed', 'the store is closed');
  }

  /** Keeps `e` in memory (accounted there) and acknowledges it. */
  private hold(e: Entry): void {
    e.where = 'memory';
    this.memoryBytes += e.size;
    this.queue.set(e.id, e);
  }

  /** Queues `e` with its bytes accounted to the spool, and writes it there; its put resolves once written. */
  private spool(e: Entry): void {
    e.where = 'writing';
    this.spoolBytes += e.size;
    this.queue.set(e.id, e);
    this.files.write(e.id, recordOf(e), e.bytes ?? new Uint8Array(0)).then(
      () => {
        if (e.done) {
          this.removeFile(e.id);
          return;
        }
        e.where = 'disk';
        if (!e.running) e.bytes = null;
        settle(e);
      },
      (error: unknown) => {
        if (e.done) return;
        this.spoolBytes -= e.size;
        if (e.running || this.memoryBytes + e.size <= this.maxMemoryBytes) {
          e.where = 'memory';
          this.memoryBytes += e.size;
          this.log?.warn('storage_spool_write_failed', { key: e.key, kept: 'memory', error: asError(error) });
          settle(e);
          return;
        }
        this.log?.warn('storage_spool_write_failed', { key: e.key, kept: 'nowhere', error: asError(error) });
        this.drop(e, new ProtocolError('storage_spool_full', `could not spool ${e.key}: ${asError(error).message}`));
        this.counters.rejected++;
        this.pump();
      },
    );
  }

  private refuse(e: Entry, why: string): Promise<void> {
    this.counters.rejected++;
    this.log?.warn('storage_put_refused', { key: e.key, bytes: e.size, reason: why });
    return Promise.reject(new ProtocolError('storage_spool_full', `${e.key} not stored: ${why}`));
  }

  /** Queued, not yet running versions of a mutable object are replaced by the newer one. */
  private supersede(key: string): void {
    for (const e of this.queue.values()) {
      if (e.key !== key || e.op !== 'put' || e.running) continue;
      this.release(e);
      settle(e);
      this.counters.superseded++;
    }
  }

  /** A put after a parked delete of the same key wins: the delete must not remove the newer object. */
  private cancelDeferredDelete(key: string): void {
    for (const d of this.deps.takeDeletesOf(key)) this.release(d);
  }

  private makeRoomForEntry(): boolean {
    while (this.queue.size + this.deps.deferredCount >= MAX_QUEUED_OPERATIONS) {
      if (!this.evictOldestSegment()) return false;
    }
    return true;
  }

  /** Evicts the oldest spooled segments until `size` more bytes fit; false when they cannot. */
  private makeRoom(size: number): boolean {
    if (size > this.maxSpoolBytes) return false;
    while (this.spoolBytes + size > this.maxSpoolBytes) {
      if (!this.evictOldestSegment()) return false;
    }
    return true;
  }

  private evictOldestSegment(): boolean {
    for (const e of this.queue.values()) {
      if (e.kind !== 'immutable' || e.where !== 'disk' || e.running) continue;
      this.release(e);
      this.deps.segmentLost(e.key);
      this.counters.evicted++;
      this.counters.evictedBytes += e.size;
      this.log?.warn('storage_spool_evicted', { key: e.key, bytes: e.size, spool_bytes: this.spoolBytes, evicted: this.counters.evicted });
      return true;
    }
    return false;
  }

  /** Takes `e` out of the queue and frees what it holds; idempotent. */
  private release(e: Entry): void {
    if (e.done) return;
    e.done = true;
    this.queue.delete(e.id);
    this.deps.forget(e.id);
    if (e.where === 'memory') this.memoryBytes -= e.size;
    else this.spoolBytes -= e.size;
    // A file still being written is removed by spool()'s completion.
    if (e.where === 'disk') this.removeFile(e.id);
    e.bytes = null;
  }

  /**
   * Gives up on `e`. A put not yet acknowledged rejects with `error`: its
   * caller leaves the object out of its playlists. An acknowledged segment
   * counts as lost: playlists naming it are withheld.
   */
  private drop(e: Entry, error: Error): void {
    this.release(e);
    const w = e.waiter;
    e.waiter = null;
    if (w !== null) w.reject(error);
    else if (e.op === 'put' && e.kind === 'immutable') this.deps.segmentLost(e.key);
  }

  private removeFile(id: number): void {
    this.files.remove(id).catch((error: unknown) => this.log?.warn('storage_spool_remove_failed', { id, error: asError(error) }));
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
    for (const e of [...this.queue.values()]) {
      if (this.inFlight >= limit) break;
      if (!e.running && order.mayStart(e)) {
        const verdict = this.deps.verdict(e);
        if (verdict === 'park') {
          this.park(e);
          continue;
        }
        if (verdict === 'withhold') {
          this.withhold(e);
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
        this.counters.failed++;
        this.log?.warn('storage_spool_read_failed', { key: e.key, error: asError(error) });
        this.drop(e, new ProtocolError('storage_spool_read_failed', `could not read back ${e.key}`));
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
    this.release(e);
    settle(e);
    if (e.op === 'put') this.counters.uploaded++;
    else this.counters.deleted++;
    const refsChanged = this.deps.landed(e);
    const downMs = this.retry.succeeded(this.now());
    if (downMs !== null) {
      this.log?.info('storage_recovered', { down_ms: Math.round(downMs), queued: this.queue.size, spool_bytes: this.spoolBytes });
    }
    if (refsChanged) this.unpark();
    this.pump();
  }

  private failed(e: Entry, error: unknown): void {
    if (error instanceof ProtocolError) {
      this.counters.failed++;
      this.log?.warn('storage_object_failed', { key: e.key, op: e.op, error });
      this.drop(e, error);
      this.pump();
      return;
    }
    this.counters.retries++;
    const { delayMs, began } = this.retry.failed(this.now());
    if (began) this.log?.warn('storage_degraded', { key: e.key, op: e.op, retry_ms: delayMs, error: asError(error) });
    this.pump();
  }

  private withhold(e: Entry): void {
    this.release(e);
    settle(e);
    this.counters.withheld++;
    this.log?.warn('storage_playlist_withheld', { key: e.key, reason: 'names a segment the spool dropped' });
  }

  /** Parks a delete until the bucket's playlists stop naming its object. */
  private park(e: Entry): void {
    this.queue.delete(e.id);
    const oldest = this.deps.park(e);
    if (oldest !== null) {
      this.release(oldest);
      this.log?.warn('storage_delete_dropped', { key: oldest.key, reason: 'too many deferred deletes' });
    }
  }

  private unpark(): void {
    for (const d of this.deps.takeUnnamed()) this.queue.set(d.id, d);
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
    for (const e of entries) {
      this.queue.set(e.id, e);
      this.spoolBytes += e.size;
      this.nextId = Math.max(this.nextId, e.id + 1);
    }
    while (this.spoolBytes > this.maxSpoolBytes && this.evictOldestSegment());
    if (found > 0 || discarded > 0) {
      this.log?.info('storage_spool_recovered', { operations: this.queue.size, bytes: this.spoolBytes, discarded });
    }
    this.pump();
  }
}
