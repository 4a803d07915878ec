import type { MiddlewareHandler } from 'hono';
import type { AppDeps } from '../deps.ts';
import { ApiError } from '../errors.ts';
import type { TenantEnv } from './auth.ts';

/**
 * Per API key budget (after authentication, so one tenant's burst does not
 * eat another's). Headers after draft-ietf-httpapi-ratelimit-headers:
 * `RateLimit-Limit`, `RateLimit-Remaining`; a refusal is 429 with `Retry-After`.
 */
export function rateLimit(deps: AppDeps): MiddlewareHandler<TenantEnv> {
  return async (c, next) => {
    const d = await deps.rateLimiter.take(c.get('auth').key.id, deps.clock.now());
    if (d.limit !== undefined) c.header('RateLimit-Limit', String(d.limit));
    if (d.remaining !== undefined) c.header('RateLimit-Remaining', String(d.remaining));
    if (!d.ok) throw new ApiError('rate_limited', `too many requests with this key; retry in ${d.retryAfterS} s`, { retryAfterS: d.retryAfterS });
    await next();
  };
}
