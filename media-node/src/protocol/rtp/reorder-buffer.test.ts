import { describe, expect, it } from 'vitest';
import { test as fcTest, fc } from '@fast-check/vitest';
import { MAX_REORDER_PACKETS, REORDER_WAIT_MS, RtpReorderBuffer } from './reorder-buffer.ts';

const p = (sequenceNumber: number) => ({ sequenceNumber });
const seqs = (list: readonly { sequenceNumber: number }[]) => list.map((x) => x.sequenceNumber);

/** Feeds [seq, time] pairs; returns what came out after each push. */
function feed(b: RtpReorderBuffer<{ sequenceNumber: number }>, input: readonly [number, number][]): number[][] {
  return input.map(([s, t]) => seqs(b.push(p(s), t)));
}

describe('RtpReorderBuffer', () => {
  it('passes packets in order straight through, holding nothing', () => {
    const b = new RtpReorderBuffer();
    expect(feed(b, [[10, 0], [11, 1], [12, 2]])).toEqual([[10], [11], [12]]);
    expect(b.size).toBe(0);
  });

  it('puts reordered packets back in order (1 3 2 4)', () => {
    const b = new RtpReorderBuffer();
    expect(feed(b, [[1, 0], [3, 1], [2, 2], [4, 3]])).toEqual([[1], [], [2, 3], [4]]);
    expect(b.stats).toMatchObject({ skipped: 0, late: 0 });
  });

  it('waits for a retransmission that comes within the wait, and releases what queued behind it', () => {
    const b = new RtpReorderBuffer();
    expect(feed(b, [[1, 0], [2, 10], [4, 20], [5, 30], [3, 80]])).toEqual([[1], [2], [], [], [3, 4, 5]]);
    expect(b.stats.skipped).toBe(0);
    expect(b.stats.recovered).toBeGreaterThan(0);
  });

  it('skips a gap that stays open past the wait (on tick or on the next push)', () => {
    const b = new RtpReorderBuffer();
    feed(b, [[1, 0], [2, 10], [4, 20], [5, 30]]);
    expect(seqs(b.tick(20 + REORDER_WAIT_MS - 1))).toEqual([]);
    expect(seqs(b.tick(20 + REORDER_WAIT_MS))).toEqual([4, 5]);
    expect(b.stats.skipped).toBe(1);
    // The missing packet arriving after that is late and dropped.
    expect(seqs(b.push(p(3), 500))).toEqual([]);
    expect(b.stats.late).toBe(1);
  });

  it('handles the 16-bit wrap, in order and reordered across it', () => {
    const b = new RtpReorderBuffer();
    expect(feed(b, [[65534, 0], [65535, 1], [0, 2], [1, 3]])).toEqual([[65534], [65535], [0], [1]]);
    const c = new RtpReorderBuffer();
    expect(feed(c, [[65535, 0], [1, 1], [0, 2]])).toEqual([[65535], [], [0, 1]]);
  });

  it('drops duplicates', () => {
    const b = new RtpReorderBuffer();
    expect(feed(b, [[1, 0], [2, 1], [2, 2], [3, 3]])).toEqual([[1], [2], [], [3]]);
    expect(b.stats.late).toBe(1);
  });

  it('follows a sender that restarted its sequence numbers far ahead', () => {
    const b = new RtpReorderBuffer();
    expect(feed(b, [[10, 0], [11, 1], [20000, 2], [20001, 3]])).toEqual([[10], [11], [20000], [20001]]);
    expect(b.stats.restarts).toBe(1);
  });

  it(`holds at most ${MAX_REORDER_PACKETS} packets behind a gap`, () => {
    const b = new RtpReorderBuffer();
    b.push(p(0), 0);
    let out: number[] = [];
    for (let s = 2; s <= MAX_REORDER_PACKETS + 2; s++) out = out.concat(seqs(b.push(p(s), 1)));
    expect(b.size).toBeLessThanOrEqual(MAX_REORDER_PACKETS);
    expect(out[0]).toBe(2);
    expect(b.stats.skipped).toBe(1);
  });

  it('flush gives everything held, in order', () => {
    const b = new RtpReorderBuffer();
    feed(b, [[1, 0], [3, 1], [5, 2]]);
    expect(seqs(b.flush())).toEqual([3, 5]);
  });

  fcTest.prop([fc.integer({ min: 0, max: 65535 }), fc.integer({ min: 1, max: 300 }), fc.array(fc.integer({ min: 0, max: 7 }), { maxLength: 300 })])(
    'any local reordering within the wait comes out as the original sequence, nothing lost or repeated',
    (start, n, shifts) => {
      const order = Array.from({ length: n }, (_, i) => i);
      // Swap each position with one up to 7 ahead: bounded displacement, like a network reorders.
      // The first packet stays first: it is where the buffer starts counting.
      shifts.slice(1, n).forEach((d, k) => {
        const i = k + 1;
        const j = Math.min(n - 1, i + d);
        [order[i], order[j]] = [order[j]!, order[i]!];
      });
      const b = new RtpReorderBuffer();
      const out: number[] = [];
      order.forEach((i, t) => out.push(...seqs(b.push(p((start + i) & 0xffff), t))));
      out.push(...seqs(b.flush()));
      expect(out).toEqual(Array.from({ length: n }, (_, i) => (start + i) & 0xffff));
      expect(b.stats.skipped).toBe(0);
    },
  );
});
