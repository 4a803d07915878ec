import { and, asc, eq, lte } from 'drizzle-orm';
import type { Db } from '../db/db.ts';
import { webhookDeliveries, webhookEndpoints } from '../db/schema.ts';
import type { WebhookDeliveryRow } from '../db/schema.ts';
import type { Clock } from '../services/clock.ts';
import { TEST_EVENT_TYPE } from './events.ts';
import { SIGNATURE_HEADER, signatureHeader } from './signature.ts';
import { webhookUrlProblem } from './url-safety.ts';

/**
 * Sends due outbox rows (outbox.ts): claim, POST the stored payload signed
 * with the endpoint's secret, record the answer. At least once: a row is
 * only `delivered` after a 2xx; anything else (other status, redirect,
 * network error, timeout) is retried with exponential backoff until
 * `maxAttempts`, then `failed`. Runs from the Node entry's loop and the
 * Workers cron; two runs at once (two isolates) do not send a row twice,
 * because a claim is a conditional UPDATE that only one of them wins.
 */

export interface DispatchOptions {
  /** Per request; a receiver should answer quickly and work after. Stripe waits 10-20 s. */
  readonly timeoutMs: number;
  /** Attempts before a delivery is `failed`. */
  readonly maxAttempts: number;
  /** Rows claimed per run: bounds one cron invocation's time (all sent in parallel). */
  readonly batchSize: number;
  /** Wait after the first failure; doubles per attempt. */
  readonly baseBackoffMs: number;
  readonly maxBackoffMs: number;
  /** RUNNEL_WEBHOOK_ALLOW_INSECURE: send to http and private addresses too (url-safety.ts). */
  readonly allowInsecureUrls: boolean;
  /** How a delivery is POSTed; the Node entry gives one that refuses private addresses at connect time. */
  readonly fetch?: WebhookFetch;
}

export interface WebhookRequest {
  readonly headers: Readonly<Record<string, string>>;
  readonly body: string;
  readonly signal: AbortSignal;
}

/**
 * POSTs one delivery and answers the receiver's status, having discarded its
 * body. Redirects are answers, never followed (the URL is the tenant's to
 * fix, as Stripe does; following one could also lead to a private address).
 */
export type WebhookFetch = (url: string, req: WebhookRequest) => Promise<{ readonly status: number }>;

/** The runtime's fetch (Workers: Cloudflare's network cannot reach private addresses). */
export const globalWebhookFetch: WebhookFetch = async (url, req) => {
  const res = await fetch(url, { method: 'POST', headers: req.headers, body: req.body, redirect: 'manual', signal: req.signal });
  await res.body?.cancel();
  return { status: res.status };
};

/** 10 attempts at 30 s doubling, capped at 6 h: the last one comes about 13 h after the event. */
export const DEFAULT_DISPATCH: DispatchOptions = {
  timeoutMs: 10_000,
  maxAttempts: 10,
  batchSize: 25,
  baseBackoffMs: 30_000,
  maxBackoffMs: 6 * 3600_000,
  allowInsecureUrls: false,
};

/** Extra lease past the timeout before another run may take a claimed row (its runner died mid-send). */
const CLAIM_MARGIN_MS = 30_000;
/** What we keep of an error message in `last_error`. */
const MAX_ERROR_CHARS = 200;

export interface DispatchReport {
  readonly delivered: number;
  readonly retrying: number;
  readonly failed: number;
}

/** Wait before attempt `attempts + 1`, after `attempts` failures (1-based). */
export function backoffMs(attempts: number, opts: Pick<DispatchOptions, 'baseBackoffMs' | 'maxBackoffMs'>): number {
  return Math.min(opts.maxBackoffMs, opts.baseBackoffMs * 2 ** Math.max(0, attempts - 1));
}

type Outcome = { readonly kind: 'delivered' | 'retry' | 'failed' };

