import { describe, expect, it } from 'vitest';
import { test as fcTest, fc } from '@fast-check/vitest';
import { ProtocolError, hex, toHex } from '@runnel/shared';
import { AV1_OBU, MAX_LEB128_BYTES, MAX_OBUS_PER_UNIT, findSequenceHeaderObu, readLeb128, readObu, splitObus, writeLeb128 } from './obu.ts';

describe('leb128 (AV1 4.10.5)', () => {
  it.each([
    { hex: '00', value: 0 },
    { hex: '7f', value: 127 },
    { hex: '8001', value: 128 },
    { hex: 'e58e26', value: 624485 },
    { hex: 'ffffffff0f', value: 2 ** 32 - 1 },
  ])('$hex <-> $value', (c) => {
    expect(readLeb128(hex(c.hex), 0)).toEqual([c.value, hex(c.hex).length]);
    expect(toHex(writeLeb128(c.value))).toBe(c.hex);
  });

  it('accepts padded encodings up to 8 bytes and refuses longer or larger ones', () => {
    expect(readLeb128(hex('8580808080808000'), 0)).toEqual([5, 8]);
    expect(() => readLeb128(hex('858080808080808000'), 0)).toThrow(expect.objectContaining({ code: 'av1_leb128_overflow' }));
    expect(() => readLeb128(hex('8080808010'), 0)).toThrow(expect.objectContaining({ code: 'av1_leb128_overflow' })); // 2^32
    expect(() => readLeb128(hex('8080'), 0)).toThrow(expect.objectContaining({ code: 'truncated' }));
    expect(MAX_LEB128_BYTES).toBe(8);
  });

  fcTest.prop([fc.integer({ min: 0, max: 2 ** 32 - 1 })])('round-trips', (v) => {
    const b = writeLeb128(v);
    expect(readLeb128(b, 0)).toEqual([v, b.length]);
  });
});

describe('OBU', () => {
  // A temporal unit as libaom writes it: temporal delimiter, then the sequence header of the 320x240 sample.
  const tu = hex('1200 0a0b000000043cffbcdaf90040');

  it('splits a temporal unit and finds the sequence header', () => {
    const obus = splitObus(tu);
    expect(obus.map((o) => o.type)).toEqual([AV1_OBU.TEMPORAL_DELIMITER, AV1_OBU.SEQUENCE_HEADER]);
    expect(obus[0]!.payload.length).toBe(0);
    expect(toHex(obus[1]!.payload)).toBe('000000043cffbcdaf90040');
    expect(findSequenceHeaderObu(tu)?.bytes.byteOffset).toBe(2);
    expect(findSequenceHeaderObu(hex('1200'))).toBeUndefined();
  });

  it('reads the extension header and an OBU without a size field', () => {
    const o = readObu(hex('36 48 02 aabb'), 0); // FRAME, extension, has_size: temporal 2, spatial 1
    expect([o.type, o.temporalId, o.spatialId, toHex(o.payload)]).toEqual([AV1_OBU.FRAME, 2, 1, 'aabb']);
    const last = readObu(hex('30 010203'), 0); // FRAME without obu_size: runs to the end
    expect([last.hasSizeField, toHex(last.payload)]).toEqual([false, '010203']);
  });

  it.each([
    { name: 'forbidden bit', hex: '8a00', code: 'av1_obu_forbidden_bit' },
    { name: 'size past the end', hex: '0a0b0000', code: 'av1_obu_overrun' },
    { name: 'missing extension byte', hex: '0e', code: 'truncated' },
    { name: 'missing size', hex: '0a', code: 'truncated' },
  ])('rejects $name', (c) => {
    expect(() => splitObus(hex(c.hex))).toThrow(expect.objectContaining({ code: c.code }));
  });

  it(`refuses more than ${MAX_OBUS_PER_UNIT} OBUs`, () => {
    const many = new Uint8Array((MAX_OBUS_PER_UNIT + 1) * 2);
    for (let i = 0; i < many.length; i += 2) many[i] = 0x12; // temporal delimiter, size 0
    expect(() => splitObus(many)).toThrow(expect.objectContaining({ code: 'av1_too_many_obus' }));
  });

  fcTest.prop([fc.uint8Array({ maxLength: 1024 })])('garbage only ever throws ProtocolError', (b) => {
    try {
      const obus = splitObus(b);
      expect(obus.reduce((n, o) => n + o.bytes.length, 0)).toBe(b.length);
    } catch (e) {
      expect(e).toBeInstanceOf(ProtocolError);
    }
  });
});
