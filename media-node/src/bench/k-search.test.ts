import { describe, expect, it } from 'vitest';
import { test as fcTest, fc } from '@fast-check/vitest';
import { MAX_SEARCH_STEPS, nextSearchK, searchBounds } from './k-search.ts';

const tried = (entries: [number, boolean][]) => new Map(entries);

describe('nextSearchK', () => {
  it.each([
    { name: 'doubles the largest real-time K', tried: tried([[1, true], [4, true], [8, true]]), max: 64, want: 16 },
    { name: 'stops doubling at the limit', tried: tried([[8, true], [16, true], [32, true]]), max: 40, want: 40 },
    { name: 'stops at the limit when it was real time', tried: tried([[40, true]]), max: 40, want: undefined },
    { name: 'bisects between good and bad', tried: tried([[8, true], [16, false]]), max: 64, want: 12 },
    { name: 'stops when good and bad are within K/8', tried: tried([[32, true], [36, false]]), max: 64, want: undefined },
    { name: 'stops when they are adjacent', tried: tried([[1, true], [2, false]]), max: 64, want: undefined },
    { name: 'looks below K when even the smallest K failed', tried: tried([[4, false], [8, false]]), max: 64, want: 2 },
    { name: 'ignores a failure below a larger success (noise)', tried: tried([[4, false], [8, true]]), max: 64, want: 16 },
  ])('$name', (c) => {
    expect(nextSearchK(c.tried, c.max)).toBe(c.want);
  });
});

describe('searchBounds', () => {
  it('finds the largest success and the smallest failure above it', () => {
    expect(searchBounds(tried([[1, true], [4, false], [8, true], [16, false], [32, false]]))).toEqual({ good: 8, bad: 16 });
    expect(searchBounds(tried([]))).toEqual({ good: 0, bad: undefined });
  });
});

fcTest.prop([fc.integer({ min: 1, max: 256 }), fc.integer({ min: 1, max: 256 })])(
  'on a node that keeps up to exactly T streams, the search ends within K/8 of T in a bounded number of steps',
  (threshold, max) => {
    const t = new Map<number, boolean>([[1, 1 <= threshold]]);
    let steps = 0;
    for (let k = nextSearchK(t, max); k !== undefined; k = nextSearchK(t, max)) {
      expect(k).toBeGreaterThanOrEqual(1);
      expect(k).toBeLessThanOrEqual(max);
      t.set(k, k <= threshold);
      steps++;
      expect(steps).toBeLessThanOrEqual(MAX_SEARCH_STEPS);
    }
    const { good, bad } = searchBounds(t);
    if (threshold >= max) expect(good).toBe(max);
    else expect(bad! - good).toBeLessThanOrEqual(Math.max(1, Math.floor(good / 8)));
    expect(good).toBeLessThanOrEqual(threshold);
  },
);
