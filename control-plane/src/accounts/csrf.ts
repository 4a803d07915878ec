import type { Context } from 'hono';
import { secretsEqual } from '@runnel/shared/constant-time-equal';
import { ApiError } from '../errors.ts';
import { csrfTokenFor } from './sessions.ts';

/**
 * CSRF defence for cookie-authenticated requests (OWASP CSRF cheat sheet:
 * "custom request header" + synchronizer token). A page gets its session's
 * token in `<meta name="csrf-token">` and sends it as `x-runnel-csrf` on
 * every unsafe request; a cross-site form cannot set headers, and a
 * cross-site fetch that sets one needs a CORS preflight we never grant.
 * Bearer-key requests need none: browsers do not attach those by themselves.
 */

export const CSRF_HEADER = 'x-runnel-csrf';
const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

export const isSafeMethod = (method: string): boolean => SAFE_METHODS.has(method);

/** Throws 403 unless `x-runnel-csrf` carries the session's CSRF token. */
export async function requireCsrf(c: Context, sessionToken: string): Promise<void> {
  const presented = c.req.header(CSRF_HEADER);
  if (presented === undefined || !(await secretsEqual(presented, await csrfTokenFor(sessionToken)))) {
    throw new ApiError('forbidden', `cookie-authenticated requests that change something need the page's CSRF token in ${CSRF_HEADER}`);
  }
}

/**
 * Sign-in and sign-up have no session yet: they take JSON only (a cross-site
 * form cannot send application/json without a preflight) and refuse an
 * Origin that is not this host (login CSRF).
 */
export function requireSameOrigin(c: Context): void {
  const origin = c.req.header('origin');
  if (origin === undefined || origin === 'null') {
    if (origin === 'null') throw new ApiError('forbidden', 'requests from opaque origins are refused');
    return;
  }
  let host: string;
  try {
    host = new URL(origin).host;
  } catch {
    throw new ApiError('forbidden', 'malformed Origin header');
  }
  if (host !== (c.req.header('host') ?? new URL(c.req.url).host)) throw new ApiError('forbidden', 'cross-origin requests are refused');
}
