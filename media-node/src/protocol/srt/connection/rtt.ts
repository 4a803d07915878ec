import { INITIAL_RTT_MS } from '../limits.ts';

/**
 * Smoothed round trip time from ACK/ACKACK pairs (draft-sharabayko-srt
 * 4.10): the first sample replaces the initial guess (variance half of it),
 * later ones are blended 7/8 + 1/8, the variance 3/4 + 1/4, as libsrt does.
 * Microseconds.
 */
export class RttEstimator {
  rttUs = INITIAL_RTT_MS * 1000;
  rttVarUs = (INITIAL_RTT_MS * 1000) / 2;
  private measured = false;

  get hasSample(): boolean {
    return this.measured;
  }

  sample(us: number): void {
    const s = Math.max(0, Math.round(us));
    if (!this.measured) {
      this.measured = true;
      this.rttUs = s;
      this.rttVarUs = Math.round(s / 2);
      return;
    }
    this.rttVarUs = Math.round((3 * this.rttVarUs + Math.abs(this.rttUs - s)) / 4);
    this.rttUs = Math.round((7 * this.rttUs + s) / 8);
  }

  /** Adopts the peer's estimate (from a full ACK) until we measure our own. */
  adopt(rttUs: number, rttVarUs: number): void {
    if (this.measured) return;
    this.rttUs = rttUs;
    this.rttVarUs = rttVarUs;
  }
}
