import type { BaseSQLiteDatabase } from 'drizzle-orm/sqlite-core';
import type { LibSQLDatabase } from 'drizzle-orm/libsql';
import type * as schema from './schema.ts';

export type Schema = typeof schema;

/**
 * The database the app is given: drizzle over D1 (Workers) or libsql (Node).
 * Both are async SQLite with `batch`, the one way we write several rows at
 * once (D1 has no interactive transactions; a batch is atomic on both).
 */
export type Db = BaseSQLiteDatabase<'async', unknown, Schema> & {
  batch: LibSQLDatabase<Schema>['batch'];
};
