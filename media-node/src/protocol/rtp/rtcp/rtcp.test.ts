import { describe, expect, it } from 'vitest';
import { test as fcTest, fc } from '@fast-check/vitest';
import { ProtocolError, hex, toHex } from '@runnel/shared';
import { decodeRtcpCompound, encodeRtcpCompound, isRtcpPacket } from './rtcp-packet.ts';
import type { RtcpPacket } from './rtcp-packet.ts';

const text = (s: string) => new TextEncoder().encode(s);

/** Hand-assembled from RFC 3550 6.4-6.6, RFC 4585 6.2.1/6.3.1, RFC 5104 4.3.1 and the REMB draft. */
const cases: { name: string; hex: string; value: RtcpPacket }[] = [
  {
    name: 'SR with one report block (negative cumulative loss)',
    hex: '81c8000c 11223344 e5f1a2b3 80000000 00015f90 00000064 00002710 aabbccdd 10fffffe 00010005 00000020 a2b38000 00010000',
    value: {
      type: 'sr', ssrc: 0x11223344, ntpSeconds: 0xe5f1a2b3, ntpFraction: 0x80000000, rtpTimestamp: 90000, packetCount: 100, octetCount: 10000,
      reports: [{ ssrc: 0xaabbccdd, fractionLost: 16, cumulativeLost: -2, highestSequence: 0x10005, jitter: 32, lastSr: 0xa2b38000, delaySinceLastSr: 0x10000 }],
    },
  },
  { name: 'RR without blocks', hex: '80c90001 11223344', value: { type: 'rr', ssrc: 0x11223344, reports: [] } },
  {
    name: 'SDES with a CNAME, padded',
    hex: '81ca0003 11223344 01036162 63000000',
    value: { type: 'sdes', chunks: [{ ssrc: 0x11223344, items: [{ type: 1, value: text('abc') }] }] },
  },
  { name: 'BYE with a reason', hex: '81cb0002 11223344 01780000', value: { type: 'bye', ssrcs: [0x11223344], reason: text('x') } },
  { name: 'BYE without a reason', hex: '81cb0001 11223344', value: { type: 'bye', ssrcs: [0x11223344] } },
  {
    name: 'generic NACK: PID 100, BLP bits 0 and 2',
    hex: '81cd0003 00000001 11223344 00640005',
    value: { type: 'nack', senderSsrc: 1, mediaSsrc: 0x11223344, lost: [100, 101, 103] },
  },
  {
    name: 'generic NACK across the sequence wrap',
    hex: '81cd0003 00000001 11223344 ffff0001',
    value: { type: 'nack', senderSsrc: 1, mediaSsrc: 0x11223344, lost: [0xffff, 0] },
  },
  { name: 'PLI', hex: '81ce0002 00000001 11223344', value: { type: 'pli', senderSsrc: 1, mediaSsrc: 0x11223344 } },
  {
    name: 'FIR with one entry',
    hex: '84ce0004 00000001 00000000 11223344 07000000',
    value: { type: 'fir', senderSsrc: 1, mediaSsrc: 0, entries: [{ ssrc: 0x11223344, sequence: 7 }] },
  },
  {
    name: 'REMB 1 Mbit/s (exp 2, mantissa 250000)',
    hex: '8fce0005 00000001 00000000 52454d42 010bd090 11223344',
    value: { type: 'remb', senderSsrc: 1, bitrate: 1_000_000, ssrcs: [0x11223344] },
  },
  { name: 'APP kept raw', hex: '80cc0002 11223344 6e616d65', value: { type: 'other', packetType: 204, count: 0, body: hex('11223344 6e616d65') } },
  {
    name: 'transport-cc kept raw',
    hex: '8fcd0002 00000001 11223344',
    value: { type: 'other', packetType: 205, count: 15, body: hex('00000001 11223344') },
  },
];

