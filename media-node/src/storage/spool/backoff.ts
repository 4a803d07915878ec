/** Retry delays of the storage queue: exponential, capped, with jitter. */
export interface BackoffOptions {
  /** Delay after the first failure. */
  readonly baseMs: number;
  /** No delay exceeds this, however long the outage: it bounds how late a recovered bucket is noticed. */
  readonly maxMs: number;
}

/**
 * 250 ms doubles to 5 s by the sixth failure: a blip costs a quarter second,
 * and a bucket that comes back after a long outage is noticed within 5 s.
 */
export const DEFAULT_BACKOFF: BackoffOptions = { baseMs: 250, maxMs: 5000 };

/** Largest exponent used: 2^30 times any sane base is past every cap, and Math.pow stays exact. */
const MAX_EXPONENT = 30;

/**
 * The delay before retry number `failures` (1 = after the first failure):
 * `min(maxMs, baseMs * 2^(failures-1))`, scaled by a random factor in
 * [0.5, 1) ("equal jitter", AWS Architecture Blog, "Exponential Backoff And
 * Jitter", 2015) so that nodes which lost the same bucket do not retry in step,
 * while the delay still grows.
 *
 * @example
 * backoffDelay(3, DEFAULT_BACKOFF, Math.random); // 500..1000 ms
 */
export function backoffDelay(failures: number, options: BackoffOptions, random: () => number): number {
  const exponent = Math.min(Math.max(failures, 1) - 1, MAX_EXPONENT);
  const ceiling = Math.min(options.maxMs, options.baseMs * 2 ** exponent);
  const r = Math.min(Math.max(random(), 0), 1);
  return Math.round(ceiling * (0.5 + r / 2));
}

/**
 * The remote store's health as the queue sees it: degraded from a retryable
 * failure until the next success, and no new attempt before the backoff
 * delay of the last failure has passed.
 */
export class RetryState {
  private readonly options: BackoffOptions;
  private readonly random: () => number;
  private failures = 0;
  private retryAt = 0;
  private degradedSince: number | null = null;

  constructor(options: BackoffOptions, random: () => number) {
    this.options = options;
    this.random = random;
  }

  get degraded(): boolean {
    return this.degradedSince !== null;
  }

  /** How long to wait at `now` before the next attempt; 0 when one may start. */
  waitMs(now: number): number {
    return now < this.retryAt ? this.retryAt - now : 0;
  }

  /** A retryable failure at `now`: the delay before the next attempt, and whether it began the outage. */
  failed(now: number): { readonly delayMs: number; readonly began: boolean } {
    this.failures++;
    const delayMs = backoffDelay(this.failures, this.options, this.random);
    this.retryAt = now + delayMs;
    const began = this.degradedSince === null;
    if (began) this.degradedSince = now;
    return { delayMs, began };
  }

  /** A success at `now`: how long the store was degraded (ms), or null when it was healthy. */
  succeeded(now: number): number | null {
    this.failures = 0;
    this.retryAt = 0;
    const since = this.degradedSince;
    this.degradedSince = null;
    return since === null ? null : now - since;
  }
}
