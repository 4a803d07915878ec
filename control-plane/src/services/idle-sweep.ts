import { and, eq, isNotNull, sql } from 'drizzle-orm';
import type { Db } from '../db/db.ts';
import { liveStreams } from '../db/schema.ts';
import { enqueueStreamEvent, eventMark, newStreamEvent } from '../webhooks/outbox.ts';

/**
 * A disconnected stream whose reconnect window has passed becomes `idle`
 * (views/live-stream.ts already shows it so at read time); this stores it
 * and sends `stream.idle`, once per stream. Runs beside the node sweep (Node:
 * timer; Workers: cron), so the event comes up to one sweep period late.
 */

/** Streams turned idle per sweep: one batch of two statements each stays far below D1's statement limits. */
export const IDLE_SWEEP_BATCH = 50;

export async function sweepIdleStreams(db: Db, nowMs: number): Promise<string[]> {
  const due = await db
    .select({ id: liveStreams.id, tenantId: liveStreams.tenantId, disconnectedAt: liveStreams.disconnectedAt })
    .from(liveStreams)
    .where(and(eq(liveStreams.status, 'disconnected'), isNotNull(liveStreams.disconnectedAt), sql`${liveStreams.disconnectedAt} + ${liveStreams.reconnectWindowS} * 1000 <= ${nowMs}`))
    .limit(IDLE_SWEEP_BATCH);
  if (due.length === 0) return [];
  const statements = due.flatMap((s) => {
    const ev = newStreamEvent('stream.idle', s, {}, nowMs);
    return [
      db
        .update(liveStreams)
        .set({ status: 'idle', updatedAt: nowMs, ...eventMark(ev) })
        // Still the same disconnect: a publish that came back meanwhile is left alone.
        .where(and(eq(liveStreams.id, s.id), eq(liveStreams.status, 'disconnected'), eq(liveStreams.disconnectedAt, s.disconnectedAt ?? 0))),
      enqueueStreamEvent(db, ev),
    ];
  });
  const [first, ...rest] = statements;
  await db.batch([first, ...rest]);
  return due.map((s) => s.id);
}
