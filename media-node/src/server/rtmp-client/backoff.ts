/**
 * Reconnect delays: exponential backoff with jitter, bounded in delay and
 * (optionally) in attempts. Pure: the random source is injected.
 *
 * delay(n) = min(maxDelayMs, initialDelayMs * 2^n) * (1 - jitter * r), r in [0, 1)
 *
 * With the default jitter 0.5 a delay lands in [d/2, d] ("equal jitter"):
 * many clients cut off by one server restart spread their reconnects instead
 * of arriving together, and none retries sooner than half the nominal delay.
 */
export interface ReconnectOptions {
  /** Delay before the first retry (ms). */
  readonly initialDelayMs?: number;
  /** Ceiling of the doubling delay (ms). */
  readonly maxDelayMs?: number;
  /** Consecutive failed attempts before giving up; Infinity (the default) retries forever. */
  readonly maxAttempts?: number;
  /** Fraction of each delay that is random, 0..1. */
  readonly jitter?: number;
}

/**
 * 1 s first retry (an RTMP restart is back within seconds; SRS's forwarder
 * retries every 3 s), doubling to 30 s so a server that is gone for good
 * costs one connection attempt every 15-30 s.
 */
export const DEFAULT_RECONNECT: Required<ReconnectOptions> = {
  initialDelayMs: 1000,
  maxDelayMs: 30_000,
  maxAttempts: Infinity,
  jitter: 0.5,
};

/** 2^30 times any sane initial delay is already past any ceiling; keeps the power finite. */
const MAX_DOUBLINGS = 30;

/** Validated options with defaults; throws RangeError on values that make no sense (a caller bug). */
export function reconnectOptions(o: ReconnectOptions = {}): Required<ReconnectOptions> {
  const r = { ...DEFAULT_RECONNECT, ...stripUndefined(o) };
  if (!(r.initialDelayMs > 0) || !Number.isFinite(r.initialDelayMs)) throw new RangeError(`reconnect.initialDelayMs ${r.initialDelayMs} must be > 0`);
  if (!(r.maxDelayMs >= r.initialDelayMs) || !Number.isFinite(r.maxDelayMs)) {
    throw new RangeError(`reconnect.maxDelayMs ${r.maxDelayMs} must be >= initialDelayMs ${r.initialDelayMs}`);
  }
  if (!(r.maxAttempts >= 0) || (Number.isFinite(r.maxAttempts) && !Number.isInteger(r.maxAttempts))) {
    throw new RangeError(`reconnect.maxAttempts ${r.maxAttempts} must be a whole number >= 0 or Infinity`);
  }
  if (!(r.jitter >= 0 && r.jitter <= 1)) throw new RangeError(`reconnect.jitter ${r.jitter} must be within 0..1`);
  return r;
}

/** The delay before retry number `attempt` (0-based), for a random value `r` in [0, 1). */
export function backoffDelay(attempt: number, o: Required<ReconnectOptions>, r: number): number {
  const nominal = Math.min(o.maxDelayMs, o.initialDelayMs * 2 ** Math.min(attempt, MAX_DOUBLINGS));
  return Math.round(nominal * (1 - o.jitter * r));
}

/** Counts consecutive failures and hands out the next delay, or null when attempts are used up. */
export class Backoff {
  private readonly opts: Required<ReconnectOptions>;
  private readonly random: () => number;
  private failed = 0;

  constructor(opts: Required<ReconnectOptions>, random: () => number = Math.random) {
    this.opts = opts;
    this.random = random;
  }

  /** Retries scheduled since the last success. */
  get failures(): number {
    return this.failed;
  }

  /** The delay before the next attempt, or null when `maxAttempts` retries were already made. */
  next(): number | null {
    if (this.failed >= this.opts.maxAttempts) return null;
    return backoffDelay(this.failed++, this.opts, this.random());
  }

  /** A connection reached publishing/playing: the next failure starts again at the initial delay. */
  reset(): void {
    this.failed = 0;
  }
}

function stripUndefined<T extends object>(o: T): Partial<T> {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as Partial<T>;
}
