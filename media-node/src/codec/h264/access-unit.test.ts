import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { test as fcTest, fc } from '@fast-check/vitest';
import { ProtocolError, hex, toHex } from '@runnel/shared';
import { joinAvcc } from '../nalu/avcc.ts';
import type { NaluLengthSize } from '../nalu/avcc.ts';
import { splitAnnexB } from '../nalu/annexb.ts';
import { AVC_AUD_NALU, avccToAnnexB, isAvcKeyframe } from './access-unit.ts';
import { decodeAvcConfig } from './avc-config.ts';
import { AVC_SAMPLES } from '../testdata/h264-samples.ts';

const config = decodeAvcConfig(hex(AVC_SAMPLES[1]!.avcC));
const SPS = toHex(config.sps[0]!);
const PPS = toHex(config.pps[0]!);
const AUD = toHex(AVC_AUD_NALU);
const SEI = '0605ffffaadc45e9';
const IDR = '65888480ffee';
const P = '419a2218';

/** Access units as NAL unit lists, and the Annex B NAL units expected out. */
const CASES = [
  { name: 'IDR without parameter sets gets SPS/PPS after the AUD', in: [SEI, IDR], out: [AUD, SPS, PPS, SEI, IDR] },
  { name: 'IDR with its own SPS/PPS is left alone', in: [SPS, PPS, IDR], out: [AUD, SPS, PPS, IDR] },
  { name: 'IDR with an SPS but no PPS gets both', in: ['6764001f', IDR], out: [AUD, SPS, PPS, '6764001f', IDR] },
  { name: 'P frame only gets the AUD', in: [P], out: [AUD, P] },
  { name: 'an existing AUD is not doubled', in: ['0910', P], out: [AUD, P] },
];

describe('AVCC access unit -> Annex B', () => {
  it.each(CASES)('$name', (c) => {
    const au = joinAvcc(c.in.map((n) => hex(n)), 4);
    expect(splitAnnexB(avccToAnnexB(au, config)).map(toHex)).toEqual(c.out);
  });

  it('writes 4-byte start codes and the exact bytes', () => {
    expect(toHex(avccToAnnexB(hex(`00000004${P}`), config))).toBe(`00000001${AUD}00000001${P}`);
  });

  it('honours a 2-byte length size', () => {
    const cfg = { ...config, lengthSize: 2 as NaluLengthSize };
    expect(splitAnnexB(avccToAnnexB(joinAvcc([hex(IDR)], 2), cfg)).map(toHex)).toEqual([AUD, SPS, PPS, IDR]);
  });

  it('rebuilds the x264 Annex B access unit from its AVCC form without SPS/PPS', () => {
    const stream = new Uint8Array(readFileSync(new URL('../testdata/h264-1280x720-2frames.h264', import.meta.url)));
    const nalus = splitAnnexB(stream);
    const first = nalus.slice(0, 5); // AUD SPS PPS SEI IDR
    const fileConfig = { lengthSize: 4 as NaluLengthSize, sps: [first[1]!], pps: [first[2]!] };
    const avcc = joinAvcc([first[3]!, first[4]!], 4); // as an RTMP publisher sends it: SEI + IDR
    const out = splitAnnexB(avccToAnnexB(avcc, fileConfig));
    expect(out.map((n) => n[0]! & 0x1f)).toEqual([9, 7, 8, 6, 5]);
    expect(out.slice(1).map(toHex)).toEqual(first.slice(1).map(toHex));
  });

  it('rejects a malformed access unit (bad-inputs row 37)', () => {
    expect(() => avccToAnnexB(hex('ffffffff 65'), config)).toThrow(expect.objectContaining({ code: 'avcc_nalu_overrun' }));
  });

  fcTest.prop([fc.constantFrom<NaluLengthSize>(1, 2, 4), fc.uint8Array({ maxLength: 1024 })])('garbage only ever throws ProtocolError', (size, b) => {
    try {
      const out = avccToAnnexB(b, { ...config, lengthSize: size });
      expect(toHex(out.subarray(0, 6))).toBe(`00000001${AUD}`);
    } catch (e) {
      expect(e).toBeInstanceOf(ProtocolError);
    }
  });
});

describe('isAvcKeyframe', () => {
  it.each([
    { name: 'SEI + IDR', nalus: [SEI, IDR], key: true },
    { name: 'SPS + PPS + IDR', nalus: [SPS, PPS, IDR], key: true },
    { name: 'P slice', nalus: [P], key: false },
    { name: 'SEI only', nalus: [SEI], key: false },
  ])('$name -> $key', (c) => {
    expect(isAvcKeyframe(joinAvcc(c.nalus.map((n) => hex(n)), 4), 4)).toBe(c.key);
  });

  it('stops at the IDR, before trailing garbage', () => {
    expect(isAvcKeyframe(hex(`00000006${IDR} ffffffff`), 4)).toBe(true);
    expect(() => isAvcKeyframe(hex(`00000004${P} ffffffff`), 4)).toThrow(ProtocolError);
  });
});
