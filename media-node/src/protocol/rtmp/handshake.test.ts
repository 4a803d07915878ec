import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { test as fcTest, fc } from '@fast-check/vitest';
import { ProtocolError } from '@runnel/shared';
import { ServerHandshake } from './server-handshake.ts';
import { ClientHandshake } from './client-handshake.ts';
import {
  FMS_KEY,
  FMS_KEY_PARTIAL,
  FP_KEY,
  FP_KEY_PARTIAL,
  HANDSHAKE_SIZE,
  findDigest,
  verifyResponse,
} from './handshake-digest.ts';

/**
 * C0+C1 as ffmpeg 5.1 sends it: the start of the captured publish session (its
 * C1 is seeded with 0xDEADC0DE, so it is the same every run and in the play capture).
 */
const FFMPEG_C0C1 = new Uint8Array(readFileSync(new URL('./testdata/ffmpeg-publish.bin', import.meta.url))).subarray(0, 1537);

/** Deterministic "random" bytes. */
function seeded(seed: number) {
  let x = seed >>> 0 || 1;
  return (n: number) => {
    const out = new Uint8Array(n);
    for (let i = 0; i < n; i++) {
      x ^= x << 13;
      x ^= x >>> 17;
      x ^= x << 5;
      out[i] = x & 0xff;
    }
    return out;
  };
}

function c0c1(version: number[], fill = 7): Uint8Array {
  const b = new Uint8Array(1 + HANDSHAKE_SIZE).fill(fill);
  b[0] = 3;
  b.set([0, 0, 0, 0], 1);
  b.set(version, 5);
  return b;
}

function rtmpVersionError(first: number): { code: string; sent: boolean } {
  const hs = new ServerHandshake(seeded(1));
  const bytes = new Uint8Array(1 + HANDSHAKE_SIZE).fill(0x20);
  bytes[0] = first;
  try {
    const step = hs.receive(bytes, 0);
    return { code: 'no error', sent: step.send !== null };
  } catch (e) {
    expect(e).toBeInstanceOf(ProtocolError);
    return { code: (e as ProtocolError).code, sent: false };
  }
}

describe('server handshake', () => {
  it.each([
    { name: 'RTMPE 0x06', first: 0x06 },
    { name: "HTTP 'H'", first: 0x48 },
    { name: 'TLS 0x16', first: 0x16 },
  ])('refuses C0 $name on the first byte without sending (row 1)', ({ first }) => {
    expect(rtmpVersionError(first)).toEqual({ code: 'rtmp_version', sent: false });
  });

  it('answers ffmpeg with a complex handshake ffmpeg can verify', () => {
    expect(findDigest(FFMPEG_C0C1.subarray(1), FP_KEY_PARTIAL)?.schema).toBe(1);
    const hs = new ServerHandshake(seeded(2));
    const step = hs.receive(FFMPEG_C0C1, 1000);
    expect(hs.mode).toBe('complex');
    const out = step.send!;
    expect(out.length).toBe(1 + 2 * HANDSHAKE_SIZE);
    expect(out[0]).toBe(3);
    const s1 = out.subarray(1, 1 + HANDSHAKE_SIZE);
    const s2 = out.subarray(1 + HANDSHAKE_SIZE);
    expect([...s1.subarray(4, 8)]).toEqual([4, 5, 0, 1]);
    // what ffmpeg's rtmp_handshake checks when it plays: S1 digest, then S2 signed over C1's digest
    expect(findDigest(s1, FMS_KEY_PARTIAL)).not.toBeNull();
    const c1Digest = findDigest(FFMPEG_C0C1.subarray(1), FP_KEY_PARTIAL)!.digest;
    expect(verifyResponse(s2, c1Digest, FMS_KEY)).toBe(true);
    expect(step.done).toBe(false);
  });

  it('falls back to simple when the digest does not validate (row 3)', () => {
    const hs = new ServerHandshake(seeded(3));
    const bytes = c0c1([9, 0, 124, 2]);
    const out = hs.receive(bytes, 0x01020304).send!;
    expect(hs.mode).toBe('simple');
    expect([...out.subarray(5, 9)]).toEqual([0, 0, 0, 0]);
    const s2 = out.subarray(1 + HANDSHAKE_SIZE);
    expect([...s2.subarray(0, 4)]).toEqual([...bytes.subarray(1, 5)]);
    expect([...s2.subarray(4, 8)]).toEqual([1, 2, 3, 4]);
    expect(Buffer.from(s2.subarray(8)).equals(Buffer.from(bytes.subarray(9)))).toBe(true);
  });

  it('uses the simple handshake for a zero version', () => {
    const hs = new ServerHandshake(seeded(4));
    hs.receive(c0c1([0, 0, 0, 0]), 0);
    expect(hs.mode).toBe('simple');
  });

  it('accepts a random C2 and hands over the bytes after it (row 3)', () => {
    const hs = new ServerHandshake(seeded(5));
    const c2 = seeded(9)(HANDSHAKE_SIZE);
    const after = new Uint8Array([0x03, 0xaa, 0xbb]);
    const all = new Uint8Array([...FFMPEG_C0C1, ...c2, ...after]);
    const step = hs.receive(all, 0);
    expect(step.send).not.toBeNull();
    expect(step.done).toBe(true);
    expect([...step.rest]).toEqual([0x03, 0xaa, 0xbb]);
  });

  fcTest.prop([fc.array(fc.integer({ min: 1, max: 900 }), { minLength: 1, maxLength: 12 })])('works for any split of the input', (sizes) => {
    const hs = new ServerHandshake(seeded(6));
    const all = new Uint8Array([...FFMPEG_C0C1, ...new Uint8Array(HANDSHAKE_SIZE), 1, 2, 3, 4, 5]);
    let off = 0;
    let sent = 0;
    const rest: number[] = [];
    for (let i = 0; off < all.length; i++) {
      const n = sizes[i % sizes.length]!;
      const step = hs.receive(all.subarray(off, off + n), 0);
      off += n;
      if (step.send) sent++;
      rest.push(...step.rest);
    }
    expect(sent).toBe(1);
    expect(hs.done).toBe(true);
    expect(rest).toEqual([1, 2, 3, 4, 5]);
  });

  fcTest.prop([fc.uint8Array({ minLength: 1, maxLength: 4000 })])('garbage throws only ProtocolError', (bytes) => {
    try {
      new ServerHandshake(seeded(7)).receive(bytes, 0);
    } catch (e) {
      expect(e).toBeInstanceOf(ProtocolError);
    }
  });
});