describe('RTCP compound packets', () => {
  it.each(cases)('decodes $name', (c) => expect(decodeRtcpCompound(hex(c.hex))).toEqual([c.value]));
  it.each(cases)('encodes $name', (c) => expect(toHex(encodeRtcpCompound([c.value]))).toBe(toHex(hex(c.hex))));

  it('decodes a compound RR + SDES + PLI in order', () => {
    const all = [cases[1]!, cases[2]!, cases[7]!];
    const bytes = hex(all.map((c) => c.hex).join(''));
    expect(decodeRtcpCompound(bytes)).toEqual(all.map((c) => c.value));
    expect(toHex(encodeRtcpCompound(all.map((c) => c.value)))).toBe(toHex(bytes));
  });

  it('strips padding and keeps unknown SDES items raw', () => {
    // SDES: CNAME "a", PRIV (8) item of 2 bytes, null, then 4 bytes of RTCP padding.
    const p = decodeRtcpCompound(hex('a1ca0004 00000009 01016108 02aabb00 00000004'));
    expect(p).toEqual([{ type: 'sdes', chunks: [{ ssrc: 9, items: [{ type: 1, value: text('a') }, { type: 8, value: hex('aabb') }] }] }]);
  });

  it('tells RTCP from RTP on a muxed port (RFC 5761 4)', () => {
    expect(isRtcpPacket(hex(cases[7]!.hex))).toBe(true);
    expect(isRtcpPacket(hex('80e0 0001 00000000 00000001'))).toBe(false); // RTP, marker + PT 96
  });

  it.each([
    ['length past the datagram', '81c90007 11223344', 'rtcp_truncated'],
    ['report count past the body', '82c90001 11223344', 'rtcp_truncated'],
    ['version 1', '41c90001 11223344', 'rtcp_version'],
    ['stray bytes after a packet', '80c90001 11223344 80c9', 'rtcp_truncated'],
    ['SDES item past the body', '81ca0002 11223344 01096100', 'rtcp_truncated'],
    ['SDES chunk without null item', '81ca0002 11223344 01026162', 'rtcp_truncated'],
    ['BYE count past the body', '83cb0001 11223344', 'rtcp_truncated'],
    ['REMB SSRC count lies', '8fce0004 00000001 00000000 52454d42 050bd090', 'rtcp_truncated'],
    ['padding count 0', 'a0c90001 11223300', 'rtcp_bad_padding'],
  ])('rejects %s', (_n, h, code) => {
    expect(() => decodeRtcpCompound(hex(h))).toThrow(expect.objectContaining({ code }));
  });

  it('refuses a NACK flood longer than MAX_NACK_ITEMS', () => {
    const items = 1025;
    const b = new Uint8Array(12 + items * 4);
    b.set(hex('81cd'), 0);
    new DataView(b.buffer).setUint16(2, 2 + items);
    expect(() => decodeRtcpCompound(b)).toThrow(expect.objectContaining({ code: 'rtcp_nack_too_long' }));
  });

  const u32 = fc.integer({ min: 0, max: 0xffffffff });
  const block = fc.record({
    ssrc: u32, fractionLost: fc.integer({ min: 0, max: 255 }), cumulativeLost: fc.integer({ min: -0x800000, max: 0x7fffff }),
    highestSequence: u32, jitter: u32, lastSr: u32, delaySinceLastSr: u32,
  });
  const packet: fc.Arbitrary<RtcpPacket> = fc.oneof(
    fc.record({
      type: fc.constant('sr' as const), ssrc: u32, ntpSeconds: u32, ntpFraction: u32, rtpTimestamp: u32, packetCount: u32, octetCount: u32,
      reports: fc.array(block, { maxLength: 31 }),
    }),
    fc.record({ type: fc.constant('rr' as const), ssrc: u32, reports: fc.array(block, { maxLength: 31 }) }),
    fc.record({
      type: fc.constant('sdes' as const),
      chunks: fc.array(fc.record({ ssrc: u32, items: fc.array(fc.record({ type: fc.integer({ min: 1, max: 255 }), value: fc.uint8Array({ maxLength: 40 }) }), { maxLength: 4 }) }), { maxLength: 4 }),
    }),
    fc.record({ type: fc.constant('bye' as const), ssrcs: fc.array(u32, { maxLength: 31 }), reason: fc.uint8Array({ maxLength: 255 }) }),
    fc.record({ type: fc.constant('nack' as const), senderSsrc: u32, mediaSsrc: u32, lost: fc.array(fc.integer({ min: 0, max: 0xffff }), { maxLength: 200 }) }),
    fc.record({ type: fc.constant('pli' as const), senderSsrc: u32, mediaSsrc: u32 }),
    fc.record({ type: fc.constant('fir' as const), senderSsrc: u32, mediaSsrc: u32, entries: fc.array(fc.record({ ssrc: u32, sequence: fc.integer({ min: 0, max: 255 }) }), { maxLength: 8 }) }),
    fc.record({ type: fc.constant('remb' as const), senderSsrc: u32, bitrate: fc.integer({ min: 0, max: 0x3ffff }), ssrcs: fc.array(u32, { maxLength: 8 }) }),
  );

  fcTest.prop([fc.array(packet, { minLength: 1, maxLength: 6 })])('round trips compounds of every type', (ps) => {
    expect(decodeRtcpCompound(encodeRtcpCompound(ps))).toEqual(ps);
  });

  fcTest.prop([fc.integer({ min: 0, max: Number.MAX_SAFE_INTEGER })])('REMB keeps 18 significant bits of any bitrate', (bitrate) => {
    const [p] = decodeRtcpCompound(encodeRtcpCompound([{ type: 'remb', senderSsrc: 1, bitrate, ssrcs: [] }]));
    const got = (p as { bitrate: number }).bitrate;
    expect(got).toBeLessThanOrEqual(bitrate);
    expect(bitrate - got).toBeLessThan(Math.max(1, bitrate / 2 ** 17));
  });

  fcTest.prop([fc.uint8Array({ maxLength: 512 })])('garbage never crashes', (b) => {
    try {
      decodeRtcpCompound(b);
    } catch (e) {
      expect(e).toBeInstanceOf(ProtocolError);
    }
  });

  fcTest.prop([fc.array(packet, { minLength: 1, maxLength: 3 }), fc.integer({ min: 0, max: 200 }), fc.integer({ min: 0, max: 255 })])(
    'a corrupted compound decodes or fails cleanly',
    (ps, at, byte) => {
      const b = encodeRtcpCompound(ps).slice();
      b[at % b.length] = byte;
      try {
        decodeRtcpCompound(b);
      } catch (e) {
        expect(e).toBeInstanceOf(ProtocolError);
      }
    },
  );
});
