import { describe, expect, it } from 'vitest';
import { DriftTracer } from './drift-tracer.ts';

describe('DriftTracer (libsrt TSBPD drift: average of 1000 ACKACKs, 5 ms steps of the base)', () => {
  it('reports the average after a full span, nothing before', () => {
    const t = new DriftTracer(4, 5000);
    expect([t.sample(100), t.sample(200), t.sample(300)]).toEqual([0, 0, 0]);
    expect(t.driftUs).toBe(0);
    expect(t.sample(400)).toBe(0);
    expect(t.driftUs).toBe(250);
  });

  it('moves the base by 5 ms steps when the average exceeds them, keeping the remainder as drift', () => {
    const t = new DriftTracer(2, 5000);
    t.sample(7000);
    expect(t.sample(9000)).toBe(5000);
    expect(t.driftUs).toBe(3000);
    t.sample(-6000);
    expect(t.sample(-8000)).toBe(-5000);
    expect(t.driftUs).toBe(-2000);
  });
});
