import { createClient } from '@libsql/client';
import { drizzle } from 'drizzle-orm/libsql';
import type { Hono } from 'hono';
import { createApp } from '../app.ts';
import type { Db } from '../db/db.ts';
import type { AppDeps } from '../deps.ts';
import { applyMigrations } from '../db/migrate.ts';
import * as schema from '../db/schema.ts';
import type { AppConfig } from '../env.ts';
import { createTenantWithKey } from '../services/api-keys.ts';
import { ManualClock } from '../services/clock.ts';
import { RecordingLogger } from '../services/logger.ts';
import { TokenBucketLimiter } from '../services/rate-limiter.ts';

/**
 * The app on Node with a fresh in-memory libsql database, a manual clock and
 * a recording logger: what every route test starts from.
 */

export const NODE_TOKEN = 'node-token-0123456789abcdefghijklmnopqrstuv';
export const ADMIN_TOKEN = 'admin-token-0123456789abcdefghijklmnopqrstu';
export const PLAYBACK_KEY = { kid: 'pk1', secret: 'playback-secret-0123456789abcdefghijkl' };
export const T0 = Date.UTC(2026, 0, 1);

export const testConfig: AppConfig = {
  nodeToken: NODE_TOKEN,
  adminToken: ADMIN_TOKEN,
  bootstrapApiKey: undefined,
  hlsBaseUrl: 'https://cdn.example.com/hls',
  playbackKeys: [PLAYBACK_KEY],
  maxBodyBytes: 4096,
  rateLimit: { perSecond: 1000, burst: 1000 },
  webhookAllowInsecure: false,
};

export interface Harness {
  readonly app: Hono;
  readonly db: Db;
  readonly clock: ManualClock;
  readonly log: RecordingLogger;
  close(): void;
}

export async function openDb(url = ':memory:'): Promise<{ db: Db; close: () => void }> {
  const client = createClient({ url });
  // SQLite leaves foreign keys off unless asked; D1 has them on.
  await client.execute('PRAGMA foreign_keys = ON');
  const db = drizzle(client, { schema });
  return { db, close: () => client.close() };
}

export async function harness(config: Partial<AppConfig> = {}, extra: Pick<AppDeps, 'localRecordings'> = {}): Promise<Harness> {
  const { db, close } = await openDb();
  const clock = new ManualClock(T0);
  await applyMigrations(db, clock.now());
  const log = new RecordingLogger();
  const cfg = { ...testConfig, ...config };
  const app = createApp({ db, config: cfg, clock, log, rateLimiter: new TokenBucketLimiter(cfg.rateLimit), ...extra });
  return { app, db, clock, log, close };
}

export async function newTenant(h: Harness, name = 'acme'): Promise<{ tenantId: string; key: string }> {
  const made = await createTenantWithKey(h.db, { name }, h.clock.now());
  return { tenantId: made.tenantId, key: made.key };
}

/** A JSON request to the app; `auth` is the bearer token. */
export async function call(h: Harness, method: string, path: string, opts: { auth?: string; body?: unknown; headers?: Record<string, string> } = {}) {
  const headers: Record<string, string> = { ...opts.headers };
  if (opts.auth !== undefined) headers.authorization = `Bearer ${opts.auth}`;
  let body: string | undefined;
  if (opts.body !== undefined) {
    body = typeof opts.body === 'string' ? opts.body : JSON.stringify(opts.body);
    headers['content-type'] ??= 'application/json';
  }
  const res = await h.app.request(path, { method, headers, body });
  const text = await res.text();
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  const json: any = text === '' ? null : JSON.parse(text);
  return { status: res.status, headers: res.headers, json };
}