describe('client handshake', () => {
  it('completes a complex handshake with our server, both sides verified', () => {
    const client = new ClientHandshake(seeded(10));
    const server = new ServerHandshake(seeded(11));
    const c0c1 = client.start(500);
    expect(findDigest(c0c1.subarray(1), FP_KEY_PARTIAL)?.schema).toBe(1);
    const s = server.receive(c0c1, 600);
    expect(server.mode).toBe('complex');
    const c = client.receive(s.send!, 700);
    expect(client.done).toBe(true);
    expect(client.serverVerified).toBe(true);
    const c2 = c.send!;
    // C2 is signed over the server's S1 digest with the full player key (what FMS checks)
    const s1Digest = findDigest(s.send!.subarray(1, 1 + HANDSHAKE_SIZE), FMS_KEY_PARTIAL)!.digest;
    expect(verifyResponse(c2, s1Digest, FP_KEY)).toBe(true);
    expect(server.receive(c2, 800).done).toBe(true);
  });

  it('echoes S1 to a simple server', () => {
    const client = new ClientHandshake(seeded(12));
    client.start(0);
    const s0s1s2 = new Uint8Array(1 + 2 * HANDSHAKE_SIZE).fill(9);
    s0s1s2[0] = 3;
    s0s1s2.fill(0, 5, 9);
    const step = client.receive(s0s1s2, 0x0a0b0c0d);
    expect(client.serverVerified).toBe(false);
    expect([...step.send!.subarray(4, 8)]).toEqual([10, 11, 12, 13]);
    expect(Buffer.from(step.send!.subarray(8)).equals(Buffer.from(s0s1s2.subarray(9, 1 + HANDSHAKE_SIZE)))).toBe(true);
  });

  it('returns bytes after S2 as the first chunks', () => {
    const client = new ClientHandshake(seeded(13));
    const server = new ServerHandshake(seeded(14));
    const s = server.receive(client.start(0), 0).send!;
    const step = client.receive(new Uint8Array([...s, 0x02, 0x00]), 0);
    expect([...step.rest]).toEqual([0x02, 0x00]);
  });

  it('refuses an S0 other than 3', () => {
    const client = new ClientHandshake(seeded(15));
    client.start(0);
    expect(() => client.receive(new Uint8Array([0x06, 0, 0]), 0)).toThrow(ProtocolError);
  });
});
