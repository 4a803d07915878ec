import { describe, expect, it } from 'vitest';
import { test as fcTest, fc } from '@fast-check/vitest';
import { ProtocolError, hex, toHex } from '@runnel/shared';
import { MAX_NALUS_PER_ACCESS_UNIT, forEachAvccNalu, joinAvcc, splitAvcc } from './avcc.ts';
import type { NaluLengthSize } from './avcc.ts';

const CASES: { name: string; lengthSize: NaluLengthSize; hex: string; nalus: string[] }[] = [
  { name: 'SEI + IDR, 4-byte lengths', lengthSize: 4, hex: '00000003 060101 00000004 65888480', nalus: ['060101', '65888480'] },
  { name: 'one slice, 2-byte lengths', lengthSize: 2, hex: '0002 419a', nalus: ['419a'] },
  { name: 'AUD + slice, 1-byte lengths', lengthSize: 1, hex: '02 09f0 03 419a20', nalus: ['09f0', '419a20'] },
  { name: 'empty access unit', lengthSize: 4, hex: '', nalus: [] },
];

/** bad-inputs row 37: a lying length prefix drops the frame, never reads out of range. */
const BAD: { name: string; lengthSize: NaluLengthSize; hex: string; code: string }[] = [
  { name: 'length > remaining', lengthSize: 4, hex: '00000005 65888480', code: 'avcc_nalu_overrun' },
  { name: 'length 0', lengthSize: 4, hex: '00000000 00000001 65', code: 'avcc_empty_nalu' },
  { name: 'length 0xFFFFFFFF', lengthSize: 4, hex: 'ffffffff 65888480', code: 'avcc_nalu_overrun' },
  { name: 'partial length prefix', lengthSize: 4, hex: '00000001 65 0000', code: 'avcc_truncated' },
  { name: '2-byte length past the end', lengthSize: 2, hex: '0003 6588', code: 'avcc_nalu_overrun' },
];

describe('AVCC (length-prefixed NAL units)', () => {
  it.each(CASES)('splits $name', (c) => {
    expect(splitAvcc(hex(c.hex), c.lengthSize).map(toHex)).toEqual(c.nalus);
  });

  it.each(CASES)('joins $name', (c) => {
    expect(toHex(joinAvcc(c.nalus.map((n) => hex(n)), c.lengthSize))).toBe(hex(c.hex).length ? toHex(hex(c.hex)) : '');
  });

  it.each(BAD)('rejects $name', (c) => {
    expect(() => splitAvcc(hex(c.hex), c.lengthSize)).toThrow(expect.objectContaining({ code: c.code }));
  });

  it('returns subarrays of the input (no copy)', () => {
    const buf = hex(CASES[0]!.hex);
    expect(splitAvcc(buf, 4)[1]!.buffer).toBe(buf.buffer);
  });

  it('stops early when the visitor says so', () => {
    const seen: string[] = [];
    forEachAvccNalu(hex('01 09 01 65 ff'), 1, (n) => {
      seen.push(toHex(n));
      return true;
    });
    expect(seen).toEqual(['09']); // the broken third prefix is never read
  });

  it(`refuses more than ${MAX_NALUS_PER_ACCESS_UNIT} NAL units`, () => {
    const ok = new Uint8Array(MAX_NALUS_PER_ACCESS_UNIT * 2).fill(1); // 01 01 01 01 ...: 1-byte NALUs
    expect(splitAvcc(ok, 1)).toHaveLength(MAX_NALUS_PER_ACCESS_UNIT);
    const tooMany = new Uint8Array(MAX_NALUS_PER_ACCESS_UNIT * 2 + 2).fill(1);
    expect(() => splitAvcc(tooMany, 1)).toThrow(expect.objectContaining({ code: 'too_many_nalus' }));
  });

  it('refuses to join a NAL unit that does not fit the length field', () => {
    expect(() => joinAvcc([new Uint8Array(256)], 1)).toThrow(ProtocolError);
    expect(() => joinAvcc([new Uint8Array(0)], 4)).toThrow(ProtocolError);
  });

  fcTest.prop([fc.constantFrom<NaluLengthSize>(1, 2, 4), fc.array(fc.uint8Array({ minLength: 1, maxLength: 255 }), { maxLength: 20 })])(
    'round-trips any list of NAL units',
    (size, nalus) => {
      expect(splitAvcc(joinAvcc(nalus, size), size).map(toHex)).toEqual(nalus.map(toHex));
    },
  );

  fcTest.prop([fc.constantFrom<NaluLengthSize>(1, 2, 4), fc.uint8Array({ maxLength: 2048 })])('garbage only ever throws ProtocolError', (size, b) => {
    try {
      for (const n of splitAvcc(b, size)) expect(n.length).toBeGreaterThan(0);
    } catch (e) {
      expect(e).toBeInstanceOf(ProtocolError);
    }
  });
});
