import { readFileSync } from 'node:fs';
import { sql } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import { openDb } from '../testing/harness.ts';
import { migrationsFromFolder, renderMigrationsModule } from './embed-migrations.ts';
import { applyMigrations } from './migrate.ts';
import { MIGRATIONS } from './migrations.gen.ts';

const folder = new URL('../../migrations/', import.meta.url);

describe('migrations', () => {
  it('migrations.gen.ts is what scripts/embed-migrations.ts makes of the folder (run it after drizzle-kit generate)', () => {
    const fromFolder = migrationsFromFolder(readFileSync(new URL('meta/_journal.json', folder), 'utf8'), (tag) =>
      readFileSync(new URL(`${tag}.sql`, folder), 'utf8'),
    );
    expect(readFileSync(new URL('./migrations.gen.ts', import.meta.url), 'utf8')).toBe(renderMigrationsModule(fromFolder));
  });

  it('applies every migration once, then nothing', async () => {
    const { db, close } = await openDb();
    expect(await applyMigrations(db, 1)).toEqual(MIGRATIONS.map((m) => m.tag));
    expect(await applyMigrations(db, 2)).toEqual([]);
    const tables = await db.all<{ name: string }>(sql`SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name`);
    expect(tables.map((t) => t.name)).toEqual(
      expect.arrayContaining(['tenants', 'api_keys', 'live_streams', 'sessions', 'media_nodes', 'webhook_endpoints', 'webhook_deliveries', '_runnel_migrations']),
    );
    close();
  });

  it('rolls a failing migration back whole and does not record it', async () => {
    const { db, close } = await openDb();
    const broken = [{ tag: '9999_broken', statements: ['CREATE TABLE half (id TEXT)', 'THIS IS NOT SQL'] }];
    await expect(applyMigrations(db, 1, broken)).rejects.toThrow();
    const half = await db.all(sql`SELECT name FROM sqlite_master WHERE name = 'half'`);
    expect(half).toEqual([]);
    expect(await db.all(sql`SELECT tag FROM _runnel_migrations`)).toEqual([]);
    close();
  });

  it('treats a migration another process applied meanwhile as done', async () => {
    const { db, close } = await openDb();
    const m = [{ tag: '0001_x', statements: ['CREATE TABLE x (id TEXT)'] }];
    await applyMigrations(db, 1, m);
    // A second runner that read the applied set before the first one recorded its tag.
    let staleRead = true;
    const racing = new Proxy(db, {
      get(target, prop, receiver) {
        if (prop === 'select' && staleRead) {
          staleRead = false;
          return () => ({ from: async () => [] });
        }
        const v: unknown = Reflect.get(target, prop, receiver);
        return typeof v === 'function' ? v.bind(target) : v;
      },
    });
    expect(await applyMigrations(racing, 2, m)).toEqual([]);
    expect(staleRead).toBe(false);
    expect(await db.all(sql`SELECT tag, applied_at FROM _runnel_migrations`)).toEqual([{ tag: '0001_x', applied_at: 1 }]);
    close();
  });
});
