import { ProtocolError } from '@runnel/shared';
import type { SpoolFiles } from './spool-files.ts';
import { asError, recordOf, settle, type Entry } from './spool-entry.ts';
import { PlaylistDependencies } from './playlist-dependencies.ts';
import { MAX_QUEUED_OPERATIONS, type SpoolingCounters, type StorageLog } from './spooling-options.ts';

export interface SpoolQueueOptions {
  readonly files: SpoolFiles;
  readonly maxSpoolBytes: number;
  readonly maxMemoryBytes: number;
  readonly log: StorageLog | undefined;
  /** Something left the queue on its own (a spool write that failed for good): the uploader looks again. */
  readonly changed: () => void;
}

/**
 * The spooling store's queue and where each entry's bytes are: in memory or
 * in the spool, within both budgets, the oldest spooled segments evicted
 * for room; what goes up when is the store's (spooling-store.ts). Insertion
 * order is upload order; parked deletes sit in `deps` meanwhile.
 */
export class SpoolQueue {
  readonly deps = new PlaylistDependencies();
  readonly counters: SpoolingCounters = {
    uploaded: 0, deleted: 0, retries: 0, evicted: 0, evictedBytes: 0, withheld: 0, superseded: 0, failed: 0, rejected: 0,
  };
  private readonly queue = new Map<number, Entry>();
  private readonly files: SpoolFiles;
  private readonly maxSpoolBytes: number;
  private readonly maxMemoryBytes: number;
  private readonly log: StorageLog | undefined;
  private readonly changed: () => void;
  private memory = 0;
  private spooled = 0;

  constructor(options: SpoolQueueOptions) {
    this.files = options.files;
    this.maxSpoolBytes = options.maxSpoolBytes;
    this.maxMemoryBytes = options.maxMemoryBytes;
    this.log = options.log;
    this.changed = options.changed;
  }

  /** Operations waiting or running (parked deletes not included). */
  get size(): number {
    return this.queue.size;
  }

  get memoryBytes(): number {
    return this.memory;
  }

  /** Payload bytes in the spool (written or being written). */
  get spoolBytes(): number {
    return this.spooled;
  }

  /** The queue in upload order. */
  entries(): IterableIterator<Entry> {
    return this.queue.values();
  }

  /** Whether `size` more bytes fit in memory. */
  fitsInMemory(size: number): boolean {
    return this.memory + size <= this.maxMemoryBytes;
  }

  /** An entry found in the spool at open, its bytes on disk; then the oldest segments go until the spool fits. */
  recovered(entries: readonly Entry[]): void {
    for (const e of entries) {
      this.queue.set(e.id, e);
      this.spooled += e.size;
    }
    while (this.spooled > this.maxSpoolBytes && this.evictOldestSegment());
  }

  /** Keeps `e` in memory (accounted there) and acknowledges it. */
  hold(e: Entry): void {
    e.where = 'memory';
    this.memory += e.size;
    this.queue.set(e.id, e);
  }

