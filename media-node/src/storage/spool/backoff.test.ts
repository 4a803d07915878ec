import { describe, expect, it } from 'vitest';
import { test as fcTest, fc } from '@fast-check/vitest';
import { backoffDelay, DEFAULT_BACKOFF, RetryState } from './backoff.ts';

describe('backoffDelay', () => {
  const cases = [
    { failures: 1, random: 0, delay: 125 },
    { failures: 1, random: 1, delay: 250 },
    { failures: 2, random: 0, delay: 250 },
    { failures: 3, random: 0.5, delay: 750 },
    { failures: 5, random: 1, delay: 4000 },
    { failures: 6, random: 1, delay: 5000 },
    { failures: 6, random: 0, delay: 2500 },
    { failures: 1000, random: 1, delay: 5000 },
    { failures: 0, random: 1, delay: 250 },
  ];
  it.each(cases)('after $failures failures with random $random waits $delay ms', (c) => {
    expect(backoffDelay(c.failures, DEFAULT_BACKOFF, () => c.random)).toBe(c.delay);
  });

  fcTest.prop([fc.integer({ min: -5, max: 1e9 }), fc.double({ min: -1, max: 2, noNaN: true })])(
    'stays within [max/2 .. max] of its exponential ceiling, never above maxMs',
    (failures, random) => {
      const d = backoffDelay(failures, DEFAULT_BACKOFF, () => random);
      expect(d).toBeGreaterThanOrEqual(DEFAULT_BACKOFF.baseMs / 2);
      expect(d).toBeLessThanOrEqual(DEFAULT_BACKOFF.maxMs);
      expect(Number.isInteger(d)).toBe(true);
    },
  );
});

describe('RetryState', () => {
  it('is degraded from the first failure to the next success, waiting out each backoff delay', () => {
    const r = new RetryState(DEFAULT_BACKOFF, () => 1);
    expect([r.degraded, r.waitMs(0)]).toEqual([false, 0]);
    expect(r.failed(1000)).toEqual({ delayMs: 250, began: true });
    expect([r.degraded, r.waitMs(1100), r.waitMs(1250)]).toEqual([true, 150, 0]);
    expect(r.failed(1300)).toEqual({ delayMs: 500, began: false });
    expect(r.waitMs(1300)).toBe(500);
    expect(r.succeeded(4000)).toBe(3000);
    expect([r.degraded, r.waitMs(4000), r.succeeded(5000)]).toEqual([false, 0, null]);
    expect(r.failed(6000)).toEqual({ delayMs: 250, began: true });
  });
});
