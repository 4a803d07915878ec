import type { MediaKind } from './media-message.ts';

/**
 * Timestamp correction, done once per source so every consumer sees the same
 * corrected messages. Modes are SRS `play.time_jitter` (srs.md section 8,
 * SrsRtmpJitter::correct):
 * - `full` (SRS default): start at 0; each delta to the previous audio/video
 *   message is kept if it is within +-250 ms, else replaced by 10 ms; each
 *   track is non-decreasing; data messages take the current position.
 * - `zero`: subtract the first audio/video timestamp of the publish session.
 * - `off`: pass through.
 * `atc on` (SRS `play.atc`) skips correction: same as `off`.
 *
 * Every output is an integer in [0, 2^32), never NaN: raw input is first
 * normalized (non-finite -> the previous raw value, then floor, mod 2^32), and
 * deltas are taken modulo 2^32 as signed 32-bit numbers, so a wrap at 2^32 is
 * a small step forward and a jump of +2^31 is an out-of-range delta.
 */
export type TimeJitter = 'full' | 'zero' | 'off';

/** SRS CONST_MAX_JITTER_MS: larger steps (either way) are treated as a timeline break. */
export const MAX_JITTER_MS = 250;
/** SRS DEFAULT_FRAME_TIME_MS: the step used in place of a break. */
export const DEFAULT_FRAME_TIME_MS = 10;

const TWO_32 = 2 ** 32;

/** Integer in [0, 2^32) for any number (RTMP timestamps are 32-bit, Adobe RTMP spec 5.3.1.2.1). */
export function toUint32Ms(x: number): number {
  const f = Math.floor(x);
  return ((f % TWO_32) + TWO_32) % TWO_32;
}

/** Difference a - b of two 32-bit timestamps as a signed 32-bit number (serial arithmetic). */
export function signedDelta32(a: number, b: number): number {
  return (a - b) | 0;
}

export class TimestampJitter {
  readonly mode: TimeJitter;
  /** Previous normalized raw timestamp (any kind), or -1 before the first message. */
  private lastRaw = -1;
  /** Corrected timeline position of the previous message, before the 32-bit wrap. */
  private lastCorrected = 0;
  private started = false;
  /** A new publish session begins with the next message. */
  private sessionStart = true;
  /** zero mode: first raw timestamp of the session. */
  private base = 0;
  /** full mode: last corrected output per kind, to keep each track non-decreasing. */
  private lastVideo = -1;
  private lastAudio = -1;

  constructor(mode: TimeJitter) {
    this.mode = mode;
  }

  /** Call on every publish: the next message starts a new session (its raw timestamps are unrelated). */
  newSession(): void {
    this.sessionStart = true;
  }

  /** Corrected timestamp of a message of `kind` with raw timestamp `rawIn`. */
  correct(kind: MediaKind, rawIn: number): number {
    const raw = Number.isFinite(rawIn) ? toUint32Ms(rawIn) : this.lastRaw < 0 ? 0 : this.lastRaw;
    const sessionStart = this.sessionStart;
    this.sessionStart = false;
    if (this.mode === 'off') {
      this.lastRaw = raw;
      return raw;
    }
    if (this.mode === 'zero') {
      if (sessionStart && kind === 'data') {
        // the base is the first audio/video timestamp; leading metadata is at 0.
        this.sessionStart = true;
        return 0;
      }
      if (sessionStart) this.base = raw;
      this.lastRaw = raw;
      return Math.max(0, signedDelta32(raw, this.base));
    }
    return this.full(kind, raw, sessionStart);
  }

  private full(kind: MediaKind, raw: number, sessionStart: boolean): number {
    if (kind === 'data') {
      // SRS gives data messages ts 0 and keeps them out of the delta chain; we
      // also keep them out, but place them at the current timeline position so
      // a mid-stream onMetaData never steps an FLV/TS timeline back to 0.
      if (sessionStart) this.sessionStart = true;
      return Math.max(0, this.lastCorrected) % TWO_32;
    }
    let corrected: number;
    if (!this.started) {
      corrected = 0;
      this.started = true;
    } else if (sessionStart) {
      // a republish: raw timestamps restart from anything; continue the timeline.
      corrected = this.lastCorrected + DEFAULT_FRAME_TIME_MS;
    } else {
      let delta = signedDelta32(raw, this.lastRaw);
      if (delta < -MAX_JITTER_MS || delta > MAX_JITTER_MS) delta = DEFAULT_FRAME_TIME_MS;
      corrected = this.lastCorrected + delta;
    }
    this.lastRaw = raw;
    // The timeline may dip below 0 (audio just before the first video frame);
    // only the output is clamped, so the A/V offset survives (SRS clamps the
    // timeline itself and shifts every later frame instead).
    this.lastCorrected = corrected;
    if (corrected < 0) corrected = 0;
    // A/V interleave may step back up to 250 ms (kept, as in SRS, so A/V sync
    // holds); within one track the output never decreases (row 15: no
    // backwards DTS reaches a muxer). The clamp does not move the timeline.
    if (kind === 'video') {
      if (corrected < this.lastVideo) corrected = this.lastVideo;
      this.lastVideo = corrected;
    } else if (kind === 'audio') {
      if (corrected < this.lastAudio) corrected = this.lastAudio;
      this.lastAudio = corrected;
    }
    return corrected % TWO_32;
  }
}
