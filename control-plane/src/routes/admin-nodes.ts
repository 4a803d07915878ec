import { and, asc, count, desc, eq, inArray, isNotNull } from 'drizzle-orm';
import type { Db } from '../db/db.ts';
import { liveStreams, mediaNodes, sessions } from '../db/schema.ts';
import type { MediaNodeRow } from '../db/schema.ts';
import { MISSED_BEATS, isHealthy, loadScore } from '../services/nodes.ts';
import { iso } from '../views/time.ts';

/**
 * `GET /admin/nodes`: the operator's view of the fleet. Every media node
 * with its region, health (the allocation rule of services/nodes.ts, so the
 * page says what allocation thinks), its last reported load, and the live
 * streams it carries. Stream keys and passphrases are never in it.
 */

/** A fleet far bigger than one page anyone reads; past it the answer says `truncated`. */
export const MAX_LISTED_NODES = 1000;
/**
 * Live streams listed in one answer, across all nodes. Counts per node stay
 * exact (`live_stream_count`); only the list is cut, and the node says so.
 */
export const MAX_LISTED_LIVE_STREAMS = 5000;

const LIVE = ['connected', 'active'] as const;

export type NodeHealth = 'healthy' | 'stale' | 'down';

/** `stale`: still marked up, but beats are late (the sweep has not run yet); allocation already skips it. */
export function nodeHealth(n: MediaNodeRow, nowMs: number): NodeHealth {
  if (n.state === 'down') return 'down';
  return isHealthy(n, nowMs) ? 'healthy' : 'stale';
}

interface LiveOnNode {
  readonly id: string;
  readonly tenantId: string;
  readonly name: string;
  readonly status: string;
  readonly nodeId: string | null;
  readonly sessionId: string | null;
  readonly protocol: string | null;
  readonly startedAt: number | null;
}

function liveView(s: LiveOnNode) {
  return {
    id: s.id,
    tenant_id: s.tenantId,
    name: s.name,
    status: s.status,
    session_id: s.sessionId,
    protocol: s.protocol,
    started_at: iso(s.startedAt),
  };
}

function nodeView(n: MediaNodeRow, nowMs: number, live: readonly LiveOnNode[], liveCount: number) {
  return {
    id: n.id,
    region: n.region,
    state: n.state,
    health: nodeHealth(n, nowMs),
    version: n.version,
    urls: { rtmp: n.rtmpUrl, srt: n.srtUrl, http: n.httpUrl, webrtc: n.webrtcUrl },
    capacity: { max_streams: n.maxStreams, max_egress_kbps: n.maxEgressKbps },
    heartbeat_interval_ms: n.heartbeatIntervalMs,
    /** Beats missed before the node is taken out of allocation. */
    missed_beats_allowed: MISSED_BEATS,
    registered_at: iso(n.registeredAt),
    last_heartbeat_at: iso(n.lastHeartbeatAt),
    load: {
      streams: n.loadStreams,
      clients: n.loadClients,
      bitrate_in_kbps: n.loadBitrateInKbps,
      bitrate_out_kbps: n.loadBitrateOutKbps,
      cpu: n.loadCpu,
    },
    /** 0..1 and above: the highest of the stream, egress and CPU shares (what allocation compares). */
    load_score: loadScore(n),
    live_stream_count: liveCount,
    live_streams: live.map(liveView),
    live_streams_truncated: live.length < liveCount,
  };
}

export type NodeOverview = ReturnType<typeof nodeView>;

export async function nodesOverview(db: Db, nowMs: number): Promise<{ data: NodeOverview[]; truncated: boolean }> {
  const nodes = await db.select().from(mediaNodes).orderBy(asc(mediaNodes.region), asc(mediaNodes.id)).limit(MAX_LISTED_NODES + 1);
  const truncated = nodes.length > MAX_LISTED_NODES;
  const shown = nodes.slice(0, MAX_LISTED_NODES);
  if (shown.length === 0) return { data: [], truncated };
  // Not `node_id IN (ids)`: D1 binds at most 100 parameters per query, and a fleet can be bigger.
  const onNodes = and(inArray(liveStreams.status, [...LIVE]), isNotNull(liveStreams.nodeId));
  const [counts, live] = await Promise.all([
    db.select({ nodeId: liveStreams.nodeId, n: count() }).from(liveStreams).where(onNodes).groupBy(liveStreams.nodeId),
    db
      .select({
        id: liveStreams.id,
        tenantId: liveStreams.tenantId,
        name: liveStreams.name,
        status: liveStreams.status,
        nodeId: liveStreams.nodeId,
        sessionId: liveStreams.currentSessionId,
        protocol: sessions.protocol,
        startedAt: sessions.startedAt,
      })
      .from(liveStreams)
      .leftJoin(sessions, eq(sessions.id, liveStreams.currentSessionId))
      .where(onNodes)
      .orderBy(asc(liveStreams.nodeId), desc(liveStreams.id))
      .limit(MAX_LISTED_LIVE_STREAMS),
  ]);
  const countOf = new Map(counts.map((c) => [c.nodeId, c.n]));
  const byNode = new Map<string, LiveOnNode[]>();
  for (const s of live) {
    if (s.nodeId === null) continue;
    const list = byNode.get(s.nodeId) ?? [];
    list.push(s);
    byNode.set(s.nodeId, list);
  }
  return { data: shown.map((n) => nodeView(n, nowMs, byNode.get(n.id) ?? [], countOf.get(n.id) ?? 0)), truncated };
}
