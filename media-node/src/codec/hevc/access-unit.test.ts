import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { test as fcTest, fc } from '@fast-check/vitest';
import { ProtocolError, hex, toHex } from '@runnel/shared';
import { joinAvcc } from '../nalu/avcc.ts';
import type { NaluLengthSize } from '../nalu/avcc.ts';
import { splitAnnexB } from '../nalu/annexb.ts';
import { HEVC_AUD_NALU, hevcToAnnexB, isHevcKeyframe } from './access-unit.ts';
import { decodeHevcConfig, hevcNalus } from './hevc-config.ts';
import { HEVC_NALU } from './nalu-type.ts';
import { HEVC_SAMPLES } from '../testdata/hevc-samples.ts';

const config = decodeHevcConfig(hex(HEVC_SAMPLES[0]!.hvcC));
const [VPS, SPS, PPS] = [HEVC_NALU.VPS, HEVC_NALU.SPS, HEVC_NALU.PPS].map((t) => toHex(hevcNalus(config, t)[0]!));
const AUD = toHex(HEVC_AUD_NALU);
const SEI = '4e0105ffff';
const IDR = '2601af1d20a8';
const CRA = '2a01af0990';
const TRAIL = '0201d00c21';

const CASES = [
  { name: 'IDR without parameter sets gets VPS/SPS/PPS', in: [SEI, IDR], out: [AUD, VPS, SPS, PPS, SEI, IDR] },
  { name: 'CRA counts as a random access point', in: [CRA], out: [AUD, VPS, SPS, PPS, CRA] },
  { name: 'IDR with its own parameter sets is left alone', in: [VPS, SPS, PPS, IDR], out: [AUD, VPS, SPS, PPS, IDR] },
  { name: 'trailing picture only gets the AUD', in: [TRAIL], out: [AUD, TRAIL] },
  { name: 'an existing AUD is not doubled', in: ['460110', TRAIL], out: [AUD, TRAIL] },
];

describe('HEVC access unit -> Annex B', () => {
  it.each(CASES)('$name', (c) => {
    expect(splitAnnexB(hevcToAnnexB(joinAvcc(c.in.map((n) => hex(n)), 4), config)).map(toHex)).toEqual(c.out);
  });

  it('writes the AUD FFmpeg writes', () => {
    expect(toHex(hevcToAnnexB(hex(`00000005${TRAIL}`), config))).toBe(`00000001460150 00000001${TRAIL}`.replace(' ', ''));
  });

  it('rebuilds the x265 Annex B access unit from its AVCC form', () => {
    const stream = new Uint8Array(readFileSync(new URL('../testdata/hevc-320x240-2frames.hevc', import.meta.url)));
    const nalus = splitAnnexB(stream);
    const types = nalus.map((n) => (n[0]! >>> 1) & 0x3f);
    expect(types.slice(0, 5)).toEqual([35, 32, 33, 34, 20]); // AUD VPS SPS PPS IDR_N_LP (x265 aud=1)
    const cfg = { lengthSize: 4 as NaluLengthSize, arrays: [32, 33, 34].map((type, i) => ({ complete: true, type, nalus: [nalus[i + 1]!] })) };
    const out = splitAnnexB(hevcToAnnexB(joinAvcc([nalus[4]!], 4), cfg));
    expect(out.slice(1).map(toHex)).toEqual(nalus.slice(1, 5).map(toHex));
    expect(isHevcKeyframe(joinAvcc([nalus[4]!], 4), 4)).toBe(true);
    const secondFrame = nalus.slice(5).filter((n) => ((n[0]! >>> 1) & 0x3f) < 32);
    expect(secondFrame.length).toBeGreaterThan(0);
    expect(isHevcKeyframe(joinAvcc(secondFrame, 4), 4)).toBe(false);
  });

  fcTest.prop([fc.constantFrom<NaluLengthSize>(1, 2, 4), fc.uint8Array({ maxLength: 1024 })])('garbage only ever throws ProtocolError', (size, b) => {
    try {
      const out = hevcToAnnexB(b, { ...config, lengthSize: size });
      expect(toHex(out.subarray(0, 7))).toBe(`00000001${AUD}`);
    } catch (e) {
      expect(e).toBeInstanceOf(ProtocolError);
    }
  });
});
