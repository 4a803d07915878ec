import { describe, expect, it } from 'vitest';
import { test as fcTest, fc } from '@fast-check/vitest';
import { backoffDelay, DEFAULT_BACKOFF } from './backoff.ts';

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
