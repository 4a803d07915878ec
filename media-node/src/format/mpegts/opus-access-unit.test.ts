import { describe, expect, it } from 'vitest';
import { test as fcTest, fc } from '@fast-check/vitest';
import { hex, ProtocolError, toHex } from '@runnel/shared';
import { decodeOpusAccessUnits, encodeOpusControlHeader } from './opus-access-unit.ts';

describe('Opus control header', () => {
  it.each([
    [0, '7fe000'],
    [254, '7fe0fe'],
    [255, '7fe0ff00'],
    [600, '7fe0ffff5a'],
  ])('encodes au_size %i', (size, h) => expect(toHex(encodeOpusControlHeader(size))).toBe(h));

  it('reads trims and skips the control extension', () => {
    // start_trim 0x10, end_trim 0x08, control_extension 0x04 -> 0x7FFC; size 2; trims 0x0138, 0x0002; extension of 1 byte
    const aus = decodeOpusAccessUnits(hex('7ffc 02 e138 0002 01 ee aabb 7fe0 01 cc'));
    expect(aus.map((a) => ({ ...a, packet: toHex(a.packet) }))).toEqual([
      { packet: 'aabb', startTrim: 0x138, endTrim: 2 },
      { packet: 'cc', startTrim: 0, endTrim: 0 },
    ]);
  });

  it.each([
    ['a bad prefix', '7fc0 01 00', 'ts_bad_opus_header'],
    ['au_size beyond the payload', '7fe0 05 00', 'truncated'],
    ['a run of 0xFF that never ends', '7fe0 ffff', 'truncated'],
  ])('rejects %s', (_n, h, code) => {
    expect(() => decodeOpusAccessUnits(hex(h))).toThrow(expect.objectContaining({ code }));
  });

  fcTest.prop([fc.array(fc.uint8Array({ maxLength: 600 }), { maxLength: 4 })])('round-trips packets', (pkts) => {
    const bytes = Buffer.concat(pkts.flatMap((p) => [encodeOpusControlHeader(p.length), p]));
    expect(decodeOpusAccessUnits(bytes).map((a) => toHex(a.packet))).toEqual(pkts.map(toHex));
  });

  fcTest.prop([fc.uint8Array({ maxLength: 300 })])('garbage never crashes', (b) => {
    try {
      decodeOpusAccessUnits(b);
    } catch (e) {
      expect(e).toBeInstanceOf(ProtocolError);
    }
  });
});
