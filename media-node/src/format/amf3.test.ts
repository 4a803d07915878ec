import { describe, expect, it } from 'vitest';
import { test as fcTest, fc } from '@fast-check/vitest';
import { ByteReader, hex, ProtocolError, toHex } from '@runnel/shared';
import {
  AMF3_TRAITS,
  Amf3Array,
  amf3Object,
  Amf3Vector,
  Amf3Xml,
  decodeAmf3,
  decodeAmf3All,
  encodeAmf3,
  MAX_AMF3_OBJECTS,
  type Amf3Object,
  type Amf3Value,
} from './amf3.ts';

// Hand-encoded from the AMF3 spec (2013): U29 in 3.6 / 1.3.1, U29S/O/A headers in 3.8-3.12.
const shared: Amf3Object = {};
const cases: { name: string; hex: string; value: Amf3Value }[] = [
  { name: 'undefined', hex: '00', value: undefined },
  { name: 'null', hex: '01', value: null },
  { name: 'false', hex: '02', value: false },
  { name: 'true', hex: '03', value: true },
  { name: 'integer 0', hex: '04 00', value: 0 },
  { name: 'integer 127 (1-byte U29)', hex: '04 7f', value: 127 },
  { name: 'integer 128 (2-byte U29)', hex: '04 8100', value: 128 },
  { name: 'integer 16384 (3-byte U29)', hex: '04 818000', value: 16384 },
  { name: 'integer 2^21 (4-byte U29)', hex: '04 80c08000', value: 2 ** 21 },
  { name: 'integer 2^28-1', hex: '04 bfffffff', value: 2 ** 28 - 1 },
  { name: 'integer -1', hex: '04 ffffffff', value: -1 },
  { name: 'integer -2^28', hex: '04 c0808000', value: -(2 ** 28) },
  { name: 'double 1.5', hex: '05 3ff8000000000000', value: 1.5 },
  { name: '2^28 as double', hex: '05 41b0000000000000', value: 2 ** 28 },
  { name: '-0 as double', hex: '05 8000000000000000', value: -0 },
  { name: 'string', hex: '06 05 6869', value: 'hi' },
  { name: 'empty string', hex: '06 01', value: '' },
  { name: 'string reference', hex: '09 05 01 06 03 61 06 00', value: ['a', 'a'] },
  { name: 'empty string is never referenced', hex: '09 05 01 06 01 06 01', value: ['', ''] },
  { name: 'date', hex: '08 01 0000000000000000', value: new Date(0) },
  { name: 'byte array', hex: '0c 07 010203', value: hex('010203') },
  { name: 'XML', hex: '0b 09 3c612f3e', value: new Amf3Xml('<a/>') },
  { name: 'XMLDocument', hex: '07 09 3c612f3e', value: new Amf3Xml('<a/>', true) },
  { name: 'associative array', hex: '09 03 03 6b 03 01 04 01', value: new Amf3Array([1], { k: true }) },
  { name: 'anonymous object', hex: '0a 0b 01 03 61 04 01 01', value: { a: 1 } },
  { name: 'typed sealed object', hex: '0a 13 03 50 03 78 04 02', value: amf3Object({ className: 'P', sealed: ['x'], dynamic: false }, { x: 2 }) },
  {
    name: 'traits reference',
    hex: '09 05 01 0a 13 03 50 03 78 04 01 0a 01 04 02',
    value: [1, 2].map((x) => amf3Object({ className: 'P', sealed: ['x'], dynamic: false }, { x })),
  },
  { name: 'object reference', hex: '09 05 01 0a 0b 01 01 0a 02', value: [shared, shared] },
  { name: 'Vector.<int>', hex: '0d 05 00 00000001 ffffffff', value: new Amf3Vector('int', [1, -1]) },
  { name: 'fixed Vector.<uint>', hex: '0e 03 01 ffffffff', value: new Amf3Vector('uint', [0xffffffff], true) },
  { name: 'Vector.<Number>', hex: '0f 03 00 3ff8000000000000', value: new Amf3Vector('double', [1.5]) },
  { name: 'Vector.<Object>', hex: '10 03 00 01 06 03 61', value: new Amf3Vector('object', ['a']) },
];

