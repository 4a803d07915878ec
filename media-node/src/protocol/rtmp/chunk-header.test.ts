import { describe, expect, it } from 'vitest';
import { ProtocolError, hex, toHex } from '@runnel/shared';
import { decodeBasicHeader, writeBasicHeader } from './chunk-header.ts';

describe('chunk basic header', () => {
  it.each([
    { csid: 2, bytes: 'c2' },
    { csid: 63, bytes: 'ff' },
    { csid: 64, bytes: 'c000' },
    { csid: 319, bytes: 'c0ff' },
    { csid: 320, bytes: 'c10001' },
    { csid: 65599, bytes: 'c1ffff' },
  ])('cid $csid is $bytes (fmt 3)', ({ csid, bytes }) => {
    const buf = new Uint8Array(3);
    const n = writeBasicHeader(buf, 0, 3, csid);
    expect(toHex(buf.subarray(0, n))).toBe(bytes);
    expect(decodeBasicHeader(hex(bytes), 0)).toEqual({ fmt: 3, csid, size: n });
  });

  it('decodes 64 + b1 + 256 * b2 for every 3-byte header', () => {
    for (const [b1, b2] of [[0, 1], [0xff, 0xff], [0x12, 0x34]] as const) {
      expect(decodeBasicHeader(new Uint8Array([0x41, b1, b2]), 0)!.csid).toBe(64 + b1 + 256 * b2);
    }
  });

  it('needs all bytes of a multi-byte basic header', () => {
    expect(decodeBasicHeader(hex('00'), 0)).toBeNull();
    expect(decodeBasicHeader(hex('01ff'), 0)).toBeNull();
  });

  it('refuses cids outside 2..65599', () => {
    expect(() => writeBasicHeader(new Uint8Array(3), 0, 0, 1)).toThrow(ProtocolError);
    expect(() => writeBasicHeader(new Uint8Array(3), 0, 0, 65600)).toThrow(ProtocolError);
  });
});
