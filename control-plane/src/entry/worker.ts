import { drizzle } from 'drizzle-orm/d1';
import type { Hono } from 'hono';
import { z } from 'zod';
import { createApp } from '../app.ts';
import type { Db } from '../db/db.ts';
import { applyMigrations } from '../db/migrate.ts';
import * as schema from '../db/schema.ts';
import { EnvError, parseAppEnv } from '../env.ts';
import type { AppConfig } from '../env.ts';
import { hlsDeliveryFor } from '../hls/delivery.ts';
import type { HlsHandler } from '../hls/delivery.ts';
import type { EdgeCache } from '../hls/edge-cache.ts';
import { r2HlsStorage } from '../hls/r2-storage.ts';
import type { R2BucketLike } from '../hls/r2-storage.ts';
import { ensureBootstrapKey } from '../services/api-keys.ts';
import { systemClock } from '../services/clock.ts';
import { consoleLogger } from '../services/logger.ts';
import { sweepStaleNodes } from '../services/nodes.ts';
import { TokenBucketLimiter } from '../services/rate-limiter.ts';
import { RATE_LIMIT_PERIODS_S, WorkersRateLimiter } from '../services/workers-rate-limiter.ts';
import type { RateLimitBinding } from '../services/workers-rate-limiter.ts';
import { problemResponse } from '../http/error-handler.ts';
import { DEFAULT_DISPATCH } from '../webhooks/dispatcher.ts';
import { runWebhookWork } from '../webhooks/loop.ts';

/**
 * The control plane on Cloudflare Workers with D1 (wrangler.toml). The
 * first request of an isolate parses the env, applies pending migrations and
 * makes sure the bootstrap key exists; later requests reuse the app. The
 * cron trigger sweeps lost media nodes when no request does, and sends due webhooks.
 * With an `HLS_BUCKET` binding, `/hls/...` is served from that bucket
 * through the edge cache (hls/delivery.ts): the CDN of the design.
 */

type D1Binding = Parameters<typeof drizzle>[0];

const hasMethod = (name: string) => (v: unknown) => typeof v === 'object' && v !== null && typeof (v as Record<string, unknown>)[name] === 'function';

const bindingsSchema = z.object({
  DB: z.custom<D1Binding>(hasMethod('prepare'), 'a D1 binding (see wrangler.toml)'),
  /** The bucket the nodes push HLS to; without it `/hls` is not served here (a CDN in front of the bucket does it). */
  HLS_BUCKET: z.custom<R2BucketLike>(hasMethod('get'), 'an R2 bucket binding (see wrangler.toml)').optional(),
  /** The nodes' `storage.s3.prefix`: '' or a path ending in '/'. */
  RUNNEL_HLS_BUCKET_PREFIX: z
    .string()
    .regex(/^(?:[A-Za-z0-9_.-]+\/)*$/, "empty, or path segments each ending in '/' (the nodes' storage.s3.prefix)")
    .default(''),
  /** Per-key API budgets kept by Cloudflare across isolates; without it each isolate's token bucket limits bursts only. */
  RATE_LIMITER: z.custom<RateLimitBinding>(hasMethod('limit'), 'a Rate Limiting binding (see wrangler.toml [[ratelimits]])').optional(),
  /** The `period` of that binding in wrangler.toml, for Retry-After. */
  RUNNEL_RATE_LIMIT_PERIOD_S: z.enum(RATE_LIMIT_PERIODS_S.map(String) as ['10', '60']).default('10').transform(Number),
});

interface Runtime {
  readonly app: Hono;
  readonly db: Db;
  readonly config: AppConfig;
  readonly hls: HlsHandler | null;
}

/** Minimal Workers types (no @cloudflare/workers-types here): what this entry touches. */
interface ExecutionContextLike {
  waitUntil(p: Promise<unknown>): void;
}

/** The Workers Cache API: `caches.default` is the data center's edge cache. */
function edgeCache(): EdgeCache | undefined {
  return (globalThis as { caches?: { default?: EdgeCache } }).caches?.default;
}

let runtime: Promise<Runtime> | null = null;

async function boot(env: Readonly<Record<string, unknown>>): Promise<Runtime> {
  const config = parseAppEnv(env);
  const bindings = bindingsSchema.safeParse(env);
  if (!bindings.success) {
    const issue = bindings.error.issues[0];
    throw new EnvError(`invalid bindings: ${issue?.path.join('.')}: ${issue?.message}`);
  }
  const db = drizzle(bindings.data.DB, { schema }) as unknown as Db;
  await applyMigrations(db, systemClock.now());
  if (config.bootstrapApiKey !== undefined) await ensureBootstrapKey(db, config.bootstrapApiKey, systemClock.now());
  const { HLS_BUCKET, RUNNEL_HLS_BUCKET_PREFIX, RATE_LIMITER, RUNNEL_RATE_LIMIT_PERIOD_S } = bindings.data;
  const bucket = new TokenBucketLimiter(config.rateLimit);
  const rateLimiter =
    RATE_LIMITER === undefined ? bucket : new WorkersRateLimiter({ binding: RATE_LIMITER, periodS: RUNNEL_RATE_LIMIT_PERIOD_S, fallback: bucket, log: consoleLogger });
  const deps = { db, config, clock: systemClock, log: consoleLogger, rateLimiter };
  const hls = HLS_BUCKET === undefined ? null : hlsDeliveryFor(deps, r2HlsStorage(HLS_BUCKET, RUNNEL_HLS_BUCKET_PREFIX), edgeCache());
  return { app: createApp(deps), db, config, hls };
}

/** One boot per isolate; a failed boot is retried by the next request instead of being cached. */
function getRuntime(env: Readonly<Record<string, unknown>>): Promise<Runtime> {
  runtime ??= boot(env).catch((e: unknown) => {
    runtime = null;
    throw e;
  });
  return runtime;
}

export default {
  async fetch(request: Request, env: Record<string, unknown>, ctx: ExecutionContextLike): Promise<Response> {
    let rt: Runtime;
    try {
      rt = await getRuntime(env);
    } catch (e) {
      consoleLogger.error('control plane failed to start', { error: String(e), stack: (e as Error).stack });
      return problemResponse('internal', e instanceof EnvError ? 'the control plane is misconfigured; see its logs' : 'the control plane failed to start');
    }
    const hls = rt.hls === null ? null : await rt.hls(request, (p) => ctx.waitUntil(p));
    return hls ?? rt.app.fetch(request, env, ctx as never);
  },

  async scheduled(_controller: unknown, env: Record<string, unknown>): Promise<void> {
    const rt = await getRuntime(env);
    const lost = await sweepStaleNodes(rt.db, systemClock.now());
    if (lost.length > 0) consoleLogger.info('nodes lost', { nodes: lost });
    // Idle streams and the webhook outbox: each cron run sends what is due (webhooks/loop.ts).
    await runWebhookWork(rt.db, systemClock, consoleLogger, { ...DEFAULT_DISPATCH, allowInsecureUrls: rt.config.webhookAllowInsecure });
  },
};
