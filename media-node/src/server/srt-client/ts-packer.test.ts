import { test as fcTest, fc } from '@fast-check/vitest';
import { describe, expect, it } from 'vitest';
import { TS_PACKET_BYTES, TsPacker } from './ts-packer.ts';

/** `n` TS packets, each numbered in its bytes 1-2 so order and integrity show. */
function tsPackets(n: number, from = 0): Uint8Array {
  const b = new Uint8Array(n * TS_PACKET_BYTES);
  for (let i = 0; i < n; i++) {
    const p = b.subarray(i * TS_PACKET_BYTES, (i + 1) * TS_PACKET_BYTES);
    p.fill((from + i) & 0xff);
    p[0] = 0x47;
    p[1] = (from + i) >> 8;
  }
  return b;
}

function concat(parts: readonly Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((s, p) => s + p.length, 0));
  let o = 0;
  for (const p of parts) {
    out.set(p, o);
    o += p.length;
  }
  return out;
}

/** Splits `b` at `cuts` (offsets, any order). */
function split(b: Uint8Array, cuts: readonly number[]): Uint8Array[] {
  const at = [...new Set(cuts.map((c) => c % (b.length + 1)))].sort((x, y) => x - y);
  const out: Uint8Array[] = [];
  let prev = 0;
  for (const c of [...at, b.length]) {
    out.push(b.subarray(prev, c));
    prev = c;
  }
  return out;
}

const cases: { name: string; writes: number[]; messages: number[]; pending: number }[] = [
  { name: 'exactly one message', writes: [7 * 188], messages: [1316], pending: 0 },
  { name: 'two and a half messages', writes: [17 * 188 + 94], messages: [1316, 1316], pending: 3 * 188 + 94 },
  { name: 'packet by packet', writes: Array<number>(14).fill(188), messages: [1316, 1316], pending: 0 },
  { name: 'byte pieces that straddle packets', writes: [100, 188, 500, 528], messages: [1316], pending: 0 },
  { name: 'less than one packet', writes: [187], messages: [], pending: 187 },
];

describe('TsPacker', () => {
  it.each(cases)('$name', (c) => {
    const total = c.writes.reduce((s, n) => s + n, 0);
    const stream = tsPackets(Math.ceil(total / 188));
    const p = new TsPacker();
    const msgs: Uint8Array[] = [];
    let off = 0;
    for (const n of c.writes) {
      msgs.push(...p.push(stream.subarray(off, off + n)));
      off += n;
    }
    expect(msgs.map((m) => m.length)).toEqual(c.messages);
    expect(p.pending).toBe(c.pending);
    expect(concat(msgs)).toEqual(stream.subarray(0, concat(msgs).length));
  });

  it('sends an aligned message as a view of the written buffer (no copy)', () => {
    const b = tsPackets(14);
    const [m1, m2] = new TsPacker().push(b);
    expect(m1!.buffer).toBe(b.buffer);
    expect(m2!.byteOffset).toBe(b.byteOffset + 1316);
  });

  it('flush sends the whole packets held and keeps a partial one for its rest', () => {
    const stream = tsPackets(4);
    const p = new TsPacker();
    expect(p.push(stream.subarray(0, 2 * 188 + 50))).toEqual([]);
    expect(p.flush()).toEqual(stream.subarray(0, 376));
    expect(p.pending).toBe(50);
    expect(p.flush()).toBeNull();
    expect(p.push(stream.subarray(426))).toEqual([]);
    expect(p.flush()).toEqual(stream.subarray(376));
    expect(p.pending).toBe(0);
  });

  it('skips bytes until a sync byte where a packet should start, and counts them', () => {
    const p = new TsPacker(1);
    const junk = new Uint8Array([1, 2, 3]);
    const msgs = [...p.push(junk), ...p.push(tsPackets(2))];
    expect(msgs).toEqual([tsPackets(1), tsPackets(2).subarray(188)]);
    expect(p.stats.skippedBytes).toBe(3);
  });

  it('refuses a message size that is not 1..7 packets', () => {
    expect(() => new TsPacker(0)).toThrow(RangeError);
    expect(() => new TsPacker(8)).toThrow(RangeError);
  });

  fcTest.prop([fc.integer({ min: 1, max: 60 }), fc.array(fc.nat(), { maxLength: 20 }), fc.integer({ min: 1, max: 7 })])(
    'any split of a TS stream comes out whole, in order, in messages of whole packets',
    (n, cuts, per) => {
      const stream = tsPackets(n);
      const p = new TsPacker(per);
      const msgs: Uint8Array[] = [];
      for (const piece of split(stream, cuts)) msgs.push(...p.push(piece));
      const tail = p.flush();
      if (tail) msgs.push(tail);
      for (const m of msgs) {
        expect(m.length % 188).toBe(0);
        expect(m.length).toBeLessThanOrEqual(per * 188);
      }
      expect(concat(msgs)).toEqual(stream);
      expect(p.stats.skippedBytes).toBe(0);
    },
  );

  fcTest.prop([fc.uint8Array({ maxLength: 3000 })])('garbage never throws and every message starts with a sync byte', (b) => {
    const p = new TsPacker();
    for (const m of [...p.push(b), p.flush()]) if (m) for (let i = 0; i < m.length; i += 188) expect(m[i]).toBe(0x47);
  });
});
