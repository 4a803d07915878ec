/**
 * Where the hub gets the time: injected, so nothing in hub/ reads Date.now()
 * and tests drive time by hand. Milliseconds, monotonic enough for rates and
 * merged-write deadlines (the server passes `performance.now()`-based or
 * `Date.now()`-based clocks; the hub only subtracts them).
 */
export interface Clock {
  now(): number;
}

/** A clock tests move by hand. */
export class FakeClock implements Clock {
  private t: number;

  constructor(start = 0) {
    this.t = start;
  }

  now(): number {
    return this.t;
  }

  advance(ms: number): void {
    this.t += ms;
  }

  set(ms: number): void {
    this.t = ms;
  }
}
