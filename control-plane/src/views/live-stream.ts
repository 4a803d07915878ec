import type { LiveStreamRow, SessionRow } from '../db/schema.ts';
import { iso } from './time.ts';

/**
 * The live stream as the API shows it (Mux-like snake_case, hosted-apis.md
 * 2.2). `status` is computed at read time: a `disconnected` stream whose
 * reconnect window has passed is `idle` (Mux semantics) without needing a
 * timer to flip it. Lists leave the credentials out (as Cloudflare does).
 */

export type LiveStreamStatus = LiveStreamRow['status'];

export function effectiveStatus(row: LiveStreamRow, nowMs: number): LiveStreamStatus {
  if (row.status === 'disconnected' && row.disconnectedAt !== null && nowMs - row.disconnectedAt >= row.reconnectWindowS * 1000) return 'idle';
  return row.status;
}

/**
 * What is known of the broadcast while the stream is connected or active:
 * since when, over which protocol, and the figures of the node's latest
 * heartbeat (null until one described the stream). Null otherwise.
 */
export function liveView(row: LiveStreamRow, session: SessionRow | null, nowMs: number) {
  const status = effectiveStatus(row, nowMs);
  if ((status !== 'connected' && status !== 'active') || session === null || session.id !== row.currentSessionId || session.endedAt !== null) return null;
  return {
    session_id: session.id,
    since: iso(session.startedAt),
    protocol: session.protocol,
    video: session.videoCodec === null ? null : { codec: session.videoCodec, width: session.videoWidth, height: session.videoHeight },
    audio: session.audioCodec === null ? null : { codec: session.audioCodec },
    /** Ingest bitrate averaged over 30 s on the node. */
    bitrate_kbps: session.bitrateInKbps === null ? null : Math.round(session.bitrateInKbps),
    /** Players and outputs on the node. */
    clients: session.clients,
    /** When the node last reported these figures. */
    stats_at: iso(session.statsAt),
  };
}

/** `session` is the stream's current session when it has one (for `live`). */
export function liveStreamSummary(row: LiveStreamRow, nowMs: number, session: SessionRow | null = null) {
  return {
    id: row.id,
    name: row.name,
    passthrough: row.passthrough,
    enabled: row.enabled,
    status: effectiveStatus(row, nowMs),
    playback_ids: [{ id: row.playbackId, policy: row.playbackPolicy }],
    recording: { mode: row.recordingMode },
    reconnect_window_s: row.reconnectWindowS,
    current_session_id: row.currentSessionId,
    node_id: row.nodeId,
    live: liveView(row, session, nowMs),
    keys_rotated_at: iso(row.keysRotatedAt),
    created_at: iso(row.createdAt),
    updated_at: iso(row.updatedAt),
  };
}

export function liveStreamView(row: LiveStreamRow, nowMs: number, session: SessionRow | null = null) {
  return { ...liveStreamSummary(row, nowMs, session), stream_key: row.streamKey, srt_passphrase: row.srtPassphrase };
}
