import type { SessionRow } from '../db/schema.ts';
import { iso } from './time.ts';

export function sessionView(row: SessionRow, nowMs: number) {
  return {
    id: row.id,
    live_stream_id: row.liveStreamId,
    node_id: row.nodeId,
    protocol: row.protocol,
    client_ip: row.clientIp,
    started_at: iso(row.startedAt),
    ended_at: iso(row.endedAt),
    /** unpublished | replaced | node_lost | key_rotated | stream_disabled | stream_deleted; null while live. */
    end_reason: row.endReason,
    /** Up to now while the session is live. */
    duration_ms: (row.endedAt ?? nowMs) - row.startedAt,
    /** The codecs the node last reported (heartbeats); null when it never described the stream. */
    video: row.videoCodec === null ? null : { codec: row.videoCodec, width: row.videoWidth, height: row.videoHeight },
    audio: row.audioCodec === null ? null : { codec: row.audioCodec },
    /** Bytes received from the publisher, reported by the node when the publish ended; null while live or when unknown. */
    bytes_in: row.bytesIn,
  };
}
