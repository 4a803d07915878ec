import { eq, sql } from 'drizzle-orm';
import type { Db } from '../db/db.ts';
import { accounts, tenants } from '../db/schema.ts';
import type { AccountRow } from '../db/schema.ts';
import { newId, randomChars } from '../services/ids.ts';
import { decoyHash, hashPassword, verifyPassword } from './password.ts';

/**
 * Accounts: sign-up makes a tenant and its one account in one batch (D1 has
 * no interactive transactions); sign-in checks the password.
 *
 * Admins (operators): the first account of a deployment is one, decided in
 * the INSERT itself so two racing first sign-ups cannot both win (SQLite and
 * D1 run writes one at a time). Self-hosted servers do the same (Grafana,
 * Mattermost, Gitea): whoever deploys signs up first. More admins, or a
 * different one, are set with the admin token (`POST /admin/accounts/admin`).
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
  const fields = {
    id: `acct_${randomChars(ACCOUNT_ID_CHARS)}`,
    tenantId,
    email,
    passwordHash: await hashPassword(input.password),
    createdAt: nowMs,
  };
  let account: AccountRow;
  try {
    const [, inserted] = await db.batch([
      db.insert(tenants).values({ id: tenantId, name: email, createdAt: nowMs }),
      db
        .insert(accounts)
        .values({ ...fields, isAdmin: sql`(NOT EXISTS (SELECT 1 FROM ${accounts}))` })
        .returning(),
    ]);
    account = inserted[0];
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

export type SetAdminResult = { readonly ok: true; readonly account: AccountRow } | { readonly ok: false; readonly reason: 'no_such_account' };

/** Makes the account with this email an admin (or not). */
export async function setAdmin(db: Db, email: string, admin: boolean): Promise<SetAdminResult> {
  const [row] = await db.update(accounts).set({ isAdmin: admin }).where(eq(accounts.email, normalizeEmail(email))).returning();
  return row === undefined ? { ok: false, reason: 'no_such_account' } : { ok: true, account: row };
}
