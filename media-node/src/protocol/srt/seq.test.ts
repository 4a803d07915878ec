import { describe, expect, it } from 'vitest';
import { test as fcTest, fc } from '@fast-check/vitest';
import { MAX_SEQ, seqAdd, seqDec, seqDiff, seqInc, seqLess, seqRangeLength } from './seq.ts';

describe('31-bit sequence numbers', () => {
  it('wraps from MAX_SEQ to 0 and back', () => {
    expect(seqInc(MAX_SEQ)).toBe(0);
    expect(seqDec(0)).toBe(MAX_SEQ);
    expect(seqAdd(MAX_SEQ - 1, 3)).toBe(1);
    expect(seqAdd(1, -3)).toBe(MAX_SEQ - 1);
  });

  it('orders across the wrap', () => {
    expect(seqDiff(MAX_SEQ, 0)).toBe(1);
    expect(seqDiff(0, MAX_SEQ)).toBe(-1);
    expect(seqLess(MAX_SEQ - 5, 2)).toBe(true);
    expect(seqLess(2, MAX_SEQ - 5)).toBe(false);
    expect(seqRangeLength(MAX_SEQ, 1)).toBe(3);
  });

  fcTest.prop([fc.nat({ max: MAX_SEQ }), fc.integer({ min: -0x3fffffff, max: 0x3fffffff })])('seqDiff(a, a + n) is n', (a, n) => {
    expect(seqDiff(a, seqAdd(a, n))).toBe(n);
    expect(seqLess(a, seqAdd(a, n))).toBe(n > 0);
  });
});
