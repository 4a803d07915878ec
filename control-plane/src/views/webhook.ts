import type { WebhookDeliveryRow, WebhookEndpointRow } from '../db/schema.ts';
import { iso } from './time.ts';

/** An endpoint as lists show it: never the secret (it is in the create answer only). */
export function webhookEndpointView(row: WebhookEndpointRow) {
  return { id: row.id, url: row.url, events: row.events, enabled: row.enabled, created_at: iso(row.createdAt) };
}

export function webhookDeliveryView(row: WebhookDeliveryRow) {
  return {
    id: row.id,
    endpoint_id: row.endpointId,
    event_id: row.eventId,
    event_type: row.eventType,
    status: row.status,
    attempts: row.attempts,
    next_attempt_at: iso(row.nextAttemptAt),
    last_status_code: row.lastStatusCode,
    last_error: row.lastError,
    created_at: iso(row.createdAt),
    delivered_at: iso(row.deliveredAt),
  };
}
