import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { test as fcTest, fc } from '@fast-check/vitest';
import { ProtocolError, hex, toHex } from '@runnel/shared';
import { joinAnnexB, splitAnnexB } from './annexb.ts';
import { rbspToNal } from './rbsp.ts';

const CASES = [
  { name: '4-byte start codes', hex: '00000001 09f0 00000001 6764001f 00000001 68ebe3cb', nalus: ['09f0', '6764001f', '68ebe3cb'] },
  { name: '3-byte start codes', hex: '000001 09f0 000001 65888480', nalus: ['09f0', '65888480'] },
  { name: 'mixed, with leading garbage', hex: 'ffee 000001 09f0 00000001 65888480', nalus: ['09f0', '65888480'] },
  { name: 'trailing zero bytes dropped', hex: '00000001 09f0 0000 00000001 418a 00', nalus: ['09f0', '418a'] },
  { name: 'empty NAL units skipped', hex: '00000001 00000001 09f0 000001', nalus: ['09f0'] },
  { name: 'no start code', hex: '6588848000', nalus: [] },
];

describe('Annex B byte stream', () => {
  it.each(CASES)('splits $name', (c) => {
    expect(splitAnnexB(hex(c.hex)).map(toHex)).toEqual(c.nalus);
  });

  it('joins with 4-byte start codes', () => {
    expect(toHex(joinAnnexB([hex('09f0'), hex('65888480')]))).toBe('0000000109f00000000165888480');
  });

  it('splits a real x264 stream (-x264-params aud=1, 2 frames) into AUD/SPS/PPS/SEI/IDR/AUD/P', () => {
    const stream = new Uint8Array(readFileSync(new URL('../testdata/h264-1280x720-2frames.h264', import.meta.url)));
    const nalus = splitAnnexB(stream);
    expect(nalus.map((n) => n[0]! & 0x1f)).toEqual([9, 7, 8, 6, 5, 9, 1]);
    expect(toHex(nalus[1]!)).toBe('6764001facd9405005bb011000000300100000030320f1831960');
    // every byte is accounted for: each NAL unit follows a 3- or 4-byte start code, the last ends the stream
    let end = 0;
    for (const n of nalus) {
      expect(n.buffer).toBe(stream.buffer);
      const gap = stream.subarray(end, n.byteOffset);
      expect(['000001', '00000001']).toContain(toHex(gap));
      end = n.byteOffset + n.length;
    }
    expect(end).toBe(stream.length);
  });

  fcTest.prop([fc.array(fc.uint8Array({ minLength: 1, maxLength: 100 }), { maxLength: 10 })])('round-trips escaped NAL units', (rbsps) => {
    // A NAL unit never contains a start code (escaped) nor ends in a zero byte (rbsp_stop_one_bit).
    const nalus = rbsps.map((r) => rbspToNal(Uint8Array.of(...r, 0x80)));
    expect(splitAnnexB(joinAnnexB(nalus)).map(toHex)).toEqual(nalus.map(toHex));
  });

  fcTest.prop([fc.uint8Array({ maxLength: 2048 }).map((b) => b.map((x) => (x < 0x80 ? x & 1 : x)))])('garbage never throws, NAL units are non-empty', (b) => {
    try {
      for (const n of splitAnnexB(b)) expect(n.length).toBeGreaterThan(0);
    } catch (e) {
      expect(e).toBeInstanceOf(ProtocolError);
    }
  });
});
