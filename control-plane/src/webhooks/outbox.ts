import { sql } from 'drizzle-orm';
import type { SQL } from 'drizzle-orm';
import type { Db } from '../db/db.ts';
import { liveStreams, webhookDeliveries } from '../db/schema.ts';
import { newId } from '../services/ids.ts';
import { envelope } from './events.ts';
import type { StreamEventType } from './events.ts';

/**
 * The outbox: an event is written as one `webhook_deliveries` row per
 * subscribed endpoint in the SAME `db.batch` as the state change it reports
 * (D1 has no interactive transactions; a batch is atomic), so no change is
 * recorded without its event and no event without its change. The
 * dispatcher (dispatcher.ts) sends the rows later, at least once.
 *
 * How a caller does it: add `eventMark(ev)` to the `set` of the conditional
 * UPDATE of the stream, and put `enqueueStreamEvent(db, ev)` after it in the
 * batch. The mark bumps `event_seq` and stamps `last_event_id`; the insert
 * reads both, so it writes nothing when the UPDATE matched no row (the
 * transition did not happen, e.g. a racing hook got there first), and the
 * payload's `seq` is the stream's new counter, one more than the last event.
 */

export interface StreamEvent {
  readonly id: string;
  readonly type: StreamEventType;
  readonly tenantId: string;
  readonly streamId: string;
  readonly data: Readonly<Record<string, unknown>>;
  readonly nowMs: number;
}

export function newStreamEvent(type: StreamEventType, stream: { readonly id: string; readonly tenantId: string }, data: Readonly<Record<string, unknown>>, nowMs: number): StreamEvent {
  return { id: newId('evt', nowMs), type, tenantId: stream.tenantId, streamId: stream.id, data: { live_stream_id: stream.id, ...data }, nowMs };
}

/** Columns to set in the stream's UPDATE of the same batch. */
export function eventMark(ev: StreamEvent): { eventSeq: SQL; lastEventId: string } {
  return { eventSeq: sql`${liveStreams.eventSeq} + 1`, lastEventId: ev.id };
}

/**
 * One pending delivery per enabled endpoint of the tenant whose filter takes
 * the event (an empty filter takes all). Delivery ids are `whd_` + the
 * event's time characters + 16 hex digits of `randomblob` (hex digits are
 * in the id alphabet, so `idPattern('whd')` holds).
 */
export function enqueueStreamEvent(db: Db, ev: StreamEvent) {
  const template = JSON.stringify(
    envelope({ id: ev.id, type: ev.type, nowMs: ev.nowMs, tenantId: ev.tenantId, object: { type: 'live_stream', id: ev.streamId }, data: ev.data, seq: 0 }),
  );
  const timePart = ev.id.slice('evt_'.length, 'evt_'.length + 10);
  // An INSERT ... SELECT built by drizzle (a raw `db.run` cannot join a D1 batch): it lists every
  // column of the table, so the SELECT yields them all in schema.ts order.
  return db.insert(webhookDeliveries).select(sql`
    SELECT 'whd_' || ${timePart} || lower(hex(randomblob(8))), e.tenant_id, e.id, ${ev.id}, ${ev.type},
           json_set(${template}, '$.seq', s.event_seq), 'pending', 0, ${ev.nowMs}, NULL, NULL, ${ev.nowMs}, NULL
    FROM webhook_endpoints e JOIN live_streams s ON s.id = ${ev.streamId} AND s.last_event_id = ${ev.id}
    WHERE e.tenant_id = ${ev.tenantId} AND e.enabled = 1
      AND (json_array_length(e.events) = 0 OR EXISTS (SELECT 1 FROM json_each(e.events) WHERE json_each.value = ${ev.type}))
  `);
}
