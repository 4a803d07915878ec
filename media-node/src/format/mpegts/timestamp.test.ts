import { describe, expect, it } from 'vitest';
import { test as fcTest, fc } from '@fast-check/vitest';
import { msTo90k, unwrap33, wrap33 } from './timestamp.ts';

const M = 2 ** 33;

describe('90 kHz timestamps', () => {
  it('converts milliseconds', () => {
    expect(msTo90k(0)).toBe(0);
    expect(msTo90k(40)).toBe(3600);
    expect(msTo90k(0xffffffff)).toBe(386_547_056_550); // past 2^33: wrap33 is the muxer's job
  });

  it('wraps to 33 bits', () => {
    expect(wrap33(M)).toBe(0);
    expect(wrap33(M + 7)).toBe(7);
    expect(wrap33(-1)).toBe(M - 1);
  });

  it('unwraps across 2^33 in both directions', () => {
    expect(unwrap33(M - 100, 50)).toBe(M + 50);
    expect(unwrap33(M + 50, M - 100)).toBe(M - 100);
    expect(unwrap33(3 * M + 10, 20)).toBe(3 * M + 20);
  });

  fcTest.prop([fc.integer({ min: 0, max: 2 ** 40 }), fc.integer({ min: -(2 ** 31), max: 2 ** 31 })])(
    'unwrap33 recovers any value within 2^32 of its reference',
    (ref, delta) => {
      const v = ref + delta;
      if (v < 0) return;
      expect(unwrap33(ref, wrap33(v))).toBe(v);
    },
  );
});
