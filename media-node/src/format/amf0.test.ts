import { describe, expect, it } from 'vitest';
import { test as fcTest, fc } from '@fast-check/vitest';
import { ByteReader, ProtocolError, hex, toHex } from '@runnel/shared';
import {
  AMF0_CLASS_NAME,
  AMF0_ECMA_ARRAY,
  Amf0XmlDocument,
  MAX_AMF0_DEPTH,
  amf0EcmaArray,
  amf0TypedObject,
  decodeAmf0,
  decodeAmf0All,
  encodeAmf0,
  isAmf0EcmaArray,
  isAmf0Object,
  type Amf0Object,
  type Amf0Value,
} from './amf0.ts';

const u32hex = (n: number) => n.toString(16).padStart(8, '0');
const utf8hex = (s: string) => toHex(new TextEncoder().encode(s));

/** Canonical encodings: decode(hex) equals value and encode(value) equals hex. */
const cases: { name: string; hex: string; value: Amf0Value }[] = [
  { name: 'number 0', hex: '00 0000000000000000', value: 0 },
  { name: 'number 1.5', hex: '00 3ff8000000000000', value: 1.5 },
  { name: 'number -1', hex: '00 bff0000000000000', value: -1 },
  { name: 'true', hex: '01 01', value: true },
  { name: 'false', hex: '01 00', value: false },
  { name: 'string', hex: '02 0003 617070', value: 'app' },
  { name: 'empty string', hex: '02 0000', value: '' },
  { name: 'utf-8 string', hex: '02 0002 c3a9', value: 'é' },
  { name: 'null', hex: '05', value: null },
  { name: 'undefined', hex: '06', value: undefined },
  { name: 'object', hex: '03 0003 617070 02 0004 6c697665 000009', value: { app: 'live' } },
  { name: 'empty object', hex: '03 000009', value: {} },
  {
    name: 'ecma array',
    hex: '08 00000001 0008 6475726174696f6e 00 0000000000000000 000009',
    value: amf0EcmaArray({ duration: 0 }),
  },
  { name: 'strict array', hex: '0a 00000002 00 3ff0000000000000 02 0001 61', value: [1, 'a'] },
  { name: 'date', hex: '0b 0000000000000000 0000', value: new Date(0) },
  { name: 'typed object', hex: '10 0001 43 0001 78 05 000009', value: amf0TypedObject('C', { x: null }) },
  { name: 'xml document', hex: '0f 00000004 3c612f3e', value: new Amf0XmlDocument('<a/>') },
  {
    name: 'nested object',
    hex: '03 0001 61 03 0001 62 0a 00000001 05 000009 000009',
    value: { a: { b: [null] } },
  },
  {
    name: 'long string past 65535 bytes',
    hex: '0c ' + u32hex(70000) + '78'.repeat(70000),
    value: 'x'.repeat(70000),
  },
];

/** Inputs that decode but are not what we would write. */
const decodeOnly: { name: string; hex: string; value: Amf0Value }[] = [
  { name: 'short long string', hex: '0c 00000002 6869', value: 'hi' },
  { name: 'boolean byte 2 is true', hex: '01 02', value: true },
  { name: 'date with time zone', hex: '0b 0000000000000000 ff88', value: new Date(0) },
  { name: 'ecma array count lies (row 23)', hex: '08 ffffffff 0001 61 05 000009', value: amf0EcmaArray({ a: null }) },
  { name: 'property with empty key', hex: '03 0000 05 000009', value: { '': null } },
];

