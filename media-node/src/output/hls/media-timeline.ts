import { signedDelta32 } from '../../hub/timestamp-jitter.ts';

/**
 * Largest step between two consecutive frames that is still one timeline, at
 * most: 5 s is far above any live frame interval (1 fps screen capture, 20-60
 * ms audio) and half the default fragment; the segmenter uses
 * min(this, fragment / 2) but at least MIN_JUMP_MS (`jumpLimitMs`).
 */
export const MAX_JUMP_MS = 5000;
/** A 1 fps stream steps 1000 ms; never call that a jump. */
export const MIN_JUMP_MS = 1000;

/** The jump limit for a fragment: segments then stay under aof*fragment + fragment/2 (bad-inputs row 15). */
export function jumpLimitMs(fragmentMs: number): number {
  return Math.min(MAX_JUMP_MS, Math.max(MIN_JUMP_MS, fragmentMs / 2));
}

export interface TimelinePoint {
  /** Position on a continuous ms timeline (unwrapped; frozen across a jump). */
  readonly t: number;
  /** The raw timestamp moved by more than the limit (either way): a break in the timeline. */
  readonly jump: boolean;
}

/**
 * Turns the 32-bit ms timestamps of hub messages into one continuous
 * timeline for cutting segments: a wrap at 2^32 is a small step (deltas are
 * signed 32-bit, as the hub's jitter takes them); a step larger than the
 * limit either way (timestamps reset, jump by 2^31, jitter correction off)
 * is reported as a jump and not added, so one broken timestamp cannot make a
 * segment hours long (bad-inputs row 15). Audio and video share it; their
 * small interleaving offsets stay.
 */
export class MediaTimeline {
  private readonly limitMs: number;
  private lastRaw = -1;
  private t = 0;

  constructor(limitMs: number) {
    this.limitMs = limitMs;
  }

  next(raw: number): TimelinePoint {
    if (this.lastRaw < 0) {
      this.lastRaw = raw >>> 0;
      return { t: this.t, jump: false };
    }
    const d = signedDelta32(raw >>> 0, this.lastRaw);
    this.lastRaw = raw >>> 0;
    if (d > this.limitMs || d < -this.limitMs) return { t: this.t, jump: true };
    this.t += d;
    return { t: this.t, jump: false };
  }

  /** A new publish session: the next timestamp starts the timeline again, without a jump. */
  reset(): void {
    this.lastRaw = -1;
  }
}
