import { and, eq, inArray, isNotNull, isNull } from 'drizzle-orm';
import { RUNNEL_APP } from '@runnel/shared/hook-api';
import type { StreamLoad } from '@runnel/shared/node-api';
import type { Db } from '../db/db.ts';
import { liveStreams, sessions } from '../db/schema.ts';
import type { SessionRow } from '../db/schema.ts';

/**
 * Per-stream figures from a node's heartbeat (codecs, frame size, ingest
 * bitrate, clients), kept on the stream's open session: the dashboard's
 * live list reads them, and after the broadcast they stay as the session's
 * codecs. A heartbeat entry is matched by the name the node publishes under
 * (`live/<playback id>`) against the streams whose current session is on
 * that node, so a node can only describe its own publishes.
 */

export type SessionStats = Pick<SessionRow, 'videoCodec' | 'videoWidth' | 'videoHeight' | 'audioCodec' | 'bitrateInKbps' | 'clients' | 'statsAt'>;

export function sessionStats(s: StreamLoad, nowMs: number): SessionStats {
  return {
    videoCodec: s.video?.codec ?? null,
    videoWidth: s.video?.width ?? null,
    videoHeight: s.video?.height ?? null,
    audioCodec: s.audio?.codec ?? null,
    bitrateInKbps: s.bitrate_in_kbps,
    clients: s.clients,
    statsAt: nowMs,
  };
}

/** Writes each entry's figures on its session; returns how many sessions were updated. */
export async function recordStreamStats(db: Db, nodeId: string, stats: readonly StreamLoad[], nowMs: number): Promise<number> {
  const byName = new Map(stats.filter((s) => s.app === RUNNEL_APP).map((s) => [s.stream, s]));
  if (byName.size === 0) return 0;
  // Streams live on this node: bounded by its capacity, and one query whatever the heartbeat's size (D1 caps bound parameters at 100).
  const live = await db
    .select({ playbackId: liveStreams.playbackId, sessionId: liveStreams.currentSessionId })
    .from(liveStreams)
    .where(and(eq(liveStreams.nodeId, nodeId), isNotNull(liveStreams.currentSessionId), inArray(liveStreams.status, ['connected', 'active'])));
  const updates = live.flatMap((s) => {
    const entry = byName.get(s.playbackId);
    if (entry === undefined || s.sessionId === null) return [];
    return [
      db
        .update(sessions)
        .set(sessionStats(entry, nowMs))
        .where(and(eq(sessions.id, s.sessionId), eq(sessions.nodeId, nodeId), isNull(sessions.endedAt))),
    ];
  });
  const [first, ...rest] = updates;
  if (first === undefined) return 0;
  await db.batch([first, ...rest]);
  return updates.length;
}

/** Ids per query: D1 binds at most 100 parameters per statement. */
const IDS_PER_QUERY = 50;

/** The open sessions among `ids` (current sessions of the streams a page shows), by id. */
export async function openSessionsById(db: Db, ids: readonly string[]): Promise<Map<string, SessionRow>> {
  const out = new Map<string, SessionRow>();
  for (let i = 0; i < ids.length; i += IDS_PER_QUERY) {
    const chunk = ids.slice(i, i + IDS_PER_QUERY);
    const rows = await db
      .select()
      .from(sessions)
      .where(and(inArray(sessions.id, chunk), isNull(sessions.endedAt)));
    for (const r of rows) out.set(r.id, r);
  }
  return out;
}
