import type { Db } from './db/db.ts';
import type { AppConfig } from './env.ts';
import type { Clock } from './services/clock.ts';
import type { Logger } from './services/logger.ts';
import type { RateLimiter } from './services/rate-limiter.ts';

/** A recording file on this machine's disk (the one-machine platform), opened for download. */
export interface RecordingFile {
  readonly body: ReadableStream<Uint8Array>;
  readonly size: number;
}

/**
 * Recordings kept on local disk by the node beside this control plane
 * (`runnel start`): `open` returns the file a recording's `storage_key` names
 * when it lies inside the recordings directory, else null.
 */
export interface LocalRecordings {
  open(storageKey: string): Promise<RecordingFile | null>;
}

/** Everything the app needs from outside, given by an entry (or a test). */
export interface AppDeps {
  readonly db: Db;
  readonly config: AppConfig;
  readonly clock: Clock;
  readonly rateLimiter: RateLimiter;
  readonly log: Logger;
  /** Node entry with a local node only: serves recordings from its disk at `/v1/recordings/{id}/file`. */
  readonly localRecordings?: LocalRecordings;
}
