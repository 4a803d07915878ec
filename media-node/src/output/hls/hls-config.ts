/**
 * The HLS options of an SRS `vhost { hls { ... } }` block
 * (shared/reference/srs.md 9.1; `4.0:trunk/src/app/srs_app_hls.cpp`), in
 * milliseconds. Defaults are SRS 4.0's, except `disposeMs` which takes SRS
 * 6.0's 120 s (4.0 never cleaned up after a publisher that left).
 */
export interface HlsConfig {
  /** `hls_fragment`: reap once a segment reaches this (at a keyframe with waitKeyframe). */
  readonly fragmentMs: number;
  /** `hls_window`: about this much media stays in the playlist. */
  readonly windowMs: number;
  /** `hls_td_ratio`: EXT-X-TARGETDURATION is at least ceil(tdRatio * fragment) (#304). */
  readonly tdRatio: number;
  /** `hls_aof_ratio`: audio (any frame, here) reaps at aofRatio * fragment even without a keyframe. */
  readonly aofRatio: number;
  /** `hls_wait_keyframe`: reap only at a video keyframe once over the fragment. */
  readonly waitKeyframe: boolean;
  /** `hls_cleanup`: delete segments that left the window. */
  readonly cleanup: boolean;
  /** `hls_dispose`: with no media for this long, delete the playlist and its segments; 0 = never. */
  readonly disposeMs: number;
  /** `hls_ts_file`: segment key template ([vhost] [app] [stream] [seq] [2006] [01] [02] [15] [04] [05] [999] [timestamp] [duration]). */
  readonly tsFile: string;
  /** `hls_m3u8_file`: playlist key template ([vhost] [app] [stream]). */
  readonly m3u8File: string;
  /** `hls_entry_prefix`: base URL put before segment URIs in the playlist (a CDN). */
  readonly entryPrefix: string;
}

export const DEFAULT_HLS_CONFIG: HlsConfig = {
  fragmentMs: 10_000,
  windowMs: 60_000,
  tdRatio: 1.5,
  aofRatio: 2.0,
  waitKeyframe: true,
  cleanup: true,
  disposeMs: 120_000,
  tsFile: '[app]/[stream]-[seq].ts',
  m3u8File: '[app]/[stream].m3u8',
  entryPrefix: '',
};

/** Shortest fragment accepted: below a second, TS overhead and playlist churn dominate (LL-HLS is a different format). */
export const MIN_FRAGMENT_MS = 1000;

/** Fills defaults and refuses values the segmenter cannot honour (a config error: the server's schema should catch it first). */
export function resolveHlsConfig(partial: Partial<HlsConfig> = {}): HlsConfig {
  const c = { ...DEFAULT_HLS_CONFIG, ...partial };
  const bad = (what: string): never => {
    throw new RangeError(`hls: ${what}`);
  };
  if (!(c.fragmentMs >= MIN_FRAGMENT_MS)) bad(`fragmentMs ${c.fragmentMs} < ${MIN_FRAGMENT_MS}`);
  if (!(c.windowMs >= c.fragmentMs)) bad(`windowMs ${c.windowMs} < fragmentMs ${c.fragmentMs}`);
  if (!(c.tdRatio >= 1)) bad(`tdRatio ${c.tdRatio} < 1`);
  if (!(c.aofRatio >= 1)) bad(`aofRatio ${c.aofRatio} < 1`);
  if (!(c.disposeMs >= 0)) bad(`disposeMs ${c.disposeMs} < 0`);
  return c;
}
