import { describe, expect, it } from 'vitest';
import { test as fcTest, fc } from '@fast-check/vitest';
import { NeedMoreBytes, ProtocolError, hex } from '@runnel/shared';
import { BitReader, MAX_EXP_GOLOMB_LEADING_ZEROS } from './bit-reader.ts';
import { BitWriter } from './bit-writer.ts';

/** H.264 Table 9-2 bit strings and their codeNum / se(v) mapping (Table 9-3). */
const EXP_GOLOMB = [
  { bits: '1', ue: 0, se: 0 },
  { bits: '010', ue: 1, se: 1 },
  { bits: '011', ue: 2, se: -1 },
  { bits: '00100', ue: 3, se: 2 },
  { bits: '00111', ue: 6, se: -3 },
  { bits: '0001000', ue: 7, se: 4 },
  { bits: '000010001', ue: 16, se: -8 },
];

function bitsToBytes(bits: string): Uint8Array {
  const w = new BitWriter();
  for (const c of bits) w.u(1, c === '1' ? 1 : 0);
  return w.finish();
}

describe('BitReader', () => {
  it('reads fixed-width fields MSB first, including full 32-bit values', () => {
    const r = new BitReader(hex('a5 ff ff ff ff 80'));
    expect(r.u(1)).toBe(1);
    expect(r.u(3)).toBe(0b010);
    expect(r.u(4)).toBe(0b0101);
    expect(r.u(32)).toBe(0xffffffff);
    expect(r.flag()).toBe(true);
    expect(r.bitsLeft).toBe(7);
  });

  it.each(EXP_GOLOMB)('decodes Exp-Golomb $bits as ue $ue / se $se', (c) => {
    expect(new BitReader(bitsToBytes(c.bits)).ue()).toBe(c.ue);
    expect(new BitReader(bitsToBytes(c.bits)).se()).toBe(c.se);
  });

  it.each(EXP_GOLOMB)('encodes ue $ue and se $se as $bits', (c) => {
    const a = new BitWriter();
    a.ue(c.ue);
    const b = new BitWriter();
    b.se(c.se);
    expect(a.bitLength).toBe(c.bits.length);
    expect(a.finish()).toEqual(bitsToBytes(c.bits));
    expect(b.finish()).toEqual(bitsToBytes(c.bits));
  });

  it('refuses an Exp-Golomb code with more than 31 leading zeros', () => {
    const zeros = new Uint8Array(8); // 64 zero bits
    expect(() => new BitReader(zeros).ue()).toThrow(ProtocolError);
    const max = new BitWriter();
    max.ue(2 ** 32 - 2); // 31 zeros, the longest valid code
    expect(new BitReader(max.finish()).ue()).toBe(2 ** 32 - 2);
    expect(MAX_EXP_GOLOMB_LEADING_ZEROS).toBe(31);
  });

  it('throws NeedMoreBytes past the end and aligns to bytes', () => {
    const r = new BitReader(hex('f0 0f'));
    r.u(3);
    r.align();
    expect(r.bitPos).toBe(8);
    expect(r.u(8)).toBe(0x0f);
    expect(() => r.u(1)).toThrow(NeedMoreBytes);
    expect(() => new BitReader(hex('00')).ue()).toThrow(NeedMoreBytes);
  });

  fcTest.prop([fc.array(fc.oneof(
    fc.record({ kind: fc.constant('u' as const), n: fc.integer({ min: 0, max: 32 }), v: fc.nat() }),
    fc.record({ kind: fc.constant('ue' as const), v: fc.integer({ min: 0, max: 2 ** 32 - 2 }) }),
    fc.record({ kind: fc.constant('se' as const), v: fc.integer({ min: -(2 ** 31) + 1, max: 2 ** 31 - 1 }) }),
  ), { maxLength: 30 })])('reads back what BitWriter wrote', (ops) => {
    const w = new BitWriter();
    for (const op of ops) {
      if (op.kind === 'u') w.u(op.n, op.v);
      else if (op.kind === 'ue') w.ue(op.v);
      else w.se(op.v);
    }
    const r = new BitReader(w.finish());
    for (const op of ops) {
      if (op.kind === 'u') expect(r.u(op.n)).toBe(op.n === 0 ? 0 : op.v % 2 ** op.n);
      else if (op.kind === 'ue') expect(r.ue()).toBe(op.v);
      else expect(r.se()).toBe(op.v);
    }
    expect(r.bitsLeft).toBeLessThan(8);
  });

  fcTest.prop([fc.uint8Array({ maxLength: 64 })])('garbage only ever throws ProtocolError', (b) => {
    const r = new BitReader(b);
    try {
      for (;;) r.se();
    } catch (e) {
      expect(e).toBeInstanceOf(ProtocolError);
    }
  });
});
