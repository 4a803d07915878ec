import { describe, expect, it } from 'vitest';
import { test as fcTest, fc } from '@fast-check/vitest';
import { Backoff, backoffDelay, DEFAULT_RECONNECT, reconnectOptions } from './backoff.ts';

const opts = reconnectOptions({ initialDelayMs: 100, maxDelayMs: 1000, jitter: 0.5 });

const cases = [
  { name: 'first retry, no randomness', attempt: 0, r: 0, delay: 100 },
  { name: 'first retry, most randomness', attempt: 0, r: 0.999, delay: 50 },
  { name: 'doubles', attempt: 1, r: 0, delay: 200 },
  { name: 'doubles again', attempt: 3, r: 0, delay: 800 },
  { name: 'capped', attempt: 4, r: 0, delay: 1000 },
  { name: 'capped with jitter', attempt: 9, r: 0.5, delay: 750 },
  { name: 'huge attempt stays finite', attempt: 10_000, r: 0, delay: 1000 },
];

describe('backoffDelay', () => {
  it.each(cases)('$name', (c) => expect(backoffDelay(c.attempt, opts, c.r)).toBe(c.delay));

  fcTest.prop([fc.nat({ max: 1e6 }), fc.double({ min: 0, max: 1, maxExcluded: true, noNaN: true })])(
    'stays within [(1 - jitter) * nominal, nominal] and under the ceiling',
    (attempt, r) => {
      const d = backoffDelay(attempt, opts, r);
      const nominal = Math.min(opts.maxDelayMs, opts.initialDelayMs * 2 ** Math.min(attempt, 30));
      expect(d).toBeGreaterThanOrEqual(Math.floor(nominal * (1 - opts.jitter)));
      expect(d).toBeLessThanOrEqual(opts.maxDelayMs);
    },
  );
});

describe('Backoff', () => {
  it('grows per failure, resets on success, and gives up after maxAttempts', () => {
    const b = new Backoff(reconnectOptions({ initialDelayMs: 10, maxDelayMs: 35, maxAttempts: 4, jitter: 0 }));
    expect([b.next(), b.next(), b.next()]).toEqual([10, 20, 35]);
    b.reset();
    expect([b.next(), b.next(), b.next(), b.next(), b.next()]).toEqual([10, 20, 35, 35, null]);
    expect(b.failures).toBe(4);
  });

  it('maxAttempts 0 never retries', () => {
    expect(new Backoff(reconnectOptions({ maxAttempts: 0 })).next()).toBeNull();
  });

  it('uses the injected randomness for jitter', () => {
    const b = new Backoff(reconnectOptions({ initialDelayMs: 1000, jitter: 1 }), () => 0.25);
    expect(b.next()).toBe(750);
  });
});

describe('reconnectOptions', () => {
  it('fills defaults, ignoring undefined fields', () => {
    expect(reconnectOptions({ maxDelayMs: undefined })).toEqual(DEFAULT_RECONNECT);
  });

  it.each([
    { initialDelayMs: 0 },
    { initialDelayMs: Number.NaN },
    { initialDelayMs: 100, maxDelayMs: 50 },
    { maxDelayMs: Infinity },
    { maxAttempts: -1 },
    { maxAttempts: 1.5 },
    { jitter: 1.5 },
    { jitter: -0.1 },
  ])('refuses %o', (o) => expect(() => reconnectOptions(o)).toThrow(RangeError));
});
