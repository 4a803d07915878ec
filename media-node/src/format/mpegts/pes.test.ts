import { describe, expect, it } from 'vitest';
import { test as fcTest, fc } from '@fast-check/vitest';
import { hex, ProtocolError, toHex } from '@runnel/shared';
import { decodePes, encodePesHeader } from './pes.ts';

interface Case {
  name: string;
  /** PES header bytes; the cases append payload 'aabb'. */
  hex: string;
  init: { streamId: number; pts: number; dts?: number; unbounded?: boolean };
  value: { streamId: number; packetLength: number; pts: number; dts?: number };
}

// The first header carries the same PTS/DTS bytes as the first video PES of testdata/h264-aac.m2t
// (FFmpeg writes flags 0x80 there; we also set data_alignment_indicator, 0x84).
const cases: Case[] = [
  {
    name: 'video PTS + DTS, unbounded',
    hex: '000001e0 0000 84 c0 0a 3100096501 110007d861',
    init: { streamId: 0xe0, pts: 144000, dts: 126000, unbounded: true },
    value: { streamId: 0xe0, packetLength: 0, pts: 144000, dts: 126000 },
  },
  {
    name: 'audio PTS only, bounded',
    hex: '000001c0 000a 84 80 05 2100076361',
    init: { streamId: 0xc0, pts: 111_024 },
    value: { streamId: 0xc0, packetLength: 10, pts: 111_024 },
  },
  {
    name: 'DTS equal to PTS is left out',
    hex: '000001e0 0000 84 80 05 2100076361',
    init: { streamId: 0xe0, pts: 111_024, dts: 111_024, unbounded: true },
    value: { streamId: 0xe0, packetLength: 0, pts: 111_024 },
  },
  {
    name: 'PTS at 2^33 - 1',
    hex: '000001bd 000a 84 80 05 2fffffffff',
    init: { streamId: 0xbd, pts: 2 ** 33 - 1 },
    value: { streamId: 0xbd, packetLength: 10, pts: 2 ** 33 - 1 },
  },
];

describe('PES header', () => {
  it.each(cases)('encodes $name', (c) => {
    expect(toHex(encodePesHeader({ ...c.init, payloadLength: 2 }))).toBe(toHex(hex(c.hex)));
  });

  it.each(cases)('decodes $name', (c) => {
    const pes = decodePes(hex(c.hex + 'aabb'));
    expect({ ...pes, payload: toHex(pes.payload) }).toEqual({ ...c.value, dataAlignment: true, payload: 'aabb' });
  });

  it('wraps timestamps to 33 bits', () => {
    expect(decodePes(encodePesHeader({ streamId: 0xc0, pts: 2 ** 33 + 5, payloadLength: 0 })).pts).toBe(5);
    expect(decodePes(encodePesHeader({ streamId: 0xc0, pts: -1, payloadLength: 0 })).pts).toBe(2 ** 33 - 1);
  });

  it('reads stream ids without an optional header', () => {
    expect(decodePes(hex('000001be 0002 ffff'))).toEqual({ streamId: 0xbe, packetLength: 2, dataAlignment: false, payload: hex('ffff') });
  });

  it.each([
    ['no start code', '000002e0 0000 84 80 05 2100076361', 'ts_bad_pes'],
    ['PES_packet_length beyond the data', '000001c0 00ff 84 80 05 2100076361', 'ts_bad_pes'],
    ['header_data_length beyond the packet', '000001c0 0008 84 80 09 2100076361', 'ts_bad_pes'],
    ["PTS_DTS_flags '01'", '000001e0 0000 84 40 05 2100076361', 'ts_bad_pes'],
    ['optional header without 10 marker', '000001e0 0000 04 80 05 2100076361', 'ts_bad_pes'],
    ['PTS cut short', '000001e0 0000 84 80 05 2100', 'ts_bad_pes'],
    ['DTS flag but 5 header bytes', '000001e0 0000 84 c0 05 3100076b61', 'truncated'],
  ])('rejects %s', (_n, h, code) => {
    expect(() => decodePes(hex(h))).toThrow(expect.objectContaining({ code }));
  });

  fcTest.prop([fc.integer({ min: 0, max: 2 ** 33 - 1 }), fc.integer({ min: 0, max: 2 ** 33 - 1 }), fc.uint8Array({ maxLength: 100 })])(
    'round-trips PTS/DTS and payload',
    (pts, dts, payload) => {
      const head = encodePesHeader({ streamId: 0xe0, pts, dts, payloadLength: payload.length });
      const pes = decodePes(Buffer.concat([head, payload]));
      expect(pes.pts).toBe(pts);
      expect(pes.dts).toBe(pts === dts ? undefined : dts);
      expect(toHex(pes.payload)).toBe(toHex(payload));
    },
  );

  fcTest.prop([fc.uint8Array({ maxLength: 300 })])('garbage never crashes', (b) => {
    try {
      decodePes(Uint8Array.of(0, 0, 1, ...b));
    } catch (e) {
      expect(e).toBeInstanceOf(ProtocolError);
    }
  });
});