/** Malformed inputs and the ProtocolError code each must raise. */
const errors: { name: string; bytes: Uint8Array; code: string }[] = [
  { name: 'object nested 100 000 deep (row 21)', bytes: new Uint8Array(100_000).fill(0x03), code: 'amf0_too_deep' },
  { name: 'strict arrays nested past the limit', bytes: hex('0a00000001'.repeat(MAX_AMF0_DEPTH + 1) + '05'), code: 'amf0_too_deep' },
  { name: 'string 0xffff with 3 bytes left (row 22)', bytes: hex('02 ffff 616263'), code: 'amf0_length_exceeds_input' },
  { name: 'long string claiming 4 GiB (row 22)', bytes: hex('0c ffffffff 61'), code: 'amf0_length_exceeds_input' },
  { name: 'object key longer than input', bytes: hex('03 0010 61 05'), code: 'amf0_length_exceeds_input' },
  { name: 'strict array count 0xffffffff (row 23)', bytes: hex('0a ffffffff' + '05'.repeat(10)), code: 'amf0_count_exceeds_input' },
  { name: 'object without end marker (row 24)', bytes: hex('03 0001 61 05'), code: 'amf0_missing_object_end' },
  { name: 'object with truncated end marker', bytes: hex('03 0001 61 05 0000'), code: 'amf0_missing_object_end' },
  { name: 'unsupported marker 0x0d (row 25)', bytes: hex('0d'), code: 'amf0_unsupported_marker' },
  { name: 'AMF3 switch 0x11 (row 25)', bytes: hex('11 04 01'), code: 'amf0_unsupported_marker' },
  { name: 'marker 108 (row 25)', bytes: hex('6c'), code: 'amf0_unsupported_marker' },
  { name: 'reference', bytes: hex('07 0000'), code: 'amf0_unsupported_marker' },
  { name: 'movieclip', bytes: hex('04'), code: 'amf0_unsupported_marker' },
  { name: 'object end at top level', bytes: hex('09'), code: 'amf0_unexpected_object_end' },
  { name: 'truncated number', bytes: hex('00 3ff0'), code: 'truncated' },
];

function codeOf(fn: () => unknown): string {
  try {
    fn();
  } catch (e) {
    expect(e).toBeInstanceOf(ProtocolError);
    return (e as ProtocolError).code;
  }
  return 'no error';
}

