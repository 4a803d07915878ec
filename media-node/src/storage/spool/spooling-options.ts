import type { ObjectStore } from '../storage.ts';
import type { BackoffOptions } from './backoff.ts';
import type { SpoolFiles } from './spool-files.ts';

/** The spooling store's options, limits and stats (see spooling-store.ts). */

export type StorageLogValue = string | number | boolean | Error | undefined;

/** What the store logs through (a server Logger fits). */
export interface StorageLog {
  info(event: string, fields?: { readonly [key: string]: StorageLogValue }): void;
  warn(event: string, fields?: { readonly [key: string]: StorageLogValue }): void;
}

export interface SpoolingStoreOptions {
  /** The remote store (S3Store): a ProtocolError from it means "this object will never go up", anything else "try again". */
  readonly inner: ObjectStore;
  /** Where objects wait while the remote store is down (SpoolDir). */
  readonly files: SpoolFiles;
  /** Payload bytes the spool may hold (config `storage.spool.max_bytes`). */
  readonly maxSpoolBytes: number;
  /** Payload bytes waiting in memory while the remote store is healthy (default DEFAULT_MAX_MEMORY_BYTES). */
  readonly maxMemoryBytes?: number;
  /** Uploads at once while healthy (default 4); one while the store is failing. */
  readonly maxInFlight?: number;
  readonly backoff?: BackoffOptions;
  /** Jitter source (default Math.random). */
  readonly random?: () => number;
  /** Monotonic milliseconds (default performance.now). */
  readonly now?: () => number;
  readonly log?: StorageLog;
}

/** A few segments of every stream in flight: a burst while healthy never touches the disk, yet memory stays small. */
export const DEFAULT_MAX_MEMORY_BYTES = 32 * 1024 * 1024;
/** Queued operations (about 300 bytes of bookkeeping each): 30 MB at worst, hours of segments of dozens of streams. */
export const MAX_QUEUED_OPERATIONS = 100_000;

export interface SpoolingStats {
  /** Operations waiting or running (deferred deletes not included). */
  readonly queued: number;
  readonly inFlight: number;
  readonly memoryBytes: number;
  /** Payload bytes in the spool (written or being written). */
  readonly spoolBytes: number;
  /** Deletes waiting for the bucket's playlist to stop naming their object. */
  readonly deferredDeletes: number;
  /** True from a failed upload until the next successful one. */
  readonly degraded: boolean;
  readonly uploaded: number;
  readonly deleted: number;
  readonly retries: number;
  /** Segments dropped from a full spool, oldest first. */
  readonly evicted: number;
  readonly evictedBytes: number;
  /** Playlist versions not uploaded because they named a dropped segment. */
  readonly withheld: number;
  /** Playlist versions replaced by a newer one before they went up. */
  readonly superseded: number;
  /** Objects the remote store refused for good (or the spool could not read back). */
  readonly failed: number;
  /** Puts refused because neither memory nor spool had room. */
  readonly rejected: number;
}

export type SpoolingCounters = { -readonly [K in 'uploaded' | 'deleted' | 'retries' | 'evicted' | 'evictedBytes' | 'withheld' | 'superseded' | 'failed' | 'rejected']: number };
