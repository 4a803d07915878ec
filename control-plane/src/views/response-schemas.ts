import { z } from 'zod';

/**
 * Schemas of answer objects the OpenAPI document describes (routes/openapi.ts
 * renders them as components). Route tests parse real answers with them, so
 * the document cannot drift from the views that build the answers.
 */

const isoTime = z.iso.datetime();

/** `live` of a live stream (views/live-stream.ts liveView): null unless connected or active. */
export const liveStatsSchema = z
  .strictObject({
    session_id: z.string(),
    since: isoTime,
    protocol: z.string().nullable(),
    video: z.strictObject({ codec: z.string(), width: z.number().int().nullable(), height: z.number().int().nullable() }).nullable(),
    audio: z.strictObject({ codec: z.string() }).nullable(),
    bitrate_kbps: z.number().int().nullable(),
    clients: z.number().int().nullable(),
    stats_at: isoTime.nullable(),
  })
  .nullable()
  .meta({ description: 'The broadcast while the stream is connected or active: since when, protocol, and the node\'s latest figures (null before its first heartbeat describes the stream)' });

/** A recording (views/recording.ts). */
export const recordingSchema = z.strictObject({
  id: z.string(),
  live_stream_id: z.string(),
  session_id: z.string().nullable(),
  node_id: z.string(),
  status: z.enum(['ready']),
  format: z.enum(['flv', 'mp4', 'ts']).nullable(),
  storage_key: z.string(),
  url: z.string().nullable().meta({ description: 'Download/playback URL (a bucket behind a CDN); null for a file on a node\'s disk' }),
  file_path: z.string().nullable().meta({ description: 'API path of the file (same auth): a redirect to url, or the file from this machine\'s disk; null when neither' }),
  duration_ms: z.number().int().nullable(),
  bytes: z.number().int().nullable(),
  created_at: isoTime,
});
