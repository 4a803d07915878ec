import { defineConfig } from 'drizzle-kit';

// `npm run db:generate -w control-plane` turns schema changes into a new SQL
// migration here; both entries apply the folder (through src/db/migrations.gen.ts).
export default defineConfig({
  dialect: 'sqlite',
  schema: './src/db/schema.ts',
  out: './migrations',
});
