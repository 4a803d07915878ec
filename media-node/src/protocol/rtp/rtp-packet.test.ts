import { describe, expect, it } from 'vitest';
import { test as fcTest, fc } from '@fast-check/vitest';
import { ProtocolError, hex, toHex } from '@runnel/shared';
import { decodeRtpPacket, encodeRtpPacket } from './rtp-packet.ts';
import type { RtpPacket, RtpPacketInit } from './rtp-packet.ts';

/** A packet as the tests spell it: hex strings instead of byte views. */
function plain(p: RtpPacket) {
  return {
    ...p,
    extensions: p.extensions.map((e) => ({ id: e.id, data: toHex(e.data) })),
    payload: toHex(p.payload),
    ...(p.extensionData ? { extensionData: toHex(p.extensionData) } : {}),
  };
}

const base = { marker: false, csrcs: [], extensions: [], padding: 0 };

/** Hand-assembled from RFC 3550 5.1 / RFC 8285 4.2-4.3; one table drives decode, encode and round trip. */
const cases = [
  {
    name: 'minimal header, H.264 PT 96',
    hex: '80 60 1234 00010000 deadbeef 65aabb',
    value: { ...base, payloadType: 96, sequenceNumber: 0x1234, timestamp: 0x10000, ssrc: 0xdeadbeef, payload: '65aabb' },
  },
  {
    name: 'marker, two CSRCs',
    hex: '82 ef ffff ffffffff 00000001 00000002 00000003 01',
    value: { ...base, marker: true, payloadType: 111, sequenceNumber: 0xffff, timestamp: 0xffffffff, ssrc: 1, csrcs: [2, 3], payload: '01' },
  },
  {
    name: 'one-byte extensions (mid "0", abs-send-time) padded to 32 bits',
    hex: '90 60 0001 00000000 00000001 bede 0002 1030 32 123456 00 00 aa',
    value: {
      ...base, payloadType: 96, sequenceNumber: 1, timestamp: 0, ssrc: 1, extensionProfile: 0xbede,
      extensions: [{ id: 1, data: '30' }, { id: 3, data: '123456' }], payload: 'aa',
    },
  },
  {
    name: 'two-byte extensions with an empty element and app bits',
    hex: '90 60 0001 00000000 00000001 1003 0002 0100 0c03 aabbcc 00 bb',
    value: {
      ...base, payloadType: 96, sequenceNumber: 1, timestamp: 0, ssrc: 1, extensionProfile: 0x1003,
      extensions: [{ id: 1, data: '' }, { id: 12, data: 'aabbcc' }], payload: 'bb',
    },
  },
  {
    name: 'other extension profile kept raw',
    hex: '90 00 0002 00000005 00000007 abcd 0001 01020304 ff',
    value: { ...base, payloadType: 0, sequenceNumber: 2, timestamp: 5, ssrc: 7, extensionProfile: 0xabcd, extensionData: '01020304', payload: 'ff' },
  },
  {
    name: 'padding of 3',
    hex: 'a0 60 0003 00000000 00000001 cafe 0000 03',
    value: { ...base, payloadType: 96, sequenceNumber: 3, timestamp: 0, ssrc: 1, payload: 'cafe', padding: 3 },
  },
];

function init(v: (typeof cases)[number]['value']): RtpPacketInit {
  const { extensionData, ...rest } = v as typeof v & { extensionData?: string };
  return {
    ...rest,
    payload: hex(v.payload),
    extensions: v.extensions.map((e) => ({ id: e.id, data: hex(e.data) })),
    ...(extensionData === undefined ? {} : { extensionData: hex(extensionData) }),
  };
}

describe('RTP packet (RFC 3550 5.1, RFC 8285)', () => {
  it.each(cases)('decodes $name', (c) => expect(plain(decodeRtpPacket(hex(c.hex)))).toEqual(c.value));
  it.each(cases)('encodes $name', (c) => expect(toHex(encodeRtpPacket(init(c.value)))).toBe(toHex(hex(c.hex))));

  it('skips padding bytes between one-byte elements and stops at id 15', () => {
    const p = decodeRtpPacket(hex('90 60 0001 00000000 00000001 bede 0002 00 10 30 00 f0 ff ff ff aa'));
    expect(p.extensions.map((e) => [e.id, toHex(e.data)])).toEqual([[1, '30']]);
    expect(toHex(p.payload)).toBe('aa');
  });

  it.each([
    ['truncated fixed header', '80 60 0001 0000', 'rtp_truncated'],
    ['version 1', '40 60 0001 00000000 00000001', 'rtp_version'],
    ['CSRC count past the end', '8f 60 0001 00000000 00000001 00000002', 'rtp_truncated'],
    ['extension length lies', '90 60 0001 00000000 00000001 bede 0010 10300000', 'rtp_truncated'],
    ['element runs past the block', '90 60 0001 00000000 00000001 bede 0001 1f000000', 'rtp_extension_truncated'],
    ['padding count 0', 'a0 60 0001 00000000 00000001 aa 00', 'rtp_bad_padding'],
    ['padding larger than the payload', 'a0 60 0001 00000000 00000001 aa 09', 'rtp_bad_padding'],
  ])('rejects %s', (_name, h, code) => {
    expect(() => decodeRtpPacket(hex(h))).toThrow(expect.objectContaining({ code }));
  });

  it('refuses to encode elements the chosen form cannot carry', () => {
    const p = { marker: false, payloadType: 96, sequenceNumber: 0, timestamp: 0, ssrc: 0, payload: new Uint8Array(0), extensionProfile: 0xbede };
    expect(() => encodeRtpPacket({ ...p, extensions: [{ id: 15, data: hex('00') }] })).toThrow(ProtocolError);
    expect(() => encodeRtpPacket({ ...p, extensions: [{ id: 1, data: new Uint8Array(17) }] })).toThrow(ProtocolError);
  });

  const ext = fc.record({ id: fc.integer({ min: 1, max: 14 }), data: fc.uint8Array({ minLength: 1, maxLength: 16 }) });
  const packet = fc.record({
    marker: fc.boolean(),
    payloadType: fc.integer({ min: 0, max: 127 }),
    sequenceNumber: fc.integer({ min: 0, max: 0xffff }),
    timestamp: fc.integer({ min: 0, max: 0xffffffff }),
    ssrc: fc.integer({ min: 0, max: 0xffffffff }),
    csrcs: fc.array(fc.integer({ min: 0, max: 0xffffffff }), { maxLength: 15 }),
    extensions: fc.array(ext, { maxLength: 8 }),
    payload: fc.uint8Array({ maxLength: 64 }),
    padding: fc.integer({ min: 0, max: 255 }),
    withExt: fc.boolean(),
  });

  fcTest.prop([packet])('round trips', ({ withExt, ...p }) => {
    const value = withExt ? { ...p, extensionProfile: 0xbede } : { ...p, extensions: [] };
    expect(decodeRtpPacket(encodeRtpPacket(value))).toEqual(value);
  });

  fcTest.prop([fc.uint8Array({ maxLength: 256 })])('garbage never crashes', (b) => {
    try {
      const p = decodeRtpPacket(b);
      expect(p.payload.length).toBeLessThanOrEqual(b.length);
    } catch (e) {
      expect(e).toBeInstanceOf(ProtocolError);
    }
  });
});
