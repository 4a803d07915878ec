/** The HLS output (see README.md): what the server imports. */
export { DEFAULT_MAX_PENDING_BYTES, HlsSegmenter } from './hls-segmenter.ts';
export type { HlsSegmenterOptions } from './hls-segmenter.ts';
export type { HlsListener, HlsLog, HlsLogFields, HlsSegmentEvent, HlsStats } from './hls-events.ts';
export { DEFAULT_HLS_CONFIG, MIN_FRAGMENT_MS, resolveHlsConfig } from './hls-config.ts';
export type { HlsConfig } from './hls-config.ts';
