import { describe, expect, it } from 'vitest';
import { test as fcTest, fc } from '@fast-check/vitest';
import { hex, ProtocolError, toHex } from '@runnel/shared';
import { crc32Mpeg2 } from './crc32.ts';
import { decodePat, encodePat, type Pat } from './pat.ts';
import { decodePmt, encodePmt, type Pmt } from './pmt.ts';
import { decodePsiSection } from './psi-section.ts';

// Sections as FFmpeg 5.1's mpegts muxer writes them (see testdata/README.md).
const patCases: { name: string; hex: string; value: Pat }[] = [
  {
    name: 'FFmpeg default PAT',
    hex: '00 b00d 0001 c1 00 00 0001 f000 2ab104b2',
    value: { transportStreamId: 1, version: 0, programs: [{ programNumber: 1, pid: 0x1000 }] },
  },
  {
    name: 'two programs and a NIT, version 3',
    hex: '00b0150007c7000000 00 e010 0001 f000 0002 e101',
    value: {
      transportStreamId: 7, version: 3,
      programs: [{ programNumber: 0, pid: 0x10 }, { programNumber: 1, pid: 0x1000 }, { programNumber: 2, pid: 0x101 }],
    },
  },
];

const pmtCases: { name: string; hex: string; value: Pmt }[] = [
  {
    name: 'FFmpeg H.264 + AAC PMT',
    hex: '02 b017 0001 c1 00 00 e100 f000 1b e100 f000 0f e101 f000 2f44b99b',
    value: {
      programNumber: 1, version: 0, pcrPid: 0x100, programDescriptors: [],
      streams: [
        { streamType: 0x1b, pid: 0x100, descriptors: [] },
        { streamType: 0x0f, pid: 0x101, descriptors: [] },
      ],
    },
  },
  {
    name: 'FFmpeg HEVC + Opus PMT (registration and extension descriptors)',
    hex: '02b0270001c10000e100f00024e100f00605044845564306e101f00a05044f7075737f028001 27aaf32f',
    value: {
      programNumber: 1, version: 0, pcrPid: 0x100, programDescriptors: [],
      streams: [
        { streamType: 0x24, pid: 0x100, descriptors: [{ tag: 5, data: hex('48455643') }] },
        { streamType: 0x06, pid: 0x101, descriptors: [{ tag: 5, data: hex('4f707573') }, { tag: 0x7f, data: hex('8001') }] },
      ],
    },
  },
];

/** Appends the right CRC to a section given without one. */
function withCrc(h: string): Uint8Array {
  const b = hex(h);
  const out = new Uint8Array(b.length + 4);
  out.set(b);
  new DataView(out.buffer).setUint32(b.length, crc32Mpeg2(b));
  return out;
}
patCases[1]!.hex = toHex(withCrc(patCases[1]!.hex));

describe('CRC-32/MPEG-2', () => {
  it('matches the catalogue check value', () => {
    // reveng CRC catalogue, CRC-32/MPEG-2: check = 0x0376E6E7 over "123456789"
    expect(crc32Mpeg2(new TextEncoder().encode('123456789'))).toBe(0x0376e6e7);
  });
});

describe('PAT', () => {
  it.each(patCases)('decodes $name', (c) => expect(decodePat(hex(c.hex))).toEqual(c.value));
  it.each(patCases)('encodes $name', (c) => expect(toHex(encodePat(c.value))).toBe(toHex(hex(c.hex))));
});

describe('PMT', () => {
  it.each(pmtCases)('decodes $name', (c) => expect(decodePmt(hex(c.hex))).toEqual(c.value));
  it.each(pmtCases)('encodes $name', (c) => expect(toHex(encodePmt(c.value))).toBe(toHex(hex(c.hex))));
});

describe('PSI sections that lie', () => {
  const good = hex(pmtCases[0]!.hex);
  const bad: [string, Uint8Array, string][] = [
    ['a flipped CRC bit', Uint8Array.from(good, (b, i) => (i === good.length - 1 ? b ^ 1 : b)), 'ts_bad_crc'],
    ['section_length 1022', hex('02 b3fe 0001'), 'ts_bad_section_length'],
    ['section_length 4', hex('02 b004 00010000'), 'ts_bad_section_length'],
    ['section_length beyond the bytes', good.subarray(0, good.length - 1), 'truncated'],
    ['section_syntax_indicator 0', withCrc('02 3012 0001 c1 00 00 e100 f000 1b e100 f000'), 'ts_bad_section'],
    ['a PMT where a PAT belongs', good, 'ts_bad_section'],
    ['a descriptor running past its loop', withCrc('02 b014 0001 c1 00 00 e100 f002 0509 1b e100 f000'), 'truncated'],
  ];
  it.each(bad)('rejects %s', (name, b, code) => {
    const decode = name.startsWith('a PMT where') ? decodePat : name.includes('syntax') || name.includes('section_length') ? decodePsiSection : decodePmt;
    expect(() => decode(b)).toThrow(expect.objectContaining({ code }));
  });

  fcTest.prop([fc.uint8Array({ maxLength: 1100 })])('garbage never crashes', (b) => {
    for (const decode of [decodePat, decodePmt]) {
      try {
        decode(b);
      } catch (e) {
        expect(e).toBeInstanceOf(ProtocolError);
      }
    }
  });

  const stream = fc.record({
    streamType: fc.integer({ min: 0, max: 255 }),
    pid: fc.integer({ min: 0x10, max: 0x1ffe }),
    descriptors: fc.array(fc.record({ tag: fc.integer({ min: 0, max: 255 }), data: fc.uint8Array({ maxLength: 12 }) }), { maxLength: 3 }),
  });
  fcTest.prop([fc.integer({ min: 0, max: 0xffff }), fc.integer({ min: 0, max: 31 }), fc.integer({ min: 0, max: 0x1fff }), fc.array(stream, { maxLength: 8 })])(
    'PMT round-trips',
    (programNumber, version, pcrPid, streams) => {
      const pmt: Pmt = { programNumber, version, pcrPid, programDescriptors: [], streams };
      expect(decodePmt(encodePmt(pmt))).toEqual(pmt);
    },
  );
});
