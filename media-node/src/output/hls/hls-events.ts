/** What the HLS segmenter tells the server: hook events, log lines, counters. */

/** One published segment, shaped like SRS's `on_hls` hook body (srs.md; `SrsHttpHooks::on_hls`). */
export interface HlsSegmentEvent {
  readonly action: 'on_hls';
  readonly vhost: string;
  readonly app: string;
  readonly stream: string;
  /** Seconds. */
  readonly duration: number;
  /** The segment's store key (SRS: its file path; prefix the store root to match). */
  readonly file: string;
  /** The segment's URI as the playlist names it. */
  readonly url: string;
  /** The playlist's store key (SRS: its file path). */
  readonly m3u8: string;
  /** The playlist's URL path below the HLS root. */
  readonly m3u8_url: string;
  readonly seq_no: number;
  /** Preceded by EXT-X-DISCONTINUITY. */
  readonly discontinuity: boolean;
}

export interface HlsListener {
  /** A segment is stored and the playlist naming it was written (or attempted). */
  onHls?(event: HlsSegmentEvent): void;
}

export type HlsLogFields = { readonly [key: string]: string | number | boolean | null | undefined | Error };

/** The part of the node's Logger the segmenter uses. */
export interface HlsLog {
  warn(event: string, fields?: HlsLogFields): void;
}

export interface HlsStats {
  /** Segments stored and listed. */
  segments: number;
  /** Segments not published, by reason: too_short, too_long (SRS segment_close), backlog, store_failed. */
  droppedSegments: number;
  readonly dropReasons: Record<string, number>;
  /** put/delete calls that failed (segments, playlists, deletions). */
  storeErrors: number;
  playlistWrites: number;
  deletes: number;
  /** Segment bytes queued for the store and not yet written. */
  pendingBytes: number;
  /** Times hls_dispose removed everything. */
  disposals: number;
  /** Exceptions from listener.onHls, and from the segmenter itself (a bug; the hub never sees them). */
  listenerErrors: number;
  internalErrors: number;
}