describe('AMF3', () => {
  it.each(cases)('decodes $name', (c) => expect(decodeAmf3(new ByteReader(hex(c.hex)))).toEqual(c.value));
  it.each(cases)('encodes $name', (c) => expect(toHex(encodeAmf3(c.value))).toBe(toHex(hex(c.hex))));

  it('keeps shared references shared and cycles cyclic', () => {
    const pair = decodeAmf3(new ByteReader(hex('09 05 01 0a 0b 01 01 0a 02'))) as Amf3Value[];
    expect(pair[0]).toBe(pair[1]);
    const self = decodeAmf3(new ByteReader(hex('0a 0b 01 09 73656c66 0a 00 01'))) as Amf3Object;
    expect(self['self']).toBe(self);
    expect(toHex(encodeAmf3(self))).toBe('0a0b010973656c660a0001');
    const arr = decodeAmf3(new ByteReader(hex('09 03 01 09 00'))) as Amf3Value[];
    expect(arr[0]).toBe(arr);
  });

  it('keeps traits on typed objects only', () => {
    const typed = decodeAmf3(new ByteReader(hex('0a 1b 03 50 03 78 04 02 03 79 04 03 01'))) as Amf3Object;
    expect(typed[AMF3_TRAITS]).toEqual({ className: 'P', sealed: ['x'], dynamic: true });
    expect(Object.fromEntries(Object.entries(typed))).toEqual({ x: 2, y: 3 });
    expect((decodeAmf3(new ByteReader(hex('0a 0b 01 01'))) as Amf3Object)[AMF3_TRAITS]).toBeUndefined();
  });

  it('does not let a __proto__ key change the prototype', () => {
    const o = decodeAmf3(new ByteReader(hex('0a 0b 01 13 5f5f70726f746f5f5f 0a 0b 01 03 78 03 01 01'))) as Amf3Object;
    expect(Object.getPrototypeOf(o)).toBe(Object.prototype);
    expect(Object.keys(o)).toEqual(['__proto__']);
  });

  it('decodes a sequence sharing one context', () => {
    expect(decodeAmf3All(hex('06 03 61 06 00'))).toEqual(['a', 'a']);
  });

  const bomb = (unit: string, n: number) => hex(unit.repeat(n));
  const errors: [string, Uint8Array, string][] = [
    ['Dictionary', hex('11 01 00'), 'amf3_unsupported_marker'],
    ['unknown marker 0x12', hex('12'), 'amf3_unsupported_marker'],
    ['string reference out of range', hex('06 00'), 'amf3_bad_reference'],
    ['object reference out of range', hex('0a 00'), 'amf3_bad_reference'],
    ['traits reference out of range', hex('0a 01'), 'amf3_bad_reference'],
    ['externalizable object', hex('0a 07 03 43'), 'amf3_externalizable'],
    ['byte array longer than the input', hex('0c ffffff7f 00'), 'truncated'],
    ['dense count beyond the input', hex('09 ffffff01 01'), 'amf3_bad_length'],
    ['sealed count beyond the input', hex('0a ffffff73 01'), 'amf3_bad_length'],
    ['Vector.<Number> count beyond the input', hex('0f 09 00 3ff8000000000000'), 'amf3_bad_length'],
    ['U29 cut short', hex('04 ff'), 'truncated'],
    ['arrays nested 100 000 deep', bomb('090301', 100_000), 'amf3_too_deep'],
    // dense count 65 536 (header 0x20001 = U29 88 80 01), the array itself being object 1 of 65 537
    ['more than MAX_AMF3_OBJECTS byte arrays', hex(`09 888001 01 ${'0c01'.repeat(MAX_AMF3_OBJECTS)}`), 'amf3_too_many_objects'],
  ];
  it.each(errors)('rejects %s', (_n, b, code) => {
    expect(() => decodeAmf3(new ByteReader(b))).toThrow(expect.objectContaining({ code }));
  });

  it('refuses to encode what AMF3 cannot carry', () => {
    const deep: Amf3Value[] = [];
    let cur = deep;
    for (let i = 0; i < 40; i++) cur.push((cur = []));
    expect(() => encodeAmf3(deep)).toThrow(expect.objectContaining({ code: 'amf3_too_deep' }));
    expect(() => encodeAmf3({ '': 1 })).toThrow(expect.objectContaining({ code: 'amf3_bad_key' }));
  });

  const value = fc.letrec<{ v: Amf3Value }>((tie) => ({
    v: fc.oneof(
      { depthSize: 'small', withCrossShrink: true },
      fc.constantFrom(undefined, null, true, false),
      fc.integer({ min: -(2 ** 28), max: 2 ** 28 - 1 }),
      fc.double(),
      fc.string({ maxLength: 8 }),
      fc.date({ noInvalidDate: true }),
      fc.uint8Array({ maxLength: 8 }),
      fc.string({ maxLength: 8 }).map((s) => new Amf3Xml(s)),
      fc.array(tie('v'), { maxLength: 4 }),
      fc.tuple(fc.array(tie('v'), { maxLength: 3 }), fc.dictionary(fc.string({ minLength: 1, maxLength: 4 }), tie('v'), { minKeys: 1, maxKeys: 3 }))
        .map(([d, a]) => new Amf3Array(d, a)),
      fc.dictionary(fc.string({ minLength: 1, maxLength: 4 }), tie('v'), { maxKeys: 4 }),
      fc.tuple(fc.string({ maxLength: 4 }), fc.boolean(), fc.array(tie('v'), { minLength: 1, maxLength: 3 }))
        .map(([className, dynamic, vs]) => amf3Object({ className, sealed: vs.map((_, i) => `m${i}`), dynamic }, Object.fromEntries(vs.map((x, i) => [`m${i}`, x])))),
      fc.array(fc.integer({ min: -(2 ** 31), max: 2 ** 31 - 1 }), { maxLength: 4 }).map((xs) => new Amf3Vector('int', xs)),
      fc.array(fc.double(), { maxLength: 4 }).map((xs) => new Amf3Vector('double', xs, true)),
    ),
  }));

  fcTest.prop([value.v])('round-trips encode -> decode', (v) => {
    expect(decodeAmf3(new ByteReader(encodeAmf3(v)))).toEqual(v);
  });

  fcTest.prop([fc.uint8Array({ maxLength: 1024 })])('garbage never crashes', (b) => {
    try {
      decodeAmf3All(b);
    } catch (e) {
      expect(e).toBeInstanceOf(ProtocolError);
    }
  });
});
