import { eq } from 'drizzle-orm';
import type { Context } from 'hono';
import type { Db } from '../db/db.ts';
import { accounts } from '../db/schema.ts';
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

/**
 * The signed-in browser behind a request to `/admin`, with whether its
 * account is an admin; null when the cookie is missing or dead. The flag is
 * read on every request, so taking it away takes effect at once. An admin's
 * unsafe methods need the CSRF header, as on `/v1`.
 */
export async function adminFromCookie(c: Context, db: Db, nowMs: number): Promise<(SessionPrincipal & { readonly admin: boolean }) | null> {
  const token = readSessionCookie(c);
  if (token === undefined) return null;
  const session = await findSession(db, token, nowMs);
  if (session === null) return null;
  const [account] = await db.select({ isAdmin: accounts.isAdmin }).from(accounts).where(eq(accounts.id, session.accountId)).limit(1);
  const admin = account?.isAdmin === true;
  if (admin && !isSafeMethod(c.req.method)) await requireCsrf(c, token);
  return { tenantId: session.tenantId, accountId: session.accountId, sessionId: session.id, admin };
}
