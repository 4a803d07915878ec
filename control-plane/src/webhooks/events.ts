import { iso } from '../views/time.ts';

/**
 * The events tenants can subscribe to (issue 4, "Webhooks to tenants"), and
 * the envelope every delivery carries. Stream events have a `seq` that grows
 * by one per event of that stream, so a receiver can order deliveries that
 * arrive out of order (retries) and drop duplicates (at-least-once).
 */

export const STREAM_EVENT_TYPES = [
  'stream.connected',
  'stream.active',
  'stream.disconnected',
  'stream.idle',
  'stream.key_rotated',
  'recording.ready',
] as const;

export type StreamEventType = (typeof STREAM_EVENT_TYPES)[number];

/** Sent by `POST /v1/webhook-endpoints/{id}/test` only; endpoint filters do not apply to it. */
export const TEST_EVENT_TYPE = 'webhook.test';

export type EventType = StreamEventType | typeof TEST_EVENT_TYPE;

export interface EventObject {
  readonly type: 'live_stream' | 'webhook_endpoint';
  readonly id: string;
}

export interface EventEnvelope {
  readonly id: string;
  readonly type: EventType;
  readonly created_at: string;
  readonly tenant_id: string;
  readonly object: EventObject;
  readonly data: Readonly<Record<string, unknown>>;
  /** Per stream, from 1; 0 for events about no stream (the test event). */
  readonly seq: number;
}

export function envelope(e: { id: string; type: EventType; nowMs: number; tenantId: string; object: EventObject; data: Readonly<Record<string, unknown>>; seq: number }): EventEnvelope {
  return { id: e.id, type: e.type, created_at: iso(e.nowMs), tenant_id: e.tenantId, object: e.object, data: e.data, seq: e.seq };
}