  /** Queues `e` with its bytes accounted to the spool, and writes it there; its put resolves once written. */
  spool(e: Entry): void {
    e.where = 'writing';
    this.spooled += e.size;
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
        this.spooled -= e.size;
        if (e.running || this.memory + e.size <= this.maxMemoryBytes) {
          e.where = 'memory';
          this.memory += e.size;
          this.log?.warn('storage_spool_write_failed', { key: e.key, kept: 'memory', error: asError(error) });
          settle(e);
          return;
        }
        this.log?.warn('storage_spool_write_failed', { key: e.key, kept: 'nowhere', error: asError(error) });
        this.drop(e, new ProtocolError('storage_spool_full', `could not spool ${e.key}: ${asError(error).message}`));
        this.counters.rejected++;
        this.changed();
      },
    );
  }

  refuse(e: Entry, why: string): Promise<void> {
    this.counters.rejected++;
    this.log?.warn('storage_put_refused', { key: e.key, bytes: e.size, reason: why });
    return Promise.reject(new ProtocolError('storage_spool_full', `${e.key} not stored: ${why}`));
  }

  /** Queued, not yet running versions of a mutable object are replaced by the newer one. */
  supersede(key: string): void {
    for (const e of this.queue.values()) {
      if (e.key !== key || e.op !== 'put' || e.running) continue;
      this.release(e);
      settle(e);
      this.counters.superseded++;
    }
  }

  /** A put after a parked delete of the same key wins: the delete must not remove the newer object. */
  cancelDeferredDelete(key: string): void {
    for (const d of this.deps.takeDeletesOf(key)) this.release(d);
  }

  /** Evicts spooled segments until one more operation may queue; false when none is left to evict. */
  makeRoomForEntry(): boolean {
    while (this.queue.size + this.deps.deferredCount >= MAX_QUEUED_OPERATIONS) {
      if (!this.evictOldestSegment()) return false;
    }
    return true;
  }

  /** Evicts the oldest spooled segments until `size` more bytes fit; false when they cannot. */
  makeRoom(size: number): boolean {
    if (size > this.maxSpoolBytes) return false;
    while (this.spooled + size > this.maxSpoolBytes) {
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
      this.log?.warn('storage_spool_evicted', { key: e.key, bytes: e.size, spool_bytes: this.spooled, evicted: this.counters.evicted });
      return true;
    }
    return false;
  }

  /** Takes `e` out of the queue and frees what it holds; idempotent. */
  release(e: Entry): void {
    if (e.done) return;
    e.done = true;
    this.queue.delete(e.id);
    this.deps.forget(e.id);
    if (e.where === 'memory') this.memory -= e.size;
    else this.spooled -= e.size;
    // A file still being written is removed by spool()'s completion.
    if (e.where === 'disk') this.removeFile(e.id);
    e.bytes = null;
  }

  /**
   * Gives up on `e`. A put not yet acknowledged rejects with `error`: its
   * caller leaves the object out of its playlists. An acknowledged segment
   * counts as lost: playlists naming it are withheld.
   */
  drop(e: Entry, error: Error): void {
    this.release(e);
    const w = e.waiter;
    e.waiter = null;
    if (w !== null) w.reject(error);
    else if (e.op === 'put' && e.kind === 'immutable') this.deps.segmentLost(e.key);
  }

  private removeFile(id: number): void {
    this.files.remove(id).catch((error: unknown) => this.log?.warn('storage_spool_remove_failed', { id, error: asError(error) }));
  }

  withhold(e: Entry): void {
    this.release(e);
    settle(e);
    this.counters.withheld++;
    this.log?.warn('storage_playlist_withheld', { key: e.key, reason: 'names a segment the spool dropped' });
  }

  /** Parks a delete until the bucket's playlists stop naming its object. */
  park(e: Entry): void {
    this.queue.delete(e.id);
    const oldest = this.deps.park(e);
    if (oldest !== null) {
      this.release(oldest);
      this.log?.warn('storage_delete_dropped', { key: oldest.key, reason: 'too many deferred deletes' });
    }
  }

  unpark(): void {
    for (const d of this.deps.takeUnnamed()) this.queue.set(d.id, d);
  }

  /**
   * At close: writes what is still only in memory (and not uploading) to the
   * spool while it has room, so it goes up after the next open.
   */
  async persistMemory(): Promise<{ readonly kept: number; readonly lost: number }> {
    let kept = 0;
    let lost = 0;
    for (const e of [...this.queue.values(), ...this.deps.deferred()]) {
      if (e.where !== 'memory' || e.running) continue;
      if (this.spooled + e.size > this.maxSpoolBytes) {
        lost++;
        continue;
      }
      try {
        await this.files.write(e.id, recordOf(e), e.bytes ?? new Uint8Array(0));
        this.spooled += e.size;
        this.memory -= e.size;
        e.where = 'disk';
        kept++;
      } catch {
        lost++;
      }
    }
    return { kept, lost };
  }
}
