import { test as fcTest, fc } from '@fast-check/vitest';
import { describe, expect, it } from 'vitest';
import type { MediaKind } from './media-message.ts';
import { TimestampJitter, toUint32Ms } from './timestamp-jitter.ts';
import type { TimeJitter } from './timestamp-jitter.ts';

const V = 'video';
const A = 'audio';
const D = 'data';
const TWO_32 = 2 ** 32;
const TWO_31 = 2 ** 31;

/** 'new-session' marks a publish() between messages. */
type Step = readonly [MediaKind, number] | 'new-session';

interface Case {
  name: string;
  mode: TimeJitter;
  steps: readonly Step[];
  /** Corrected timestamps, one per message step. */
  out: readonly number[];
}

// Expected values follow SrsRtmpJitter::correct (srs.md section 8), worked by hand.
const cases: Case[] = [
  { name: 'full: starts at 0 and keeps small deltas', mode: 'full', steps: [[V, 5000], [V, 5040], [V, 5080]], out: [0, 40, 80] },
  { name: 'full: A/V interleave may step back within 250 ms', mode: 'full', steps: [[V, 0], [V, 40], [V, 80], [A, 60], [V, 120]], out: [0, 40, 80, 60, 120] },
  { name: 'full: a backwards jump > 250 ms becomes +10 ms', mode: 'full', steps: [[V, 1000], [V, 1040], [V, 40], [V, 80]], out: [0, 40, 50, 90] },
  { name: 'full: a forward jump > 250 ms becomes +10 ms', mode: 'full', steps: [[V, 0], [V, 40], [V, 90_000], [V, 90_040]], out: [0, 40, 50, 90] },
  { name: 'full: wrap at 2^32 is a small step forward', mode: 'full', steps: [[V, TWO_32 - 40], [V, TWO_32], [V, 40]], out: [0, 40, 80] },
  { name: 'full: a jump of +2^31 is a break (row 15)', mode: 'full', steps: [[V, 0], [V, 40], [V, 40 + TWO_31], [V, 80 + TWO_31]], out: [0, 40, 50, 90] },
  { name: 'full: NaN and Infinity repeat the previous raw value', mode: 'full', steps: [[V, 0], [V, 40], [V, NaN], [V, Infinity], [V, 80]], out: [0, 40, 40, 40, 80] },
  { name: 'full: a track never goes backwards; the timeline offset is kept', mode: 'full', steps: [[V, 0], [V, 200], [V, 40], [V, 240], [V, 280]], out: [0, 200, 200, 240, 280] },
  { name: 'full: never negative', mode: 'full', steps: [[V, 100], [A, 0], [V, 140]], out: [0, 0, 40] },
  { name: 'full: data takes the current position and stays out of the delta chain', mode: 'full', steps: [[D, 0], [V, 5000], [V, 5040], [D, 0], [V, 5080]], out: [0, 0, 40, 40, 80] },
  { name: 'full: a republish continues the timeline at +10 ms', mode: 'full', steps: [[V, 0], [V, 40], 'new-session', [V, 90_000], [V, 90_040]], out: [0, 40, 50, 90] },
  { name: 'zero: subtracts the first A/V timestamp', mode: 'zero', steps: [[D, 0], [V, 5000], [V, 5040], [V, 95_000]], out: [0, 0, 40, 90_000] },
  { name: 'zero: before the base clamps to 0', mode: 'zero', steps: [[V, 5000], [A, 4990], [V, 5040]], out: [0, 0, 40] },
  { name: 'zero: wraps at 2^32 like serial numbers', mode: 'zero', steps: [[V, TWO_32 - 40], [V, 40]], out: [0, 80] },
  { name: 'zero: each session starts at 0', mode: 'zero', steps: [[V, 100], [V, 140], 'new-session', [V, 7000]], out: [0, 40, 0] },
  { name: 'off: passes through, normalized to [0, 2^32)', mode: 'off', steps: [[V, 5000], [V, NaN], [V, -1], [V, TWO_32 + 5], [V, 7.9]], out: [5000, 5000, TWO_32 - 1, 5, 7] },
];

function run(mode: TimeJitter, steps: readonly Step[]): number[] {
  const j = new TimestampJitter(mode);
  const out: number[] = [];
  for (const s of steps) {
    if (s === 'new-session') j.newSession();
    else out.push(j.correct(s[0], s[1]));
  }
  return out;
}

describe('TimestampJitter', () => {
  it.each(cases)('$name', (c) => {
    expect(run(c.mode, c.steps)).toEqual(c.out);
  });

  it('normalizes any number into [0, 2^32)', () => {
    expect([0, -1, TWO_32, TWO_32 + 1, -TWO_32 - 1, 1.5, 2 ** 60].map(toUint32Ms)).toEqual([
      0, TWO_32 - 1, 0, 1, TWO_32 - 1, 1, 0,
    ]);
  });

  const step = fc.oneof(
    fc.tuple(fc.constantFrom<MediaKind>(V, A, D), fc.oneof(fc.integer({ min: 0, max: 2 ** 32 - 1 }), fc.double())),
    fc.constant<'new-session'>('new-session'),
  );

  fcTest.prop([fc.constantFrom<TimeJitter>('full', 'zero', 'off'), fc.array(step, { maxLength: 200 })])(
    'always yields integers in [0, 2^32)',
    (mode, steps) => {
      for (const t of run(mode, steps)) {
        expect(Number.isInteger(t)).toBe(true);
        expect(t).toBeGreaterThanOrEqual(0);
        expect(t).toBeLessThan(TWO_32);
      }
    },
  );

  fcTest.prop([fc.array(fc.tuple(fc.constantFrom<MediaKind>(V, A), fc.integer({ min: 0, max: 2 ** 32 - 1 })), { maxLength: 200 })])(
    'full mode: each track is non-decreasing and steps at most 250 ms',
    (steps) => {
      const j = new TimestampJitter('full');
      const last: Record<string, number> = {};
      let timeline = 0;
      for (const [kind, raw] of steps) {
        const t = j.correct(kind, raw);
        if (last[kind] !== undefined) expect(t).toBeGreaterThanOrEqual(last[kind]);
        expect(t).toBeLessThanOrEqual(timeline + 250);
        timeline = Math.max(timeline, t);
        last[kind] = t;
      }
    },
  );
});
