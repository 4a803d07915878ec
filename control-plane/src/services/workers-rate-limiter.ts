import type { Logger } from './logger.ts';
import type { RateDecision, RateLimiter } from './rate-limiter.ts';

/**
 * Per-key budgets on Workers that hold across isolates: Cloudflare's Rate
 * Limiting binding (wrangler.toml `[[ratelimits]]`, `simple = { limit,
 * period }`). Its counters are kept per Cloudflare location and are
 * eventually consistent, so it is a fair limit, not an exact one
 * (https://developers.cloudflare.com/workers/runtime-apis/bindings/rate-limit/).
 * It answers only pass or refuse: no remaining count, no reset time, so
 * `Retry-After` is the period (the longest a refused key can wait).
 * If the binding fails, the isolate's own token bucket decides: a limiter
 * outage neither refuses every tenant nor lifts all limits.
 */

/** What this reads of a Rate Limiting binding (no @cloudflare/workers-types here). */
export interface RateLimitBinding {
  limit(opts: { key: string }): Promise<{ success: boolean }>;
}

/** The periods the binding supports, in seconds. */
export const RATE_LIMIT_PERIODS_S = [10, 60] as const;

export class WorkersRateLimiter implements RateLimiter {
  private readonly binding: RateLimitBinding;
  private readonly periodS: number;
  private readonly fallback: RateLimiter;
  private readonly log: Logger;

  constructor(opts: { binding: RateLimitBinding; periodS: number; fallback: RateLimiter; log: Logger }) {
    this.binding = opts.binding;
    this.periodS = opts.periodS;
    this.fallback = opts.fallback;
    this.log = opts.log;
  }

  async take(key: string, nowMs: number): Promise<RateDecision> {
    let success: boolean;
    try {
      ({ success } = await this.binding.limit({ key }));
    } catch (e) {
      this.log.error('rate limit binding failed; the isolate bucket decides', { error: String(e) });
      return this.fallback.take(key, nowMs);
    }
    return { ok: success, limit: undefined, remaining: undefined, retryAfterS: success ? 0 : this.periodS };
  }
}
