import type { MediaMessage } from './media-message.ts';

/**
 * The latest GOP of a source, replayed to each new consumer so a player
 * starts on a keyframe at once (SRS `play.gop_cache`, SrsGopCache::cache).
 *
 * It always begins with a video keyframe: it is cleared and restarted at every
 * keyframe, and stays empty until the first one. Sequence headers and
 * metadata are not in it (the source keeps the latest ones apart and sends
 * them first). Bounded by frames and bytes: past either bound it is dropped
 * and stays empty until the next keyframe, so a stream without IDR for ten
 * minutes costs nothing (bad-inputs row 38; SRS 5 `gop_cache_max_frames`).
 */

/** SRS 5.0.93 `gop_cache_max_frames` default (#3236): messages, audio included. */
export const DEFAULT_GOP_CACHE_MAX_FRAMES = 2500;
/**
 * Byte bound of one source's GOP cache. A 10 s GOP of 4K HEVC at 50 Mb/s is
 * ~62 MB; anything larger is a stream without keyframes, not a GOP.
 */
export const DEFAULT_GOP_CACHE_MAX_BYTES = 64 * 1024 * 1024;
/**
 * SRS_PURE_AUDIO_GUESS_COUNT: this many audio messages after the last video
 * one means the video stopped; the cache (which would replay stale video) is
 * dropped until the next keyframe.
 */
export const PURE_AUDIO_GUESS_COUNT = 115;

export interface GopCacheOptions {
  readonly maxFrames?: number;
  readonly maxBytes?: number;
}

export class GopCache {
  private readonly maxFrames: number;
  private readonly maxBytes: number;
  private msgs: MediaMessage[] = [];
  private byteCount = 0;
  private audioAfterVideo = 0;
  /** Times the cache was dropped for exceeding its bounds (a stat for logs/API). */
  overflows = 0;

  constructor(options: GopCacheOptions = {}) {
    this.maxFrames = options.maxFrames ?? DEFAULT_GOP_CACHE_MAX_FRAMES;
    this.maxBytes = options.maxBytes ?? DEFAULT_GOP_CACHE_MAX_BYTES;
  }

  /** Offer a corrected audio/video message that is not a sequence header. */
  add(msg: MediaMessage): void {
    if (msg.kind === 'video') {
      if (msg.keyframe) this.clear();
      else if (this.msgs.length === 0) return; // no keyframe yet: nothing to start from
      this.audioAfterVideo = 0;
    } else if (msg.kind === 'audio') {
      if (this.msgs.length === 0) return; // pure audio (or waiting for a keyframe): no cache
      if (++this.audioAfterVideo > PURE_AUDIO_GUESS_COUNT) {
        this.clear();
        return;
      }
    } else {
      return;
    }
    this.msgs.push(msg);
    this.byteCount += msg.payload.length;
    if (this.msgs.length > this.maxFrames || this.byteCount > this.maxBytes) {
      this.overflows++;
      this.clear();
    }
  }

  clear(): void {
    if (this.msgs.length !== 0) this.msgs = [];
    this.byteCount = 0;
    this.audioAfterVideo = 0;
  }

  /** The cached messages, oldest first; the first is a video keyframe when not empty. */
  get messages(): readonly MediaMessage[] {
    return this.msgs;
  }

  get bytes(): number {
    return this.byteCount;
  }
}
