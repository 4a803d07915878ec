import { describe, expect, it } from 'vitest';
import { test as fcTest, fc } from '@fast-check/vitest';
import { hex, ProtocolError, toHex } from '@runnel/shared';
import { amf0EcmaArray, encodeAmf0, isAmf0EcmaArray } from '../amf0.ts';
import { decodeOnMetaData, decodeScriptData, encodeOnMetaData, encodeScriptData, stripSetDataFrame } from './script-data.ts';

// AMF0 by hand (AMF0 spec 2.2-2.10): string 02 + u16 length; ECMA array 08 + u32 count, entries, 00 00 09.
const ON_META_DATA = '02 000a 6f6e4d65746144617461';
const SET_DATA_FRAME = '02 000d 40736574446174614672616d65';
const WIDTH_640 = '08 00000001 0005 7769647468 00 4084000000000000 000009';

const cases = [
  { name: 'onMetaData', hex: ON_META_DATA + WIDTH_640, value: { name: 'onMetaData', values: [amf0EcmaArray({ width: 640 })], setDataFrame: false } },
  { name: '@setDataFrame onMetaData', hex: SET_DATA_FRAME + ON_META_DATA + WIDTH_640, value: { name: 'onMetaData', values: [amf0EcmaArray({ width: 640 })], setDataFrame: true } },
  { name: 'onCuePoint with a string', hex: '02 000a 6f6e437565506f696e74 02 0001 78', value: { name: 'onCuePoint', values: ['x'], setDataFrame: false } },
];

describe('SCRIPTDATA', () => {
  it.each(cases)('decodes $name', (c) => expect(decodeScriptData(hex(c.hex))).toEqual(c.value));

  it('encodes onMetaData as an ECMA array, as FFmpeg writes it', () => {
    expect(toHex(encodeOnMetaData({ width: 640 }))).toBe(toHex(hex(ON_META_DATA + WIDTH_640)));
    expect(toHex(encodeScriptData('onCuePoint', 'x'))).toBe(toHex(hex(cases[2]!.hex)));
  });

  it('finds the metadata with or without @setDataFrame, and nothing in other calls', () => {
    const meta = decodeOnMetaData(hex(SET_DATA_FRAME + ON_META_DATA + WIDTH_640));
    expect(meta).toEqual(amf0EcmaArray({ width: 640 }));
    expect(isAmf0EcmaArray(meta!)).toBe(true);
    expect(decodeOnMetaData(hex(cases[2]!.hex))).toBeNull();
    expect(decodeOnMetaData(encodeAmf0('onMetaData', { duration: 0 }))).toEqual({ duration: 0 });
  });

  it('strips @setDataFrame without copying', () => {
    const body = hex(SET_DATA_FRAME + ON_META_DATA + WIDTH_640);
    const out = stripSetDataFrame(body);
    expect(out.buffer).toBe(body.buffer);
    expect(toHex(out)).toBe(toHex(hex(ON_META_DATA + WIDTH_640)));
    const plain = hex(ON_META_DATA + WIDTH_640);
    expect(stripSetDataFrame(plain)).toBe(plain);
  });

  it.each([
    ['a number first', '00 3ff0000000000000', 'flv_bad_script_data'],
    ['@setDataFrame alone', SET_DATA_FRAME, 'flv_bad_script_data'],
  ])('rejects %s', (_n, h, code) => {
    expect(() => decodeScriptData(hex(h))).toThrow(expect.objectContaining({ code }));
  });

  it('passes AMF0 errors through as ProtocolError', () => {
    expect(() => decodeScriptData(hex('02 00ff 41'))).toThrow(ProtocolError);
  });

  fcTest.prop([fc.dictionary(fc.string({ maxLength: 10 }), fc.oneof(fc.double({ noNaN: true }), fc.string({ maxLength: 10 }), fc.boolean()), { maxKeys: 8 })])(
    'onMetaData round-trips',
    (meta) => {
      expect(decodeOnMetaData(encodeOnMetaData(meta))).toEqual(amf0EcmaArray(meta));
    },
  );

  fcTest.prop([fc.uint8Array({ maxLength: 300 })])('garbage never crashes', (b) => {
    for (const f of [decodeScriptData, decodeOnMetaData, stripSetDataFrame]) {
      try {
        f(b);
      } catch (e) {
        expect(e).toBeInstanceOf(ProtocolError);
      }
    }
  });
});
