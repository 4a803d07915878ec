import { z } from 'zod';

/**
 * What a media node sends to the control plane's node API (`/internal`) to
 * register and to report its load, and what it gets back. Both sides parse
 * with these schemas; snake_case on the wire like the rest of the API.
 * Authentication is the shared node token as a Bearer header.
 */

/** A node id names the machine in URLs and logs: lowercase DNS-label characters, at most 63 (RFC 1035 label). */
export const NODE_ID_PATTERN = /^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$/;
/** Regions are short operator-chosen names such as `eu-west` or `local`. */
export const REGION_PATTERN = /^[a-z0-9][a-z0-9-]{0,31}$/;

/** Nodes beat every few seconds (design.md); below 1 s is a bug, above 60 s a node we cannot trust to be alive. */
export const MIN_HEARTBEAT_MS = 1000;
export const MAX_HEARTBEAT_MS = 60_000;
export const DEFAULT_HEARTBEAT_MS = 5000;

const urlWith = (protocols: RegExp) => z.url({ protocol: protocols }).max(512);

export const nodeUrlsSchema = z.object({
  /** RTMP ingest and play base, e.g. `rtmp://node1.example.com:1935`. */
  rtmp: urlWith(/^rtmps?$/),
  /** SRT listener, e.g. `srt://node1.example.com:10080`; absent when SRT is off. */
  srt: urlWith(/^srt$/).optional(),
  /** Node HTTP server (HTTP-FLV, HLS), e.g. `http://node1.example.com:8080`. */
  http: urlWith(/^https?$/),
  /** WHIP/WHEP base (SRS `/rtc/v1/`), e.g. `http://node1.example.com:1985`; absent when WebRTC is off. */
  webrtc: urlWith(/^https?$/).optional(),
});
export type NodeUrls = z.infer<typeof nodeUrlsSchema>;

export const nodeRegistrationSchema = z.object({
  node_id: z.string().regex(NODE_ID_PATTERN, 'lowercase letters, digits and dashes, at most 63'),
  region: z.string().regex(REGION_PATTERN, 'lowercase letters, digits and dashes, at most 32'),
  urls: nodeUrlsSchema,
  capacity: z.object({
    max_streams: z.number().int().min(1).max(100_000),
    max_egress_kbps: z.number().int().min(1).max(1_000_000_000),
  }),
  heartbeat_interval_ms: z.number().int().min(MIN_HEARTBEAT_MS).max(MAX_HEARTBEAT_MS).default(DEFAULT_HEARTBEAT_MS),
  version: z.string().max(64).optional(),
});
export type NodeRegistration = z.infer<typeof nodeRegistrationSchema>;

/** Longest app and stream name a heartbeat entry carries (Runnel's are `live` and a 24-character playback id; a node skips longer SRS names). */
export const MAX_LOAD_APP_CHARS = 64;
export const MAX_LOAD_STREAM_CHARS = 128;
/**
 * Streams one heartbeat describes at most. An entry is at most ~350 bytes of
 * JSON (longest names, all fields), so 150 of them (~52 KB) stay under the
 * control plane's default body limit (64 KiB, RUNNEL_MAX_BODY_BYTES); a node
 * publishing more reports the first MAX_LOAD_STREAMS (its totals stay whole).
 */
export const MAX_LOAD_STREAMS = 150;

/** A codec name as the node's stats spell it (SRS API `video.codec`: H264, H265, AV1, AAC, Opus ...). */
const codecName = z.string().min(1).max(32);
/** 16384 px is above every encoder's level limit (H.264 level 6.2 and HEVC 6.2 top out at 8192x4320). */
const MAX_DIMENSION_PX = 16_384;
const dimension = z.number().int().min(0).max(MAX_DIMENSION_PX);

/** One stream being published on the node, as the heartbeat reports it: what the dashboard shows next to its status. */
export const streamLoadSchema = z.object({
  /** The stream's app (Runnel publishes under `live`). */
  app: z.string().max(MAX_LOAD_APP_CHARS),
  /** The name the node publishes under: for a Runnel stream, its playback name (never the key). */
  stream: z.string().min(1).max(MAX_LOAD_STREAM_CHARS),
  video: z.object({ codec: codecName, width: dimension.optional(), height: dimension.optional() }).nullable(),
  audio: z.object({ codec: codecName }).nullable(),
  /** Ingest bitrate, kbps averaged over 30 s (SRS `kbps.recv_30s`). */
  bitrate_in_kbps: z.number().min(0),
  /** Players and outputs of this stream (clients whose source it is, the publisher excluded). */
  clients: z.number().int().min(0),
});
export type StreamLoad = z.infer<typeof streamLoadSchema>;

export const nodeLoadSchema = z.object({
  streams: z.number().int().min(0),
  clients: z.number().int().min(0),
  bitrate_in_kbps: z.number().min(0),
  bitrate_out_kbps: z.number().min(0),
  /** Share of all cores busy, 0..1. */
  cpu: z.number().min(0).max(1),
  /** Per-stream figures of the streams being published (optional: older nodes send only the totals). */
  stream_stats: z.array(streamLoadSchema).max(MAX_LOAD_STREAMS).optional(),
});
export type NodeLoad = z.infer<typeof nodeLoadSchema>;

export const nodeHeartbeatSchema = z.object({ load: nodeLoadSchema });
export type NodeHeartbeat = z.infer<typeof nodeHeartbeatSchema>;

/** A publish the control plane wants ended (key rotated, stream disabled or deleted). */
export const endSessionSchema = z.object({
  session_id: z.string(),
  live_stream_id: z.string(),
  /** The SRS client id the session was opened with (on_publish `client_id`). */
  client_id: z.string(),
  reason: z.enum(['key_rotated', 'stream_disabled', 'stream_deleted', 'completed']),
});
export type EndSession = z.infer<typeof endSessionSchema>;

export const nodeStateAnswerSchema = z.object({
  data: z.object({
    node_id: z.string(),
    state: z.enum(['up', 'down']),
    heartbeat_interval_ms: z.number().int(),
    /** Publishes to close now; the node answers each with on_unpublish once closed. */
    end_sessions: z.array(endSessionSchema),
  }),
});
export type NodeStateAnswer = z.infer<typeof nodeStateAnswerSchema>;
