import { and, eq, inArray, isNotNull, isNull, sql } from 'drizzle-orm';
import type { EndSession, NodeLoad, NodeRegistration } from '@runnel/shared/node-api';
import type { Db } from '../db/db.ts';
import { liveStreams, mediaNodes, sessions } from '../db/schema.ts';
import type { MediaNodeRow } from '../db/schema.ts';
import { enqueueStreamEvent, eventMark, newStreamEvent } from '../webhooks/outbox.ts';

/**
 * Media nodes: registration, heartbeats, the health rule and allocation.
 *
 * Health rule: a node is healthy while its last heartbeat is younger than
 * MISSED_BEATS of its own interval. `sweepStaleNodes` marks older ones down
 * and their live streams disconnected; it runs on every node API call and
 * allocation, and on a timer (Node: interval; Workers: cron trigger).
 */

/** Three missed beats: one lost packet or a GC pause is not an outage, three in a row is. */
export const MISSED_BEATS = 3;

export async function registerNode(db: Db, r: NodeRegistration, nowMs: number): Promise<MediaNodeRow> {
  const fields = {
    region: r.region,
    rtmpUrl: r.urls.rtmp,
    srtUrl: r.urls.srt ?? null,
    httpUrl: r.urls.http,
    webrtcUrl: r.urls.webrtc ?? null,
    maxStreams: r.capacity.max_streams,
    maxEgressKbps: r.capacity.max_egress_kbps,
    heartbeatIntervalMs: r.heartbeat_interval_ms,
    version: r.version ?? null,
    state: 'up' as const,
    lastHeartbeatAt: nowMs,
  };
  const [row] = await db
    .insert(mediaNodes)
    .values({ id: r.node_id, registeredAt: nowMs, ...fields })
    .onConflictDoUpdate({ target: mediaNodes.id, set: fields })
    .returning();
  return row;
}

/** Records the load and marks the node up again. Null when the node never registered. */
export async function recordHeartbeat(db: Db, nodeId: string, load: NodeLoad, nowMs: number): Promise<MediaNodeRow | null> {
  const [row] = await db
    .update(mediaNodes)
    .set({
      state: 'up',
      lastHeartbeatAt: nowMs,
      loadStreams: load.streams,
      loadClients: load.clients,
      loadBitrateInKbps: load.bitrate_in_kbps,
      loadBitrateOutKbps: load.bitrate_out_kbps,
      loadCpu: load.cpu,
    })
    .where(eq(mediaNodes.id, nodeId))
    .returning();
  return row ?? null;
}

export async function getNode(db: Db, nodeId: string): Promise<MediaNodeRow | null> {
  const [row] = await db.select().from(mediaNodes).where(eq(mediaNodes.id, nodeId)).limit(1);
  return row ?? null;
}

export function isHealthy(node: MediaNodeRow, nowMs: number): boolean {
  return node.state === 'up' && nowMs - node.lastHeartbeatAt < MISSED_BEATS * node.heartbeatIntervalMs;
}

/** Marks nodes that stopped beating down, ends their sessions, disconnects their streams. Returns their ids. */
export async function sweepStaleNodes(db: Db, nowMs: number): Promise<string[]> {
  const stale = await db
    .select({ id: mediaNodes.id })
    .from(mediaNodes)
    .where(and(eq(mediaNodes.state, 'up'), sql`${mediaNodes.lastHeartbeatAt} + ${MISSED_BEATS} * ${mediaNodes.heartbeatIntervalMs} <= ${nowMs}`));
  const ids = stale.map((n) => n.id);
  if (ids.length === 0) return ids;
  const live = await db
    .select({ id: liveStreams.id, tenantId: liveStreams.tenantId, sessionId: liveStreams.currentSessionId })
    .from(liveStreams)
    .where(and(inArray(liveStreams.nodeId, ids), inArray(liveStreams.status, ['connected', 'active'])));
  // One UPDATE per stream, each with its own `stream.disconnected` in the outbox (webhooks/outbox.ts).
  const disconnect = live.flatMap((s) => {
    const ev = newStreamEvent('stream.disconnected', s, { session_id: s.sessionId, reason: 'node_lost' }, nowMs);
    return [
      db
        .update(liveStreams)
        .set({ status: 'disconnected', disconnectedAt: nowMs, currentSessionId: null, updatedAt: nowMs, ...eventMark(ev) })
        .where(and(eq(liveStreams.id, s.id), inArray(liveStreams.nodeId, ids), inArray(liveStreams.status, ['connected', 'active']))),
      enqueueStreamEvent(db, ev),
    ];
  });
  await db.batch([
    db.update(mediaNodes).set({ state: 'down' }).where(inArray(mediaNodes.id, ids)),
    db
      .update(sessions)
      .set({ endedAt: nowMs, endReason: 'node_lost' })
      .where(and(inArray(sessions.nodeId, ids), isNull(sessions.endedAt))),
    ...disconnect,
  ]);
  return ids;
}

/**
 * How full a node is, 0..1 and above: the highest of its stream, egress and
 * CPU shares. Egress and CPU are what run out first when fanning out.
 */
export function loadScore(n: MediaNodeRow): number {
  return Math.max(n.loadStreams / n.maxStreams, n.loadBitrateOutKbps / n.maxEgressKbps, n.loadCpu);
}

/** The least-loaded healthy node (in `region` when given) that is not full; ties go to the lower id. */
export async function pickNode(db: Db, nowMs: number, region?: string): Promise<MediaNodeRow | null> {
  const where = region === undefined ? eq(mediaNodes.state, 'up') : and(eq(mediaNodes.state, 'up'), eq(mediaNodes.region, region));
  const candidates = (await db.select().from(mediaNodes).where(where)).filter((n) => isHealthy(n, nowMs) && loadScore(n) < 1);
  candidates.sort((a, b) => loadScore(a) - loadScore(b) || (a.id < b.id ? -1 : 1));
  return candidates[0] ?? null;
}

/** Publishes on this node the control plane wants ended (key rotated, stream disabled or deleted). */
export async function endRequestsFor(db: Db, nodeId: string): Promise<EndSession[]> {
  const rows = await db
    .select()
    .from(sessions)
    .where(and(eq(sessions.nodeId, nodeId), isNull(sessions.endedAt), isNotNull(sessions.endRequested)));
  return rows.map((s) => ({ session_id: s.id, live_stream_id: s.liveStreamId, client_id: s.clientId, reason: s.endRequested ?? 'completed' }));
}
