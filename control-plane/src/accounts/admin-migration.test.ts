import { sql } from 'drizzle-orm';
import { afterEach, expect, it } from 'vitest';
import { applyMigrations } from '../db/migrate.ts';
import { MIGRATIONS } from '../db/migrations.gen.ts';
import { openDb } from '../testing/harness.ts';

/** Migration 0003 on a deployment that already has accounts: the oldest one becomes the admin, nobody else. */

let close: () => void = () => {};
afterEach(() => close());

it('makes the oldest existing account the admin when 0003 is applied', async () => {
  const opened = await openDb();
  close = opened.close;
  const { db } = opened;
  const at = MIGRATIONS.findIndex((m) => m.tag === '0003_account_admin');
  expect(at).toBeGreaterThan(0);
  await applyMigrations(db, 0, MIGRATIONS.slice(0, at));
  await db.run(sql`INSERT INTO tenants (id, name, created_at) VALUES ('tn_a', 'a', 1), ('tn_b', 'b', 1), ('tn_c', 'c', 1)`);
  // Inserted out of age order: the rule is the oldest created_at, not the first row.
  await db.run(
    sql`INSERT INTO accounts (id, tenant_id, email, password_hash, created_at) VALUES ('acct_b', 'tn_b', 'b@x.io', 'h', 200), ('acct_a', 'tn_a', 'a@x.io', 'h', 100), ('acct_c', 'tn_c', 'c@x.io', 'h', 300)`,
  );
  expect(await applyMigrations(db, 0)).toContain('0003_account_admin');
  const rows = await db.all<{ id: string; is_admin: number }>(sql`SELECT id, is_admin FROM accounts ORDER BY id`);
  expect(rows.map((r) => [r.id, r.is_admin])).toEqual([
    ['acct_a', 1],
    ['acct_b', 0],
    ['acct_c', 0],
  ]);
});