describe('AMF0', () => {
  it.each(cases)('decodes $name', (c) => {
    expect(decodeAmf0All(hex(c.hex))).toEqual([c.value]);
  });

  it.each(cases)('encodes $name', (c) => {
    expect(toHex(encodeAmf0(c.value))).toBe(toHex(hex(c.hex)));
  });

  it.each(decodeOnly)('decodes $name', (c) => {
    expect(decodeAmf0All(hex(c.hex))).toEqual([c.value]);
  });

  it.each(errors)('rejects $name', (c) => {
    expect(codeOf(() => decodeAmf0All(c.bytes))).toBe(c.code);
  });

  it('keeps ECMA arrays and typed objects apart from plain objects', () => {
    const [meta, typed, plain] = decodeAmf0All(hex('08 00000000 0001 77 00 4059000000000000 000009  10 0001 43 000009  03 000009'));
    expect(isAmf0EcmaArray(meta!)).toBe(true);
    expect((meta as Amf0Object).w).toBe(100);
    expect(Object.keys(meta as Amf0Object)).toEqual(['w']);
    expect((typed as Amf0Object)[AMF0_CLASS_NAME]).toBe('C');
    expect(isAmf0EcmaArray(plain!)).toBe(false);
    expect((plain as Amf0Object)[AMF0_ECMA_ARRAY]).toBeUndefined();
    expect(isAmf0Object(plain!)).toBe(true);
    expect(isAmf0Object([])).toBe(false);
  });

  it('decodes a __proto__ key as data, not as a prototype', () => {
    const [v] = decodeAmf0All(hex('03 0009 5f5f70726f746f5f5f 03 0001 78 01 01 000009 000009'));
    const obj = v as Amf0Object;
    expect(Object.getPrototypeOf(obj)).toBe(Object.prototype);
    expect(Object.keys(obj)).toEqual(['__proto__']);
    expect(({} as Record<string, unknown>).x).toBeUndefined();
    expect(toHex(encodeAmf0(obj))).toBe('0300095f5f70726f746f5f5f030001780101000009000009');
  });

  it('decodes a real ffmpeg connect command', () => {
    const payload = hex(
      '02 0007 ' + utf8hex('connect') + ' 00 3ff0000000000000 03' +
        '0003 ' + utf8hex('app') + ' 02 0004 ' + utf8hex('live') +
        '0004 ' + utf8hex('type') + ' 02 000a ' + utf8hex('nonprivate') +
        '0005 ' + utf8hex('tcUrl') + ' 02 001a ' + utf8hex('rtmp://127.0.0.1:1935/live') +
        '000009',
    );
    expect(decodeAmf0All(payload)).toEqual(['connect', 1, { app: 'live', type: 'nonprivate', tcUrl: 'rtmp://127.0.0.1:1935/live' }]);
  });

  it('reads one value at a time and leaves the reader after it', () => {
    const r = new ByteReader(hex('02 0001 61 05 00 0000000000000000'));
    expect(decodeAmf0(r)).toBe('a');
    expect(r.pos).toBe(4);
    expect(decodeAmf0(r)).toBe(null);
    expect(decodeAmf0(r)).toBe(0);
    expect(r.remaining).toBe(0);
  });

  it('encodes several values back to back', () => {
    expect(toHex(encodeAmf0('onBWDone', 0, null))).toBe('0200086f6e4257446f6e6500000000000000000005');
  });

  it('refuses to encode cycles and non-AMF values', () => {
    const cyclic: Amf0Object = {};
    cyclic.self = cyclic;
    expect(() => encodeAmf0(cyclic)).toThrow(RangeError);
    expect(() => encodeAmf0((() => 1) as unknown as Amf0Value)).toThrow(TypeError);
  });

  const key = fc.string({ unit: 'binary', maxLength: 12 });
  const { value } = fc.letrec<{ value: Amf0Value }>((tie) => ({
    value: fc.oneof(
      { depthSize: 'small', withCrossShrink: true },
      fc.double(),
      fc.boolean(),
      fc.string({ unit: 'binary', maxLength: 40 }),
      fc.constant(null),
      fc.constant(undefined),
      fc.date({ noInvalidDate: true }),
      fc.string({ maxLength: 20 }).map((s) => new Amf0XmlDocument(s)),
      fc.array(tie('value'), { maxLength: 5 }),
      fc.dictionary(key, tie('value'), { maxKeys: 5 }) as fc.Arbitrary<Amf0Value>,
      fc.dictionary(key, tie('value'), { maxKeys: 5 }).map((d) => amf0EcmaArray(d)),
      fc.tuple(key, fc.dictionary(key, tie('value'), { maxKeys: 4 })).map(([n, d]) => amf0TypedObject(n, d)),
    ),
  }));

  fcTest.prop([fc.array(value, { maxLength: 4 })])('round-trips any value list', (values) => {
    const bytes = encodeAmf0(...values);
    const back = decodeAmf0All(bytes);
    expect(back).toEqual(values);
    expect(toHex(encodeAmf0(...back))).toBe(toHex(bytes));
  });

  fcTest.prop([fc.uint8Array({ maxLength: 2048 })])('garbage throws only ProtocolError', (bytes) => {
    try {
      decodeAmf0All(bytes);
    } catch (e) {
      expect(e).toBeInstanceOf(ProtocolError);
    }
  });

  fcTest.prop([value, fc.array(fc.tuple(fc.nat(), fc.integer({ min: 0, max: 255 })), { minLength: 1, maxLength: 8 })])(
    'corrupted encodings throw only ProtocolError',
    (v, flips) => {
      const bytes = encodeAmf0(v).slice();
      for (const [at, b] of flips) bytes[at % bytes.length] = b;
      try {
        decodeAmf0All(bytes);
      } catch (e) {
        expect(e).toBeInstanceOf(ProtocolError);
      }
    },
  );
});
