import type { Db } from './db/db.ts';
import type { AppConfig } from './env.ts';
import type { Clock } from './services/clock.ts';
import type { Logger } from './services/logger.ts';
import type { RateLimiter } from './services/rate-limiter.ts';

/** Everything the app needs from outside, given by an entry (or a test). */
export interface AppDeps {
  readonly db: Db;
  readonly config: AppConfig;
  readonly clock: Clock;
  readonly rateLimiter: RateLimiter;
  readonly log: Logger;
}
