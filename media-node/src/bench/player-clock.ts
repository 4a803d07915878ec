/**
 * Does a player keep up with real time? A player remembers the wall time and
 * the media timestamp of its first frame; later, `lag = wall elapsed - media
 * elapsed`. A player that receives media at the rate it was published keeps a
 * constant lag (negative at first: a new player gets the GOP cache, up to one
 * keyframe interval of media, in one burst); a player the server starves sees
 * its lag grow by one second per second it is starved.
 *
 * Only coded frames move the clock (`isMediaFrame`): servers send sequence
 * headers with timestamp 0 or with the stream's current time, so they say
 * nothing about the media position.
 */
export class PlayerClock {
  private firstWall = -1;
  private firstMedia = 0;
  /** Last raw 32-bit timestamp and its unwrapped value (RTMP/FLV timestamps wrap at 2^32 ms). */
  private lastRaw = 0;
  private lastUnwrapped = 0;
  private maxUnwrapped = 0;
  frames = 0;

  get started(): boolean {
    return this.firstWall >= 0;
  }

  /** A media frame with 32-bit millisecond timestamp `timestamp` arrived at wall time `nowMs`. */
  onFrame(timestamp: number, nowMs: number): void {
    const ts = timestamp >>> 0;
    this.frames++;
    if (this.firstWall < 0) {
      this.firstWall = nowMs;
      this.firstMedia = ts;
      this.lastRaw = ts;
      this.lastUnwrapped = ts;
      this.maxUnwrapped = ts;
      return;
    }
    // Signed 32-bit difference: a step from 0xFFFFFFF0 to 0x10 is +32 ms, not -4 billion.
    this.lastUnwrapped += (ts - this.lastRaw) | 0;
    this.lastRaw = ts;
    if (this.lastUnwrapped > this.maxUnwrapped) this.maxUnwrapped = this.lastUnwrapped;
  }

  /** Milliseconds of media received since the first frame (by the largest timestamp seen). */
  mediaElapsedMs(): number {
    return this.firstWall < 0 ? 0 : this.maxUnwrapped - this.firstMedia;
  }

  /** Wall elapsed minus media elapsed at `nowMs`; undefined before the first frame. */
  lagMs(nowMs: number): number | undefined {
    if (this.firstWall < 0) return undefined;
    return nowMs - this.firstWall - this.mediaElapsedMs();
  }
}

/**
 * Whether an FLV tag / RTMP message of type `typeId` carries a coded audio or
 * video frame, i.e. moves the media clock. Not: script data, empty bodies,
 * and decoder configurations. Legacy FLV (Adobe FLV spec v10.1 E.4.2.1 /
 * E.4.3.1): AVC/HEVC video with AVCPacketType 0, AAC audio with
 * AACPacketType 0 are configurations. Enhanced RTMP v2: video with IsExHeader
 * set and PacketType 0 (SequenceStart), audio SoundFormat 9 (ExHeader) with
 * PacketType 0.
 */
export function isMediaFrame(typeId: number, body: Uint8Array): boolean {
  if (body.length === 0) return false;
  const b0 = body[0]!;
  if (typeId === 9) {
    if (b0 & 0x80) return (b0 & 0x0f) !== 0;
    const codec = b0 & 0x0f;
    return !((codec === 7 || codec === 12) && body[1] === 0);
  }
  if (typeId === 8) {
    const format = b0 >> 4;
    if (format === 10) return body[1] !== 0;
    if (format === 9) return (b0 & 0x0f) !== 0;
    return true;
  }
  return false;
}

export interface LagSummary {
  readonly players: number;
  /** Players that got media and are still connected. */
  readonly playing: number;
  /** Playing players whose lag is under the threshold. */
  readonly keepingUp: number;
  /** Largest lag among playing players, ms (0 when none play). */
  readonly maxLagMs: number;
  /** Median lag among playing players, ms (0 when none play). */
  readonly medianLagMs: number;
}

/**
 * Folds the players' lags at the end of a window (null: never got a frame,
 * or closed): a player keeps up if it is still playing and its lag is under
 * `thresholdMs`.
 */
export function summarizeLags(lags: readonly (number | null)[], thresholdMs: number): LagSummary {
  const playing = lags.filter((l): l is number => l !== null).sort((a, b) => a - b);
  return {
    players: lags.length,
    playing: playing.length,
    keepingUp: playing.filter((l) => l < thresholdMs).length,
    maxLagMs: playing.length > 0 ? playing[playing.length - 1]! : 0,
    medianLagMs: playing.length > 0 ? playing[(playing.length - 1) >> 1]! : 0,
  };
}
