import { ProtocolError } from '@runnel/shared';

/** RFC 6184 8.2.1 (and every WebRTC video codec): video RTP timestamps run at 90 kHz. */
export const VIDEO_RTP_CLOCK_RATE = 90_000;

/** 2^32: RTP timestamps are unsigned 32-bit (RFC 3550 5.1) and wrap. */
const WRAP = 0x1_0000_0000;

/**
 * Extends 32-bit RTP timestamps to a continuous number (RFC 3550 A.1 does the
 * same for sequence numbers): each timestamp is placed at the signed 32-bit
 * distance from the previous one, so a wrap adds 2^32 instead of jumping back
 * 13 hours (90 kHz) or 24 hours (48 kHz). Small steps back (reordering) stay
 * small steps back. Doubles keep integers exact up to 2^53: 3 000 years at
 * 90 kHz.
 */
export class RtpTimestampUnwrapper {
  private last: number | undefined;
  private lastExt = 0;

  unwrap(ts: number): number {
    const t = ts >>> 0;
    if (this.last === undefined) {
      this.last = t;
      this.lastExt = t;
      return t;
    }
    const delta = ((t - this.last) | 0);
    this.last = t;
    this.lastExt += delta;
    return this.lastExt;
  }
}

/**
 * Maps one stream's RTP timestamps to the hub's millisecond timeline. By
 * default the first timestamp seen is `originMs` (0); `anchor(rtpTs, ms)`
 * moves the mapping, e.g. to line audio and video up by their RTCP sender
 * reports (the same NTP instant at both clocks' RTP timestamps, RFC 3550
 * 6.4.1). Milliseconds are floored; the result can be negative for a packet
 * from before the anchor, which the caller clamps or drops. The hub keeps
 * 32-bit millisecond timestamps (FLV), so the caller takes the result modulo
 * 2^32 when it writes FLV, as RTMP does after 49.7 days.
 *
 * @example
 * const video = new RtpMsClock(VIDEO_RTP_CLOCK_RATE);
 * hub.publish({ ..., timestamp: video.toMs(au.rtpTimestamp) });
 */
export class RtpMsClock {
  readonly clockRate: number;
  private readonly unwrapper = new RtpTimestampUnwrapper();
  private base: number | undefined;
  private baseMs: number;

  constructor(clockRate: number, originMs = 0) {
    if (!Number.isInteger(clockRate) || clockRate <= 0) throw new ProtocolError('rtp_clock_rate', `clock rate ${clockRate}`);
    this.clockRate = clockRate;
    this.baseMs = originMs;
  }

  /** Unwrapped RTP timestamp of `ts` (feeds the unwrapper: call in arrival order). */
  private extend(ts: number): number {
    const ext = this.unwrapper.unwrap(ts);
    this.base ??= ext;
    return ext;
  }

  toMs(ts: number): number {
    const ext = this.extend(ts);
    return this.baseMs + Math.floor(((ext - this.base!) * 1000) / this.clockRate);
  }

  /** From now on `ts` maps to `ms`. */
  anchor(ts: number, ms: number): void {
    this.base = this.extend(ts);
    this.baseMs = ms;
  }
}

/**
 * The RTP timestamp of hub time `ms` for a stream whose timestamps start at
 * `base` (RFC 3550 5.1: the initial value should be random), wrapped to 32 bits.
 */
export function msToRtpTimestamp(ms: number, clockRate: number, base = 0): number {
  return (base + Math.round((ms * clockRate) / 1000)) % WRAP >>> 0;
}

/** RFC 3550 4: an NTP timestamp (seconds since 1900 + 32-bit fraction) in milliseconds. */
export function ntpToMs(seconds: number, fraction: number): number {
  return seconds * 1000 + Math.round((fraction * 1000) / WRAP);
}
