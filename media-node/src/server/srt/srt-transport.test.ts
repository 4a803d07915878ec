import { describe, expect, it } from 'vitest';
import { test as fcTest, fc } from '@fast-check/vitest';
import { SRT_PLAYER_HIGH_WATER_PACKETS, SrtTransport, type SrtSendSide } from './srt-transport.ts';

function fakeSession(maxPayload = 1456): SrtSendSide & { sent: Uint8Array[]; backlog: number; state: 'connected' | 'closed' } {
  const s = {
    sent: [] as Uint8Array[],
    backlog: 0,
    state: 'connected' as 'connected' | 'closed',
    send: (p: Uint8Array) => void s.sent.push(p),
    connection: {
      maxPayload,
      get sendBuffered() {
        return s.backlog;
      },
      get state() {
        return s.state;
      },
    },
  };
  return s;
}

/** `n` TS packets whose bytes say which packet they are. */
const tsPackets = (n: number, from = 0): Uint8Array => {
  const b = new Uint8Array(188 * n);
  for (let i = 0; i < n; i++) b.fill((from + i) & 0xff, i * 188, (i + 1) * 188).fill(0x47, i * 188, i * 188 + 1);
  return b;
};

describe('SrtTransport', () => {
  fcTest.prop([fc.array(fc.integer({ min: 1, max: 40 }), { minLength: 1, maxLength: 12 }), fc.constantFrom(1456, 1316, 1000, 200)])(
    'cuts any flush into messages of whole TS packets, at most 7, in order, nothing lost',
    (sizes, maxPayload) => {
      const s = fakeSession(maxPayload);
      const t = new SrtTransport(s);
      let from = 0;
      const chunks = sizes.map((n) => {
        const c = tsPackets(n, from);
        from += n;
        return c;
      });
      t.writeAll(chunks);
      const cap = Math.min(7, Math.floor(maxPayload / 188)) * 188;
      for (const p of s.sent) {
        expect(p.length % 188).toBe(0);
        expect(p.length).toBeLessThanOrEqual(cap);
        expect(p.length).toBeGreaterThan(0);
      }
      expect(Buffer.concat(s.sent)).toEqual(Buffer.concat(chunks));
      // Only the last message of a flush may be short.
      for (const p of s.sent.slice(0, -1)) expect(p.length).toBe(cap);
    },
  );

  it('sends a message lying inside one buffer as a view of it (no copy)', () => {
    const s = fakeSession();
    const chunk = tsPackets(14);
    new SrtTransport(s).writeAll([chunk]);
    expect(s.sent).toHaveLength(2);
    for (const p of s.sent) expect(p.buffer).toBe(chunk.buffer);
  });

  it('is backpressured while the peer has not acknowledged the high-water mark, and releases waiting pumps when it catches up', () => {
    const s = fakeSession();
    const t = new SrtTransport(s);
    let drained = 0;
    s.backlog = SRT_PLAYER_HIGH_WATER_PACKETS + 1;
    expect(t.backpressured).toBe(true);
    t.onceDrain(() => drained++);
    t.poll();
    expect(drained).toBe(0);
    s.backlog = 10;
    t.poll();
    t.poll();
    expect(drained).toBe(1);
  });

  it('writes nothing once the connection closed, and a waiting pump is released by the close', () => {
    const s = fakeSession();
    const t = new SrtTransport(s);
    s.backlog = SRT_PLAYER_HIGH_WATER_PACKETS + 1;
    let drained = 0;
    t.onceDrain(() => drained++);
    s.state = 'closed';
    t.writeAll([tsPackets(7)]);
    t.poll();
    expect(s.sent).toEqual([]);
    expect(drained).toBe(1);
  });
});
