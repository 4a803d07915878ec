import type { Context } from 'hono';
import { ApiError } from '../errors.ts';
import { TokenBucketLimiter } from '../services/rate-limiter.ts';

/**
 * Password guessing budgets, separate from the API's per-key budget: per
 * email (5 tries, then one a minute: an online attack on one account gets
 * ~1440 guesses a day, OWASP's "limit failed logins") and per client address
 * (30, then one every 2 s, so one host cannot spray many accounts fast).
 * In memory: exact on Node, per isolate on Workers (services/rate-limiter.ts).
 */

const PER_EMAIL = { burst: 5, perSecond: 1 / 60 };
const PER_ADDRESS = { burst: 30, perSecond: 1 / 2 };

export class LoginLimiter {
  private readonly byEmail = new TokenBucketLimiter(PER_EMAIL);
  private readonly byAddress = new TokenBucketLimiter(PER_ADDRESS);

  /** Throws 429 when either budget is spent. Both are charged on every attempt, right or wrong. */
  take(email: string | null, address: string, nowMs: number): void {
    const a = this.byAddress.take(address, nowMs);
    const e = email === null ? a : this.byEmail.take(email, nowMs);
    if (!a.ok || !e.ok) {
      const retryAfterS = Math.max(a.retryAfterS, e.retryAfterS);
      throw new ApiError('rate_limited', `too many sign-in attempts; retry in ${retryAfterS} s`, { retryAfterS });
    }
  }
}

/** The peer's address: the socket on Node (@hono/node-server's `incoming`), Cloudflare's header on Workers. */
export function clientAddress(c: Context): string {
  const env = c.env as { incoming?: { socket?: { remoteAddress?: string } } } | undefined;
  return env?.incoming?.socket?.remoteAddress ?? c.req.header('cf-connecting-ip') ?? 'unknown';
}
