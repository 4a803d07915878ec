/**
 * Packet timestamps are 32-bit microseconds and wrap every 71.6 minutes
 * (draft-sharabayko-srt 4.5.1.1). The receiver unwraps them against the
 * largest one seen so far: a value more than half the range away is taken as
 * being on the other side of a wrap, so retransmitted (older) packets and
 * packets after the wrap both land on a continuous microsecond scale.
 */
const WRAP = 0x1_0000_0000;
const HALF = 0x8000_0000;

export class TimestampUnwrapper {
  private latest: number | null = null;

  unwrap(ts: number): number {
    if (this.latest === null) {
      this.latest = ts;
      return ts;
    }
    let t = Math.floor(this.latest / WRAP) * WRAP + ts;
    if (t < this.latest - HALF) t += WRAP;
    else if (t > this.latest + HALF) t -= WRAP;
    if (t > this.latest) this.latest = t;
    return t;
  }
}
