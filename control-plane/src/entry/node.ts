import { mkdirSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { dirname } from 'node:path';
import { serve } from '@hono/node-server';
import { createClient } from '@libsql/client';
import { drizzle } from 'drizzle-orm/libsql';
import { createApp } from '../app.ts';
import { applyMigrations } from '../db/migrate.ts';
import { localDirHlsStorage } from './hls-files.ts';
import { hlsDeliveryFor } from '../hls/delivery.ts';
import * as schema from '../db/schema.ts';
import { EnvError, parseNodeEnv } from '../env.ts';
import type { NodeEntryConfig } from '../env.ts';
import { ensureBootstrapKey } from '../services/api-keys.ts';
import { systemClock } from '../services/clock.ts';
import { consoleLogger } from '../services/logger.ts';
import type { Logger } from '../services/logger.ts';
import { sweepStaleNodes } from '../services/nodes.ts';
import { TokenBucketLimiter } from '../services/rate-limiter.ts';
import { DEFAULT_DISPATCH } from '../webhooks/dispatcher.ts';
import { startWebhookLoop, WEBHOOK_LOOP_EVERY_MS } from '../webhooks/loop.ts';
import { nodeWebhookFetch } from './node-webhook-fetch.ts';
import { localDirRecordings } from './recording-files.ts';

/**
 * The control plane on Node: an embedded SQLite file through libsql,
 * migrations applied at start, served by @hono/node-server.
 *
 *   RUNNEL_NODE_TOKEN=... node control-plane/src/entry/node.ts
 */

/** How often lost nodes are looked for when no request does it; one default heartbeat. */
const SWEEP_EVERY_MS = 5000;

export interface RunningControlPlane {
  readonly url: string;
  readonly port: number;
  close(): Promise<void>;
}

/** A path becomes a `file:` URL (its directory created); URLs and `:memory:` pass through. */
function libsqlUrl(dbFile: string): string {
  if (dbFile === ':memory:' || /^(file|libsql|https?|wss?):/.test(dbFile)) return dbFile;
  mkdirSync(dirname(dbFile), { recursive: true });
  return `file:${dbFile}`;
}

export interface NodeEntryOptions {
  /** Serve `/hls/{playback_id}/...` from this local HLS directory (the one-machine platform, hls/delivery.ts). */
  readonly hlsDir?: string;
  /** Serve recordings' files (`/v1/recordings/{id}/file`) from this local DVR directory (the one-machine platform). */
  readonly dvrDir?: string;
}

export async function startControlPlane(config: NodeEntryConfig, log: Logger = consoleLogger, options: NodeEntryOptions = {}): Promise<RunningControlPlane> {
  const client = createClient({ url: libsqlUrl(config.dbFile) });
  // D1 enforces foreign keys; SQLite only when asked, per connection.
  await client.execute('PRAGMA foreign_keys = ON');
  const db = drizzle(client, { schema });
  const applied = await applyMigrations(db, systemClock.now());
  if (applied.length > 0) log.info('migrations applied', { applied });
  if (config.app.bootstrapApiKey !== undefined) {
    const b = await ensureBootstrapKey(db, config.app.bootstrapApiKey, systemClock.now());
    if (b.created) log.info('bootstrap tenant created for RUNNEL_BOOTSTRAP_API_KEY', { tenant_id: b.tenantId });
  }

  const deps = {
    db,
    config: config.app,
    clock: systemClock,
    log,
    rateLimiter: new TokenBucketLimiter(config.app.rateLimit),
    ...(options.dvrDir === undefined ? {} : { localRecordings: localDirRecordings(options.dvrDir) }),
  };
  const app = createApp(deps);
  const sweeper = setInterval(() => {
    sweepStaleNodes(db, systemClock.now()).then(
      (lost) => lost.length > 0 && log.info('nodes lost', { nodes: lost }),
      (e: unknown) => log.error('node sweep failed', { error: String(e) }),
    );
  }, SWEEP_EVERY_MS);
  sweeper.unref();
  const allowInsecure = config.app.webhookAllowInsecure;
  const dispatch = { ...DEFAULT_DISPATCH, allowInsecureUrls: allowInsecure, fetch: nodeWebhookFetch({ allowPrivate: allowInsecure }) };
  const webhooks = startWebhookLoop(db, systemClock, log, WEBHOOK_LOOP_EVERY_MS, dispatch);

  const server = await new Promise<ReturnType<typeof serve>>((resolve) => {
    const hls = options.hlsDir === undefined ? null : hlsDeliveryFor(deps, localDirHlsStorage(options.hlsDir));
    const fetch = hls === null ? app.fetch : async (req: Request) => (await hls(req)) ?? app.fetch(req);
    const s = serve({ fetch, port: config.port, hostname: config.host }, () => resolve(s));
  });
  const port = (server.address() as AddressInfo).port;
  const url = `http://${config.host.includes(':') ? `[${config.host}]` : config.host}:${port}`;
  log.info('control plane listening', { url, db: config.dbFile });

  return {
    url,
    port,
    close: async () => {
      clearInterval(sweeper);
      await webhooks.stop();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      client.close();
    },
  };
}

async function main(): Promise<void> {
  let config: NodeEntryConfig;
  try {
    config = parseNodeEnv(process.env);
  } catch (e) {
    if (!(e instanceof EnvError)) throw e;
    process.stderr.write(`${e.message}\n`);
    process.exit(2);
  }
  const running = await startControlPlane(config);
  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    process.once(signal, () => {
      running.close().then(() => process.exit(0), () => process.exit(1));
    });
  }
}

if (import.meta.main) await main();
