import { eq } from 'drizzle-orm';
import type { Context } from 'hono';
import type { Db } from '../db/db.ts';
import { accounts } from '../db/schema.ts';
import { readSessionCookie } from './cookie.ts';
import { csrfTokenFor, findSession } from './sessions.ts';

export interface SignedIn {
  readonly accountId: string;
  readonly tenantId: string;
  readonly email: string;
  /** An operator (accounts.ts): the dashboard shows the Nodes page. */
  readonly admin: boolean;
  /** For the page's `<meta name="csrf-token">`. */
  readonly csrfToken: string;
}

/** Who is signed in on this browser (for rendering pages), or null. */
export async function signedIn(c: Context, db: Db, nowMs: number): Promise<SignedIn | null> {
  const token = readSessionCookie(c);
  if (token === undefined) return null;
  const session = await findSession(db, token, nowMs);
  if (session === null) return null;
  const [account] = await db.select().from(accounts).where(eq(accounts.id, session.accountId)).limit(1);
  if (account === undefined) return null;
  return { accountId: account.id, tenantId: account.tenantId, email: account.email, admin: account.isAdmin, csrfToken: await csrfTokenFor(token) };
}
