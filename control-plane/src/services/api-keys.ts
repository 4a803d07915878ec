import { and, desc, eq, lt } from 'drizzle-orm';
import { toHex } from '@runnel/shared';
import { sha256 } from '@runnel/shared/constant-time-equal';
import type { Db } from '../db/db.ts';
import { apiKeys, tenants } from '../db/schema.ts';
import type { ApiKeyRow } from '../db/schema.ts';
import { newApiKey, newId } from './ids.ts';

/**
 * Tenant API keys: `rnl_` + 40 random characters, shown once at creation and
 * stored only as a SHA-256 hash (a random 200-bit key needs no slow hash:
 * nobody can brute-force it, unlike a password). Lists show a prefix.
 */

export type ApiKeyPermission = ApiKeyRow['permission'];

/** `rnl_` + 8 characters: enough to tell keys apart, 40 bits short of being useful to an attacker. */
const PREFIX_CHARS = 12;
/** `last_used_at` is refreshed at most this often, so a busy key does not cost a write per request. */
export const LAST_USED_RESOLUTION_MS = 60_000;

export async function hashApiKey(key: string): Promise<string> {
  return toHex(await sha256(key));
}

export interface CreatedApiKey {
  readonly row: ApiKeyRow;
  /** The only time the whole key is available. */
  readonly key: string;
}

export async function createApiKey(
  db: Db,
  input: { tenantId: string; name: string; permission: ApiKeyPermission; key?: string },
  nowMs: number,
): Promise<CreatedApiKey> {
  const key = input.key ?? newApiKey();
  const row: ApiKeyRow = {
    id: newId('key', nowMs),
    tenantId: input.tenantId,
    name: input.name,
    prefix: key.slice(0, PREFIX_CHARS),
    hash: await hashApiKey(key),
    permission: input.permission,
    createdAt: nowMs,
    lastUsedAt: null,
    revokedAt: null,
  };
  await db.insert(apiKeys).values(row);
  return { row, key };
}

/** The key's row when it is known and not revoked; refreshes `last_used_at`. */
export async function authenticateApiKey(db: Db, presented: string, nowMs: number): Promise<ApiKeyRow | null> {
  const [row] = await db.select().from(apiKeys).where(eq(apiKeys.hash, await hashApiKey(presented))).limit(1);
  if (row === undefined || row.revokedAt !== null) return null;
  if (row.lastUsedAt === null || nowMs - row.lastUsedAt >= LAST_USED_RESOLUTION_MS) {
    await db.update(apiKeys).set({ lastUsedAt: nowMs }).where(eq(apiKeys.id, row.id));
    return { ...row, lastUsedAt: nowMs };
  }
  return row;
}

export async function listApiKeys(db: Db, tenantId: string, page: { limit: number; before?: string }): Promise<ApiKeyRow[]> {
  const where = page.before === undefined ? eq(apiKeys.tenantId, tenantId) : and(eq(apiKeys.tenantId, tenantId), lt(apiKeys.id, page.before));
  return db.select().from(apiKeys).where(where).orderBy(desc(apiKeys.id)).limit(page.limit);
}

/** Revokes at once (the next request with it is 401). Null when the tenant has no such key. */
export async function revokeApiKey(db: Db, tenantId: string, id: string, nowMs: number): Promise<ApiKeyRow | null> {
  const [row] = await db
    .update(apiKeys)
    .set({ revokedAt: nowMs })
    .where(and(eq(apiKeys.tenantId, tenantId), eq(apiKeys.id, id)))
    .returning();
  return row ?? null;
}

/** Creates a tenant with its first key. One batch: the tenant never exists without a key. */
export async function createTenantWithKey(db: Db, input: { name: string; key?: string }, nowMs: number): Promise<{ tenantId: string } & CreatedApiKey> {
  const tenantId = newId('tn', nowMs);
  const key = input.key ?? newApiKey();
  const row: ApiKeyRow = {
    id: newId('key', nowMs),
    tenantId,
    name: 'first key',
    prefix: key.slice(0, PREFIX_CHARS),
    hash: await hashApiKey(key),
    permission: 'read_write',
    createdAt: nowMs,
    lastUsedAt: null,
    revokedAt: null,
  };
  await db.batch([db.insert(tenants).values({ id: tenantId, name: input.name, createdAt: nowMs }), db.insert(apiKeys).values(row)]);
  return { tenantId, row, key };
}

/**
 * Makes sure `key` (RUNNEL_BOOTSTRAP_API_KEY) works: when no key has its hash
 * yet, creates a `default` tenant holding it. Idempotent across restarts.
 */
export async function ensureBootstrapKey(db: Db, key: string, nowMs: number): Promise<{ created: boolean; tenantId: string }> {
  const [existing] = await db.select().from(apiKeys).where(eq(apiKeys.hash, await hashApiKey(key))).limit(1);
  if (existing !== undefined) return { created: false, tenantId: existing.tenantId };
  try {
    const made = await createTenantWithKey(db, { name: 'default', key }, nowMs);
    return { created: true, tenantId: made.tenantId };
  } catch (e) {
    // Another process or isolate bootstrapped first: its batch won the unique hash, ours rolled back.
    const [winner] = await db.select().from(apiKeys).where(eq(apiKeys.hash, await hashApiKey(key))).limit(1);
    if (winner === undefined) throw e;
    return { created: false, tenantId: winner.tenantId };
  }
}
