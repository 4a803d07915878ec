import type { LiveStreamRow } from '../db/schema.ts';
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

export function liveStreamSummary(row: LiveStreamRow, nowMs: number) {
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
    keys_rotated_at: iso(row.keysRotatedAt),
    created_at: iso(row.createdAt),
    updated_at: iso(row.updatedAt),
  };
}

export function liveStreamView(row: LiveStreamRow, nowMs: number) {
  return { ...liveStreamSummary(row, nowMs), stream_key: row.streamKey, srt_passphrase: row.srtPassphrase };
}
