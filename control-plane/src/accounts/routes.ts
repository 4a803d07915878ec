import { eq } from 'drizzle-orm';
import { Hono } from 'hono';
import { z } from 'zod';
import type { AppDeps } from '../deps.ts';
import { accounts } from '../db/schema.ts';
import { ApiError } from '../errors.ts';
import { readBody } from '../http/validate.ts';
import { checkCredentials, normalizeEmail, signUp } from './accounts.ts';
import { clearSessionCookie, readSessionCookie, writeSessionCookie } from './cookie.ts';
import { requireCsrf, requireSameOrigin } from './csrf.ts';
import { LoginLimiter, clientAddress } from './login-limit.ts';
import { createSession, csrfTokenFor, deleteSession, findSession } from './sessions.ts';

/**
 * `/auth`: sign up, sign in, sign out, and who is signed in. JSON in and
 * out like `/v1`; the answer to sign-up and sign-in sets the session cookie.
 */

/** RFC 5321 4.5.3.1: a path (and so an address) is at most 256 octets; 254 in practice. */
const MAX_EMAIL_CHARS = 254;
/** NIST SP 800-63B 5.1.1.2: at least 8; we ask 10. */
export const MIN_PASSWORD_CHARS = 10;
/** Long passphrases welcome, but PBKDF2 need not hash a megabyte. */
const MAX_PASSWORD_CHARS = 1024;

export const signUpBody = z.strictObject({
  email: z.email().max(MAX_EMAIL_CHARS),
  password: z.string().min(MIN_PASSWORD_CHARS, `at least ${MIN_PASSWORD_CHARS} characters`).max(MAX_PASSWORD_CHARS),
});
export const signInBody = z.strictObject({
  email: z.string().trim().min(1).max(MAX_EMAIL_CHARS),
  password: z.string().min(1).max(MAX_PASSWORD_CHARS),
});

export function accountRoutes(deps: AppDeps): Hono {
  const r = new Hono();
  const limiter = new LoginLimiter();

  r.post('/sign-up', async (c) => {
    requireSameOrigin(c);
    const b = await readBody(c, signUpBody);
    limiter.take(null, clientAddress(c), deps.clock.now());
    const made = await signUp(deps.db, b, deps.clock.now());
    if (!made.ok) throw new ApiError('conflict', 'an account with this email exists; sign in instead');
    const session = await createSession(deps.db, made.account, deps.clock.now());
    writeSessionCookie(c, session.token);
    const data = { account_id: made.account.id, email: made.account.email, tenant_id: made.account.tenantId, admin: made.account.isAdmin, csrf_token: await csrfTokenFor(session.token) };
    return c.json({ data }, 201);
  });

  r.post('/sign-in', async (c) => {
    requireSameOrigin(c);
    const b = await readBody(c, signInBody);
    limiter.take(normalizeEmail(b.email), clientAddress(c), deps.clock.now());
    const account = await checkCredentials(deps.db, b.email, b.password);
    if (account === null) throw new ApiError('unauthorized', 'wrong email or password');
    const session = await createSession(deps.db, account, deps.clock.now());
    writeSessionCookie(c, session.token);
    const data = { account_id: account.id, email: account.email, tenant_id: account.tenantId, admin: account.isAdmin, csrf_token: await csrfTokenFor(session.token) };
    return c.json({ data });
  });

  r.post('/sign-out', async (c) => {
    const token = readSessionCookie(c);
    if (token !== undefined && (await findSession(deps.db, token, deps.clock.now())) !== null) {
      await requireCsrf(c, token);
      await deleteSession(deps.db, token);
    }
    clearSessionCookie(c);
    return c.body(null, 204);
  });

  r.get('/session', async (c) => {
    const token = readSessionCookie(c);
    const session = token === undefined ? null : await findSession(deps.db, token, deps.clock.now());
    if (token === undefined || session === null) throw new ApiError('unauthorized', 'not signed in');
    const [account] = await deps.db.select({ isAdmin: accounts.isAdmin }).from(accounts).where(eq(accounts.id, session.accountId)).limit(1);
    const data = { account_id: session.accountId, tenant_id: session.tenantId, admin: account?.isAdmin === true, csrf_token: await csrfTokenFor(token) };
    return c.json({ data });
  });

  return r;
}
