/**
 * Bytes per second over a sliding window, for the SRS API `kbps.recv_30s` /
 * `kbps.send_30s` (srs.md 2.4). One-second buckets in a fixed ring: adding is
 * O(1) amortized and allocates nothing. Time comes in as `now` (ms).
 */

/** SRS reports 30 s averages (SrsKbps, `recv_30s`). */
export const RATE_WINDOW_SECONDS = 30;

export class RateMeter {
  private readonly buckets: Float64Array;
  /** Second (floor(now / 1000)) of the newest bucket, or -1 before the first sample. */
  private head = -1;
  private readonly startedAt: number;

  constructor(now: number, windowSeconds = RATE_WINDOW_SECONDS) {
    this.buckets = new Float64Array(windowSeconds);
    this.startedAt = now;
  }

  add(bytes: number, now: number): void {
    this.advance(now);
    this.buckets[this.slot(this.head)] += bytes;
  }

  /**
   * Average kilobits per second over the window (or since creation, if that
   * is shorter, with a 1 s floor so a first burst does not read as infinite).
   */
  kbps(now: number): number {
    this.advance(now);
    let sum = 0;
    for (let i = 0; i < this.buckets.length; i++) sum += this.buckets[i];
    const windowMs = this.buckets.length * 1000;
    const spanMs = Math.min(windowMs, Math.max(1000, now - this.startedAt));
    return Math.round((sum * 8) / spanMs);
  }

  private slot(sec: number): number {
    const n = this.buckets.length;
    return ((sec % n) + n) % n;
  }

  private advance(now: number): void {
    const sec = Math.floor(now / 1000);
    if (!Number.isFinite(sec)) return;
    if (this.head < 0) {
      this.head = sec;
      return;
    }
    if (sec <= this.head) return; // clocks that step back keep filling the newest bucket
    const steps = Math.min(sec - this.head, this.buckets.length);
    for (let i = 1; i <= steps; i++) this.buckets[this.slot(this.head + i)] = 0;
    this.head = sec;
  }
}
