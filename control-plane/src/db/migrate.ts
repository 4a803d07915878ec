import { sql } from 'drizzle-orm';
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
export async function applyMigrations(db: Db, nowMs: number, migrations: readonly Migration[] = MIGRATIONS): Promise<string[]> {
  await db.run(sql`CREATE TABLE IF NOT EXISTS _runnel_migrations (tag TEXT PRIMARY KEY NOT NULL, applied_at INTEGER NOT NULL)`);
  const applied = new Set(await appliedTags(db));
  const done: string[] = [];
  for (const m of migrations) {
    if (applied.has(m.tag)) continue;
    try {
      await db.batch([
        db.run(sql`INSERT INTO _runnel_migrations (tag, applied_at) VALUES (${m.tag}, ${nowMs})`),
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
  const rows = await db.all<{ tag: string }>(sql`SELECT tag FROM _runnel_migrations`);
  return rows.map((r) => r.tag);
}
