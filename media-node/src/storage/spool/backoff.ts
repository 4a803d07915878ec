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
