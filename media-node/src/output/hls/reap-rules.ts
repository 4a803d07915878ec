import type { HlsConfig } from './hls-config.ts';

/** SRS_HLS_SEGMENT_MIN_DURATION (100 ms): a shorter segment is dropped when closed (`SrsHlsMuxer::segment_close`). */
export const MIN_SEGMENT_MS = 100;
/** No reap before 2 x SRS_HLS_SEGMENT_MIN_DURATION (`is_segment_overflow`, `is_segment_absolutely_overflow`). */
export const MIN_REAP_MS = 200;
/**
 * Most bytes one open segment may hold in memory before it is cut anyway:
 * aof 2 x 10 s at 50 Mbit/s (4K HEVC) is 125 MB. Bounds memory whatever the
 * timestamps say.
 */
export const MAX_SEGMENT_BYTES = 128 * 1024 * 1024;

export type ReapReason = 'fragment' | 'overflow' | 'bytes';

/**
 * Whether the frame arriving now closes the open segment (it then starts the
 * next one), by SRS 4's rules (`SrsHlsController::write_video/write_audio`):
 * - a video frame once the segment lasts `fragment`: a keyframe, or any frame
 *   with `waitKeyframe` off;
 * - an audio frame once it lasts `aofRatio * fragment` ("absolutely
 *   overflow"): how pure-audio streams are cut, and the bound for long GOPs;
 * - beyond SRS, a video frame at `aofRatio * fragment` too, so video without
 *   keyframes (bad-inputs row 38) still makes bounded segments; and
 *   MAX_SEGMENT_BYTES.
 */
export function reapReason(
  c: Pick<HlsConfig, 'fragmentMs' | 'aofRatio' | 'waitKeyframe'>,
  durationMs: number,
  bytes: number,
  frame: { readonly kind: 'audio' | 'video'; readonly keyframe: boolean },
): ReapReason | null {
  if (bytes >= MAX_SEGMENT_BYTES) return 'bytes';
  if (durationMs < MIN_REAP_MS) return null;
  if (durationMs >= c.aofRatio * c.fragmentMs) return 'overflow';
  if (frame.kind === 'video' && durationMs >= c.fragmentMs && (frame.keyframe || !c.waitKeyframe)) return 'fragment';
  return null;
}

/**
 * Why a closed segment is not published (SRS `segment_close`): shorter than
 * MIN_SEGMENT_MS ("not enough data to play") or longer than twice the
 * target duration ("timestamp corrupt"). Null when it is fine.
 */
export function closeProblem(durationMs: number, maxTargetMs: number): 'too_short' | 'too_long' | null {
  if (durationMs < MIN_SEGMENT_MS) return 'too_short';
  if (durationMs > 2 * maxTargetMs) return 'too_long';
  return null;
}
