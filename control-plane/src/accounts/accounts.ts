import { eq } from 'drizzle-orm';
import type { Db } from '../db/db.ts';
import { accounts, tenants } from '../db/schema.ts';
import type { AccountRow } from '../db/schema.ts';
import { newId, randomChars } from '../services/ids.ts';
import { decoyHash, hashPassword, verifyPassword } from './password.ts';

/**
 * Accounts: sign-up makes a tenant and its one account in one batch (D1 has
 * no interactive transactions); sign-in checks the password.
 */

/** Account ids: `acct_` + 26 random characters (130 bits), like the other ids but not time-sortable (never listed). */
const ACCOUNT_ID_CHARS = 26;

export const normalizeEmail = (email: string): string => email.trim().toLowerCase();

export async function findAccountByEmail(db: Db, email: string): Promise<AccountRow | null> {
  const [row] = await db.select().from(accounts).where(eq(accounts.email, normalizeEmail(email))).limit(1);
  return row ?? null;
}

export type SignUpResult = { readonly ok: true; readonly account: AccountRow } | { readonly ok: false; readonly reason: 'email_taken' };

export async function signUp(db: Db, input: { email: string; password: string }, nowMs: number): Promise<SignUpResult> {
  const email = normalizeEmail(input.email);
  if ((await findAccountByEmail(db, email)) !== null) return { ok: false, reason: 'email_taken' };
  const tenantId = newId('tn', nowMs);
  const account: AccountRow = {
    id: `acct_${randomChars(ACCOUNT_ID_CHARS)}`,
    tenantId,
    email,
    passwordHash: await hashPassword(input.password),
    createdAt: nowMs,
  };
  try {
    await db.batch([db.insert(tenants).values({ id: tenantId, name: email, createdAt: nowMs }), db.insert(accounts).values(account)]);
  } catch (e) {
    // A sign-up with the same email won the unique index between our check and our batch (which rolled back).
    if ((await findAccountByEmail(db, email)) !== null) return { ok: false, reason: 'email_taken' };
    throw e;
  }
  return { ok: true, account };
}

/** The account when email and password match; null otherwise, after the same amount of hashing either way. */
export async function checkCredentials(db: Db, email: string, password: string): Promise<AccountRow | null> {
  const account = await findAccountByEmail(db, email);
  if (account === null) {
    await verifyPassword(password, await decoyHash());
    return null;
  }
  return (await verifyPassword(password, account.passwordHash)) ? account : null;
}
