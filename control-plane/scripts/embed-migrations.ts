// Writes src/db/migrations.gen.ts from migrations/ (run after `drizzle-kit generate`).
import { readFileSync, writeFileSync } from 'node:fs';
import { migrationsFromFolder, renderMigrationsModule } from '../src/db/embed-migrations.ts';

const dir = new URL('../migrations/', import.meta.url);
const migrations = migrationsFromFolder(readFileSync(new URL('meta/_journal.json', dir), 'utf8'), (tag) =>
  readFileSync(new URL(`${tag}.sql`, dir), 'utf8'),
);
writeFileSync(new URL('../src/db/migrations.gen.ts', import.meta.url), renderMigrationsModule(migrations));
process.stdout.write(`embedded ${migrations.length} migration(s)\n`);
