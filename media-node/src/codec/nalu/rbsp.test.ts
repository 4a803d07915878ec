import { describe, expect, it } from 'vitest';
import { test as fcTest, fc } from '@fast-check/vitest';
import { hex, toHex } from '@runnel/shared';
import { nalToRbsp, rbspToNal } from './rbsp.ts';

/** NAL bytes and their RBSP (H.264 7.4.1: every `00 00 03` drops its 03). */
const CASES = [
  { name: 'no escape', nal: '6764001facd9', rbsp: '6764001facd9' },
  { name: 'x264 SPS escape', nal: '011000000300100000030320', rbsp: '01100000001000000320' },
  { name: 'escape before 00', nal: '000003000080', rbsp: '0000000080' },
  { name: 'escape at the end (cabac_zero_word)', nal: '11000003', rbsp: '110000' },
  { name: 'escape before 01 and 03', nal: '000003010000030302', rbsp: '00000100000302' },
];

describe('RBSP emulation prevention', () => {
  it.each(CASES)('removes escapes: $name', (c) => {
    expect(toHex(nalToRbsp(hex(c.nal)))).toBe(c.rbsp);
  });

  it.each(CASES)('inserts escapes: $name', (c) => {
    expect(toHex(rbspToNal(hex(c.rbsp)))).toBe(c.nal);
  });

  it('returns the input itself when nothing is escaped', () => {
    const nal = hex('67640028acd9');
    expect(nalToRbsp(nal)).toBe(nal);
    expect(rbspToNal(nal)).toBe(nal);
  });

  fcTest.prop([fc.uint8Array({ maxLength: 200 }).map((b) => b.map((x) => (x < 8 ? x & 3 : x)))])('round-trips any RBSP', (rbsp) => {
    const nal = rbspToNal(rbsp);
    // An escaped NAL never contains a start code prefix.
    for (let i = 0; i + 2 < nal.length; i++) expect(nal[i] === 0 && nal[i + 1] === 0 && nal[i + 2]! <= 2).toBe(false);
    expect(toHex(nalToRbsp(nal))).toBe(toHex(rbsp));
  });
});
