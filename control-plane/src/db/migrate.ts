import { sql } from 'drizzle-orm';
import { integer, sqliteTable, text } from 'drizzle-orm/sqlite-core';
import type { Db } from './db.ts';
import type { Migration } from './embed-migrations.ts';
import { MIGRATIONS } from './migrations.gen.ts';

/**
 * Applies the migrations not applied yet, each as one `db.batch` (atomic on
 * D1 and libsql) that also records its tag. Safe when two processes or
 * isolates start at once: the loser's batch fails on the tag's primary key
 * (or an existing table) and rolls back; it then finds the tag recorded.
 * Returns the tags it applied.
 */
/**
 * The applied-migrations table. Declared here, not in schema.ts, so drizzle-kit does not
 * generate it: it must exist before the first migration runs.
 */
const runnelMigrations = sqliteTable('_runnel_migrations', {
  tag: text('tag').primaryKey(),
  appliedAt: integer('applied_at').notNull(),
});

export async function applyMigrations(db: Db, nowMs: number, migrations: readonly Migration[] = MIGRATIONS): Promise<string[]> {
  await db.run(sql`CREATE TABLE IF NOT EXISTS _runnel_migrations (tag TEXT PRIMARY KEY NOT NULL, applied_at INTEGER NOT NULL)`);
  const applied = new Set(await appliedTags(db));
  const done: string[] = [];
  for (const m of migrations) {
    if (applied.has(m.tag)) continue;
    try {
      await db.batch([
        // A query builder, not db.run(sql`...${param}`): drizzle's D1 batch cannot bind
        // parameters of raw statements (it reads `.stmt` they do not have).
        db.insert(runnelMigrations).values({ tag: m.tag, appliedAt: nowMs }),
        ...m.statements.map((s) => db.run(sql.raw(s))),
      ]);
      done.push(m.tag);
    } catch (e) {
      if (!(await appliedTags(db)).includes(m.tag)) throw e;
    }
  }
  return done;
}

async function appliedTags(db: Db): Promise<string[]> {
  const rows = await db.select({ tag: runnelMigrations.tag }).from(runnelMigrations);
  return rows.map((r) => r.tag);
}
