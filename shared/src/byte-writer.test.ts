import { describe, expect, it } from 'vitest';
import { test as fcTest, fc } from '@fast-check/vitest';
import { ByteReader } from './byte-reader.ts';
import { ByteWriter } from './byte-writer.ts';
import { toHex } from './hex.ts';

describe('ByteWriter', () => {
  it('writes big-endian values (golden bytes)', () => {
    const w = new ByteWriter(16);
    w.u8(1);
    w.u16(0x0203);
    w.u24(0x040506);
    w.u32(0x0708090a);
    w.i32(-1);
    w.f64(1);
    w.u64(2 ** 40);
    w.bytes(Uint8Array.of(0xaa, 0xbb));
    expect(toHex(w.finish())).toBe('01' + '0203' + '040506' + '0708090a' + 'ffffffff' + '3ff0000000000000' + '0000010000000000' + 'aabb');
  });

  it('patches a length written earlier', () => {
    const w = new ByteWriter();
    w.u32(0);
    w.bytes(new Uint8Array(5));
    w.patchU32(0, w.length);
    expect(toHex(w.finish().subarray(0, 4))).toBe('00000009');
    expect(() => w.patchU32(7, 1)).toThrow(RangeError);
  });

  fcTest.prop([fc.array(fc.tuple(fc.integer({ min: 0, max: 3 }), fc.nat(0xffffffff)), { maxLength: 300 })])(
    'grows past any initial capacity and reads back with ByteReader',
    (ops) => {
      const w = new ByteWriter(16);
      for (const [op, v] of ops) [() => w.u8(v & 0xff), () => w.u16(v & 0xffff), () => w.u24(v & 0xffffff), () => w.u32(v)][op]!();
      const r = new ByteReader(w.finish());
      for (const [op, v] of ops) expect([() => r.u8(), () => r.u16(), () => r.u24(), () => r.u32()][op]!()).toBe([v & 0xff, v & 0xffff, v & 0xffffff, v][op]);
      expect(r.remaining).toBe(0);
    },
  );
});
