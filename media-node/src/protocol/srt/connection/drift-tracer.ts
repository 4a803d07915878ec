import { DRIFT_SAMPLES, MAX_DRIFT_US } from '../limits.ts';

/**
 * Tracks how the peer's clock drifts against ours (libsrt `DriftTracer` in
 * TSBPD, draft-sharabayko-srt 4.7): every ACKACK gives a sample, arrival time
 * minus the time its timestamp maps to; each `samples` samples the average
 * becomes the drift. An average beyond `maxDriftUs` moves the time base by
 * that much (the overdrift) and keeps the rest as drift, so delivery times
 * follow a peer clock that runs fast or slow instead of stretching or
 * shrinking the latency for hours.
 */
export class DriftTracer {
  /** Current drift, µs, added to delivery times. */
  driftUs = 0;
  private sum = 0;
  private span = 0;
  private readonly samples: number;
  private readonly maxDriftUs: number;

  constructor(samples = DRIFT_SAMPLES, maxDriftUs = MAX_DRIFT_US) {
    this.samples = samples;
    this.maxDriftUs = maxDriftUs;
  }

  /** Adds a sample (µs); returns the overdrift (µs) to move the time base by, 0 when none. */
  sample(us: number): number {
    this.sum += us;
    this.span++;
    if (this.span < this.samples) return 0;
    let drift = this.sum / this.span;
    this.sum = 0;
    this.span = 0;
    let over = 0;
    if (Math.abs(drift) > this.maxDriftUs) {
      over = drift < 0 ? -this.maxDriftUs : this.maxDriftUs;
      drift -= over;
    }
    this.driftUs = drift;
    return over;
  }
}
