import type { RecordingRow } from '../db/schema.ts';
import { iso } from './time.ts';

/** A recording as the API shows it (and the `recording.ready` webhook's `data.recording`). */
export function recordingView(row: RecordingRow, servedHere = false) {
  return {
    id: row.id,
    live_stream_id: row.liveStreamId,
    /** The broadcast it was recorded from; null when the node announced it with no session open. */
    session_id: row.sessionId,
    node_id: row.nodeId,
    status: row.status,
    /** flv | mp4 | ts, from the file's extension; null when unknown. */
    format: row.format,
    /** The path on the node, or the object key in the bucket. */
    storage_key: row.storageKey,
    /** Where it can be downloaded or played: a recording in a bucket behind a CDN; null for a file on a node's disk. */
    url: row.url,
    /**
     * The API path of the file (`/v1/recordings/{id}/file`, with the same auth): a redirect to `url`, or the
     * file streamed from this machine's disk (`runnel start`); null when neither is possible.
     */
    file_path: row.url !== null || servedHere ? `/v1/recordings/${row.id}/file` : null,
    duration_ms: row.durationMs,
    bytes: row.bytes,
    created_at: iso(row.createdAt),
  };
}
