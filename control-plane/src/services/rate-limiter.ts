/**
 * Per-key request budgets. On Node: an in-memory token bucket, exact for
 * the one process. On Workers each isolate has its own memory, so a bucket
 * there only limits bursts; with a Rate Limiting binding (wrangler.toml
 * `[[ratelimits]]`) the count is kept by Cloudflare for all isolates
 * (workers-rate-limiter.ts), and the token bucket is only its fallback.
 */

export interface RateDecision {
  readonly ok: boolean;
  /** The budget and what is left of it, when the limiter knows (the Workers binding does not tell). */
  readonly limit: number | undefined;
  readonly remaining: number | undefined;
  /** Whole seconds until one request would pass; 0 when ok. */
  readonly retryAfterS: number;
}

export interface RateLimiter {
  take(key: string, nowMs: number): RateDecision | Promise<RateDecision>;
}

export interface TokenBucketOptions {
  readonly perSecond: number;
  readonly burst: number;
  /** Buckets kept before the least recently used is dropped (a dropped key starts full again). */
  readonly maxKeys?: number;
}

/** 10 000 buckets x ~100 bytes = ~1 MB at most, whatever the number of keys. */
const DEFAULT_MAX_KEYS = 10_000;

interface Bucket {
  tokens: number;
  atMs: number;
}

export class TokenBucketLimiter implements RateLimiter {
  private readonly buckets = new Map<string, Bucket>();
  private readonly perSecond: number;
  private readonly burst: number;
  private readonly maxKeys: number;

  constructor(opts: TokenBucketOptions) {
    this.perSecond = opts.perSecond;
    this.burst = opts.burst;
    this.maxKeys = opts.maxKeys ?? DEFAULT_MAX_KEYS;
  }

  take(key: string, nowMs: number): RateDecision {
    const b = this.buckets.get(key) ?? { tokens: this.burst, atMs: nowMs };
    this.buckets.delete(key);
    const refill = (Math.max(0, nowMs - b.atMs) / 1000) * this.perSecond;
    b.tokens = Math.min(this.burst, b.tokens + refill);
    b.atMs = nowMs;
    const ok = b.tokens >= 1;
    if (ok) b.tokens -= 1;
    this.buckets.set(key, b);
    if (this.buckets.size > this.maxKeys) this.buckets.delete(this.buckets.keys().next().value as string);
    return {
      ok,
      limit: this.burst,
      remaining: Math.floor(b.tokens),
      retryAfterS: ok ? 0 : Math.ceil((1 - b.tokens) / this.perSecond),
    };
  }
}
