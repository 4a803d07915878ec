import { describe, expect, it } from 'vitest';
import { RateMeter } from './rate-meter.ts';

describe('RateMeter', () => {
  it('averages over the time since start until the window is full', () => {
    const m = new RateMeter(0);
    m.add(30_000, 0);
    expect(m.kbps(500)).toBe(240); // 1 s floor: 30 kB/s
    expect(m.kbps(10_000)).toBe(24); // 30 kB over 10 s
    expect(m.kbps(29_999)).toBe(8); // over the full 30 s window
  });

  it('forgets bytes older than the window', () => {
    const m = new RateMeter(0);
    m.add(30_000, 0);
    m.add(15_000, 20_500);
    expect(m.kbps(29_999)).toBe(12); // (30 + 15) kB over 30 s
    expect(m.kbps(30_000)).toBe(4); // the first second left the window
    expect(m.kbps(60_000)).toBe(0);
  });

  it('keeps counting when the clock steps back or jumps far ahead', () => {
    const m = new RateMeter(100_000);
    m.add(1_000, 100_000);
    m.add(1_000, 90_000);
    expect(m.kbps(100_500)).toBe(16);
    m.add(3_750, 10_000_000);
    expect(m.kbps(10_000_000)).toBe(1);
  });
});