export async function dispatchDue(db: Db, clock: Clock, opts: DispatchOptions = DEFAULT_DISPATCH): Promise<DispatchReport> {
  const now = clock.now();
  const due = await db
    .select({ id: webhookDeliveries.id, nextAttemptAt: webhookDeliveries.nextAttemptAt })
    .from(webhookDeliveries)
    .where(and(eq(webhookDeliveries.status, 'pending'), lte(webhookDeliveries.nextAttemptAt, now)))
    .orderBy(asc(webhookDeliveries.nextAttemptAt))
    .limit(opts.batchSize);
  const outcomes = await Promise.all(
    due.map(async (d) => {
      const [row] = await db
        .update(webhookDeliveries)
        .set({ nextAttemptAt: now + opts.timeoutMs + CLAIM_MARGIN_MS })
        .where(and(eq(webhookDeliveries.id, d.id), eq(webhookDeliveries.status, 'pending'), eq(webhookDeliveries.nextAttemptAt, d.nextAttemptAt ?? now)))
        .returning();
      return row === undefined ? null : deliver(db, clock, row, opts);
    }),
  );
  const count = (k: Outcome['kind']) => outcomes.filter((o) => o?.kind === k).length;
  return { delivered: count('delivered'), retrying: count('retry'), failed: count('failed') };
}

async function deliver(db: Db, clock: Clock, row: WebhookDeliveryRow, opts: DispatchOptions): Promise<Outcome> {
  const [endpoint] = await db.select().from(webhookEndpoints).where(eq(webhookEndpoints.id, row.endpointId)).limit(1);
  // The endpoint was switched off, or stopped wanting this type, after the event was queued: never sent.
  const unwanted =
    endpoint === undefined
      ? 'endpoint_deleted'
      : !endpoint.enabled
        ? 'endpoint_disabled'
        : row.eventType !== TEST_EVENT_TYPE && endpoint.events.length > 0 && !endpoint.events.includes(row.eventType)
          ? 'event_filtered'
          : null;
  // Checked again at send time: the endpoint may predate the rule, or the option was switched off since.
  const unsafe = endpoint === undefined ? null : webhookUrlProblem(endpoint.url, { allowInsecure: opts.allowInsecureUrls });
  if (unsafe !== null) {
    await db.update(webhookDeliveries).set({ status: 'failed', nextAttemptAt: null, lastError: `webhook_url_unsafe: ${unsafe}` }).where(eq(webhookDeliveries.id, row.id));
    return { kind: 'failed' };
  }
  if (unwanted !== null || endpoint === undefined) {
    await db.update(webhookDeliveries).set({ status: 'failed', nextAttemptAt: null, lastError: unwanted }).where(eq(webhookDeliveries.id, row.id));
    return { kind: 'failed' };
  }

  const attempts = row.attempts + 1;
  let statusCode: number | null = null;
  let error: string | null = null;
  try {
    const res = await (opts.fetch ?? globalWebhookFetch)(endpoint.url, {
      headers: {
        'content-type': 'application/json',
        'user-agent': 'Runnel-Webhooks/1',
        [SIGNATURE_HEADER]: await signatureHeader(endpoint.secret, row.payload, clock.now()),
        'runnel-event-id': row.eventId,
        'runnel-delivery-id': row.id,
      },
      body: row.payload,
      signal: AbortSignal.timeout(opts.timeoutMs),
    });
    statusCode = res.status;
    if (res.status < 200 || res.status > 299) error = `http_${res.status}`;
  } catch (e) {
    error = (e instanceof Error && (e.name === 'TimeoutError' || e.name === 'AbortError') ? 'timeout' : String(e)).slice(0, MAX_ERROR_CHARS);
  }

  const now = clock.now();
  if (error === null) {
    await db
      .update(webhookDeliveries)
      .set({ status: 'delivered', attempts, lastStatusCode: statusCode, lastError: null, nextAttemptAt: null, deliveredAt: now })
      .where(eq(webhookDeliveries.id, row.id));
    return { kind: 'delivered' };
  }
  const give = attempts >= opts.maxAttempts;
  await db
    .update(webhookDeliveries)
    .set({ status: give ? 'failed' : 'pending', attempts, lastStatusCode: statusCode, lastError: error, nextAttemptAt: give ? null : now + backoffMs(attempts, opts) })
    .where(eq(webhookDeliveries.id, row.id));
  return { kind: give ? 'failed' : 'retry' };
}
