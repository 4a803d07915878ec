import { and, count, desc, eq, lt } from 'drizzle-orm';
import type { Db } from '../db/db.ts';
import { webhookDeliveries, webhookEndpoints } from '../db/schema.ts';
import type { WebhookDeliveryRow, WebhookEndpointRow } from '../db/schema.ts';
import { newId, randomChars } from '../services/ids.ts';
import { TEST_EVENT_TYPE, envelope } from './events.ts';
import type { StreamEventType } from './events.ts';

/**
 * A tenant's webhook endpoints and their deliveries. Every query is scoped by
 * tenant id, so another tenant's endpoint is simply not found.
 */

/** Endpoints per tenant; Stripe allows 16. Each event is one delivery per endpoint, so this bounds the fan-out. */
export const MAX_ENDPOINTS_PER_TENANT = 16;
/** `whsec_` + 32 x 5 = 160 bits: the HMAC key; shown once at creation. */
export const SECRET_CHARS = 32;

export interface EndpointInput {
  readonly url: string;
  readonly events: readonly StreamEventType[];
  readonly enabled: boolean;
}

export async function countEndpoints(db: Db, tenantId: string): Promise<number> {
  const [r] = await db.select({ n: count() }).from(webhookEndpoints).where(eq(webhookEndpoints.tenantId, tenantId));
  return r?.n ?? 0;
}

export async function createEndpoint(db: Db, tenantId: string, input: EndpointInput, nowMs: number): Promise<WebhookEndpointRow> {
  const row: WebhookEndpointRow = {
    id: newId('wh', nowMs),
    tenantId,
    url: input.url,
    secret: `whsec_${randomChars(SECRET_CHARS)}`,
    events: [...input.events],
    enabled: input.enabled,
    createdAt: nowMs,
  };
  await db.insert(webhookEndpoints).values(row);
  return row;
}

export async function getEndpoint(db: Db, tenantId: string, id: string): Promise<WebhookEndpointRow | null> {
  const [row] = await db
    .select()
    .from(webhookEndpoints)
    .where(and(eq(webhookEndpoints.tenantId, tenantId), eq(webhookEndpoints.id, id)))
    .limit(1);
  return row ?? null;
}

/** Newest first; `before` is the last id of the previous page. */
export async function listEndpoints(db: Db, tenantId: string, page: { limit: number; before?: string }): Promise<WebhookEndpointRow[]> {
  const mine = eq(webhookEndpoints.tenantId, tenantId);
  return db
    .select()
    .from(webhookEndpoints)
    .where(page.before === undefined ? mine : and(mine, lt(webhookEndpoints.id, page.before)))
    .orderBy(desc(webhookEndpoints.id))
    .limit(page.limit);
}

/** Deletes the endpoint and (foreign key cascade) its deliveries, sent or not. */
export async function deleteEndpoint(db: Db, tenantId: string, id: string): Promise<boolean> {
  const gone = await db
    .delete(webhookEndpoints)
    .where(and(eq(webhookEndpoints.tenantId, tenantId), eq(webhookEndpoints.id, id)))
    .returning({ id: webhookEndpoints.id });
  return gone.length > 0;
}

/** Queues a `webhook.test` event for this endpoint only, due now; filters do not apply. */
export async function enqueueTestEvent(db: Db, endpoint: WebhookEndpointRow, nowMs: number): Promise<WebhookDeliveryRow> {
  const eventId = newId('evt', nowMs);
  const payload = envelope({
    id: eventId,
    type: TEST_EVENT_TYPE,
    nowMs,
    tenantId: endpoint.tenantId,
    object: { type: 'webhook_endpoint', id: endpoint.id },
    data: { message: 'a test event from Runnel' },
    seq: 0,
  });
  const row: WebhookDeliveryRow = {
    id: newId('whd', nowMs),
    tenantId: endpoint.tenantId,
    endpointId: endpoint.id,
    eventId,
    eventType: TEST_EVENT_TYPE,
    payload: JSON.stringify(payload),
    status: 'pending',
    attempts: 0,
    nextAttemptAt: nowMs,
    lastStatusCode: null,
    lastError: null,
    createdAt: nowMs,
    deliveredAt: null,
  };
  await db.insert(webhookDeliveries).values(row);
  return row;
}

/** Deliveries of one endpoint (already checked to be the tenant's), newest first. */
export async function listDeliveries(db: Db, tenantId: string, endpointId: string, page: { limit: number; before?: string }): Promise<WebhookDeliveryRow[]> {
  const mine = and(eq(webhookDeliveries.tenantId, tenantId), eq(webhookDeliveries.endpointId, endpointId));
  return db
    .select()
    .from(webhookDeliveries)
    .where(page.before === undefined ? mine : and(mine, lt(webhookDeliveries.id, page.before)))
    .orderBy(desc(webhookDeliveries.id))
    .limit(page.limit);
}
