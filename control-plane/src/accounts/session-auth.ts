import type { Context } from 'hono';
import type { Db } from '../db/db.ts';
import { readSessionCookie } from './cookie.ts';
import { isSafeMethod, requireCsrf } from './csrf.ts';
import { findSession } from './sessions.ts';

export interface SessionPrincipal {
  readonly tenantId: string;
  readonly accountId: string;
  readonly sessionId: string;
}

/**
 * The signed-in browser behind a request to `/v1`, or null when it carries
 * no live session cookie. Unsafe methods also need the CSRF header (csrf.ts),
 * else 403: the cookie alone proves only that a browser sent it.
 */
export async function sessionFromCookie(c: Context, db: Db, nowMs: number): Promise<SessionPrincipal | null> {
  const token = readSessionCookie(c);
  if (token === undefined) return null;
  const session = await findSession(db, token, nowMs);
  if (session === null) return null;
  if (!isSafeMethod(c.req.method)) await requireCsrf(c, token);
  return { tenantId: session.tenantId, accountId: session.accountId, sessionId: session.id };
}
