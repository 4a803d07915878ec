import { describe, expect, it } from 'vitest';
import { test as fcTest, fc } from '@fast-check/vitest';
import { ByteReader } from './byte-reader.ts';
import { NeedMoreBytes, ProtocolError } from './protocol-error.ts';
import { hex, toHex } from './hex.ts';

describe('ByteReader', () => {
  it('reads big-endian integers and floats', () => {
    const r = new ByteReader(hex('01 0203 040506 0708090a 3ff0000000000000'));
    expect(r.u8()).toBe(1);
    expect(r.u16()).toBe(0x0203);
    expect(r.u24()).toBe(0x040506);
    expect(r.u32()).toBe(0x0708090a);
    expect(r.f64()).toBe(1);
    expect(r.remaining).toBe(0);
  });

  it('returns subarrays without copying', () => {
    const buf = hex('00112233');
    const r = new ByteReader(buf);
    r.skip(1);
    const b = r.bytes(2);
    expect(b.buffer).toBe(buf.buffer);
    expect(toHex(b)).toBe('1122');
  });

  it('throws NeedMoreBytes past the end, never reads out of range', () => {
    const r = new ByteReader(hex('0102'));
    expect(() => r.u24()).toThrow(NeedMoreBytes);
    expect(() => r.bytes(3)).toThrow(ProtocolError);
    expect(r.pos).toBe(0);
  });

  fcTest.prop([fc.uint8Array({ maxLength: 64 }), fc.array(fc.integer({ min: 0, max: 6 }), { maxLength: 40 })])(
    'random reads either succeed in range or throw NeedMoreBytes',
    (buf, ops) => {
      const r = new ByteReader(buf);
      for (const op of ops) {
        try {
          [() => r.u8(), () => r.u16(), () => r.u24(), () => r.u32(), () => r.f64(), () => r.bytes(5), () => r.skip(3)][op]!();
        } catch (e) {
          expect(e).toBeInstanceOf(NeedMoreBytes);
        }
        expect(r.pos).toBeLessThanOrEqual(buf.length);
      }
    },
  );
});
