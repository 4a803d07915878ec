import { and, eq, lt } from 'drizzle-orm';
import { toHex } from '@runnel/shared';
import { sha256 } from '@runnel/shared/constant-time-equal';
import type { Db } from '../db/db.ts';
import { accountSessions } from '../db/schema.ts';
import type { AccountRow, AccountSessionRow } from '../db/schema.ts';
import { randomChars } from '../services/ids.ts';
import { toBase64Url } from './base64url.ts';

/**
 * Browser sessions. The cookie holds a random 256-bit token; the table holds
 * its SHA-256 (a stolen database row does not sign anyone in). The CSRF
 * token of a session is derived from its token, so it needs no storage and
 * changes with each sign-in.
 */

/** Two weeks, then sign in again: the usual console default (Cloudflare and Mux keep sessions for days, not months). */
export const SESSION_LIFETIME_MS = 14 * 24 * 3600 * 1000;
const TOKEN_BYTES = 32;
const SESSION_ID_CHARS = 26;
/** Tokens are 43 base64url characters; a longer cookie is not one of ours and is not hashed. */
const MAX_TOKEN_CHARS = 64;

async function hashToken(token: string): Promise<string> {
  return toHex(await sha256(token));
}

export interface NewSession {
  readonly row: AccountSessionRow;
  /** Goes into the cookie; never stored. */
  readonly token: string;
}

export async function createSession(db: Db, account: AccountRow, nowMs: number): Promise<NewSession> {
  const token = toBase64Url(crypto.getRandomValues(new Uint8Array(TOKEN_BYTES)));
  const row: AccountSessionRow = {
    id: `as_${randomChars(SESSION_ID_CHARS)}`,
    accountId: account.id,
    tenantId: account.tenantId,
    tokenHash: await hashToken(token),
    createdAt: nowMs,
    expiresAt: nowMs + SESSION_LIFETIME_MS,
  };
  // Sign-in is a good moment to forget this account's expired sessions.
  await db.batch([
    db.delete(accountSessions).where(and(eq(accountSessions.accountId, account.id), lt(accountSessions.expiresAt, nowMs))),
    db.insert(accountSessions).values(row),
  ]);
  return { row, token };
}

/** The live session of a cookie token, or null (unknown, expired, malformed). */
export async function findSession(db: Db, token: string, nowMs: number): Promise<AccountSessionRow | null> {
  if (token.length === 0 || token.length > MAX_TOKEN_CHARS) return null;
  const [row] = await db.select().from(accountSessions).where(eq(accountSessions.tokenHash, await hashToken(token))).limit(1);
  if (row === undefined || row.expiresAt <= nowMs) return null;
  return row;
}

export async function deleteSession(db: Db, token: string): Promise<void> {
  if (token.length === 0 || token.length > MAX_TOKEN_CHARS) return;
  await db.delete(accountSessions).where(eq(accountSessions.tokenHash, await hashToken(token)));
}

/** The CSRF token pages send back in `x-runnel-csrf`: a hash of the session token under its own label. */
export async function csrfTokenFor(sessionToken: string): Promise<string> {
  return toHex(await sha256(`runnel-csrf:${sessionToken}`));
}
