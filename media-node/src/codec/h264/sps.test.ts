import { describe, expect, it } from 'vitest';
import { test as fcTest, fc } from '@fast-check/vitest';
import { ProtocolError, hex } from '@runnel/shared';
import { BitWriter } from '../bit-writer.ts';
import { rbspToNal } from '../nalu/rbsp.ts';
import { decodeAvcConfig } from './avc-config.ts';
import { MAX_PICTURE_SIDE } from '../limits.ts';
import { decodeAvcSps } from './sps.ts';
import { AVC_SAMPLES } from '../testdata/h264-samples.ts';

const spsOf = (avcC: string): Uint8Array => decodeAvcConfig(hex(avcC)).sps[0]!;

describe('H.264 SPS', () => {
  it.each(AVC_SAMPLES)('reads what ffprobe reports for $name', (s) => {
    const sps = decodeAvcSps(spsOf(s.avcC));
    expect(sps.width).toBe(s.width);
    expect(sps.height).toBe(s.height);
    expect(sps.chromaFormatIdc).toBe(s.chromaFormatIdc);
    expect(sps.bitDepthLuma).toBe(s.bitDepth);
    expect(sps.frameMbsOnly).toBe(s.frameMbsOnly);
    // x264 signals field rate in VUI timing: fps = time_scale / (2 * num_units_in_tick)
    expect(sps.timing).toBeDefined();
    expect(sps.timing!.timeScale / (2 * sps.timing!.numUnitsInTick)).toBeCloseTo(s.fps, 6);
  });

  it('keeps the header bytes apart from the derived fields', () => {
    const sps = decodeAvcSps(spsOf(AVC_SAMPLES[2]!.avcC));
    expect(sps).toMatchObject({ profileIdc: 66, constraintFlags: 0xc0, levelIdc: 40, spsId: 0 });
  });

  it('drops only the timing of a truncated VUI', () => {
    const full = spsOf(AVC_SAMPLES[1]!.avcC);
    const cut = decodeAvcSps(full.subarray(0, 12)); // ends inside vui_parameters()
    expect(cut.width).toBe(1280);
    expect(cut.timing).toBeUndefined();
  });

  const BAD = [
    { name: 'too short', hex: '6764', code: 'sps_truncated' },
    { name: 'a PPS', hex: '68ebe3cb22c0', code: 'sps_nalu_type' },
    { name: 'cut before the picture size', hex: '6764001facd9', code: 'truncated' },
    { name: '40 leading zero bits', hex: '6764001f 0000000000', code: 'exp_golomb_overflow' },
    { name: 'seq_parameter_set_id 32', hex: '6742c028 0420', code: 'sps_out_of_range' }, // ue '00000100001' = 32
  ];

  it.each(BAD)('rejects $name with $code', (c) => {
    expect(() => decodeAvcSps(hex(c.hex))).toThrow(expect.objectContaining({ code: c.code }));
  });

  it('rejects a crop window larger than the picture', () => {
    expect(() => decodeAvcSps(buildSps({ ...BASE, crop: [0, 0, 60, 60] }))).toThrow(expect.objectContaining({ code: 'sps_bad_cropping' }));
  });

  it('rejects a picture wider than MAX_PICTURE_SIDE', () => {
    expect(() => decodeAvcSps(buildSps({ ...BASE, widthMbs: MAX_PICTURE_SIDE / 16 + 1 }))).toThrow(expect.objectContaining({ code: 'sps_out_of_range' }));
  });

  fcTest.prop([spsParams])('parses any well-formed SPS the test writer builds', (p) => {
    const sps = decodeAvcSps(buildSps(p));
    // H.264 7.4.2.1.1 with Table 6-1: crop units are chroma samples, doubled vertically for field coding.
    const chromaArrayType = p.separatePlanes ? 0 : p.chroma;
    const unitX = chromaArrayType === 1 || chromaArrayType === 2 ? 2 : 1;
    const unitY = (chromaArrayType === 1 ? 2 : 1) * (p.frameMbsOnly ? 1 : 2);
    expect(sps.width).toBe(p.widthMbs * 16 - unitX * (p.crop[0] + p.crop[1]));
    expect(sps.height).toBe(p.heightUnits * 16 * (p.frameMbsOnly ? 1 : 2) - unitY * (p.crop[2] + p.crop[3]));
    expect(sps.profileIdc).toBe(p.profile);
    expect(sps.chromaFormatIdc).toBe(p.chroma);
    expect(sps.timing).toEqual({ numUnitsInTick: p.tick, timeScale: p.scale, fixedFrameRate: true });
  });

  fcTest.prop([fc.uint8Array({ maxLength: 256 })])('garbage only ever throws ProtocolError', (b) => {
    try {
      const sps = decodeAvcSps(Uint8Array.of(0x67, ...b));
      expect(sps.width).toBeGreaterThan(0);
      expect(sps.height).toBeGreaterThan(0);
    } catch (e) {
      expect(e).toBeInstanceOf(ProtocolError);
    }
  });
});

interface SpsParams {
  profile: number;
  chroma: number;
  separatePlanes: boolean;
  scaling: number[][] | null;
  pocType: number;
  pocCycle: number[];
  widthMbs: number;
  heightUnits: number;
  frameMbsOnly: boolean;
  crop: [number, number, number, number];
  tick: number;
  scale: number;
}

const BASE: SpsParams = {
  profile: 100, chroma: 1, separatePlanes: false, scaling: null, pocType: 0, pocCycle: [],
  widthMbs: 20, heightUnits: 15, frameMbsOnly: true, crop: [0, 0, 0, 0], tick: 1, scale: 50,
};

const spsParams = fc
  .record({
    profile: fc.constantFrom(66, 77, 100, 110, 122, 244),
    chroma: fc.integer({ min: 0, max: 3 }),
    separatePlanes: fc.boolean(),
    scaling: fc.option(fc.array(fc.array(fc.integer({ min: -128, max: 127 }), { minLength: 64, maxLength: 64 }), { minLength: 12, maxLength: 12 })),
    pocType: fc.integer({ min: 0, max: 2 }),
    pocCycle: fc.array(fc.integer({ min: -1000, max: 1000 }), { maxLength: 5 }),
    widthMbs: fc.integer({ min: 2, max: 240 }),
    heightUnits: fc.integer({ min: 2, max: 135 }),
    frameMbsOnly: fc.boolean(),
    crop: fc.tuple(fc.nat(3), fc.nat(3), fc.nat(1), fc.nat(1)),
    tick: fc.integer({ min: 1, max: 1001 }),
    scale: fc.integer({ min: 1, max: 2 ** 32 - 1 }),
  })
  .map((p): SpsParams => {
    // Baseline/Main carry no chroma_format_idc: 4:2:0 is implied (H.264 7.4.2.1.1).
    const high = p.profile >= 100;
    return { ...p, chroma: high ? p.chroma : 1, separatePlanes: high && p.chroma === 3 && p.separatePlanes, scaling: high ? p.scaling : null };
  });

/** Writes an SPS NAL unit field by field in H.264 7.3.2.1.1 order. */
function buildSps(p: SpsParams): Uint8Array {
  const w = new BitWriter();
  w.u(8, p.profile);
  w.u(8, 0);
  w.u(8, 40);
  w.ue(0);
  if (p.profile >= 100) {
    w.ue(p.chroma);
    if (p.chroma === 3) w.flag(p.separatePlanes);
    w.ue(0);
    w.ue(0);
    w.flag(false);
    w.flag(p.scaling !== null);
    if (p.scaling) {
      const lists = p.chroma === 3 ? 12 : 8;
      for (let i = 0; i < lists; i++) {
        const deltas = p.scaling[i]!;
        const present = i % 3 !== 1;
        w.flag(present);
        if (!present) continue;
        let last = 8;
        let next = 8;
        for (let j = 0; j < (i < 6 ? 16 : 64); j++) {
          if (next !== 0) {
            w.se(deltas[j]!);
            next = (last + deltas[j]! + 256) % 256;
          }
          last = next === 0 ? last : next;
        }
      }
    }
  }
  w.ue(0); // log2_max_frame_num_minus4
  w.ue(p.pocType);
  if (p.pocType === 0) w.ue(2);
  if (p.pocType === 1) {
    w.flag(false);
    w.se(-3);
    w.se(5);
    w.ue(p.pocCycle.length);
    for (const o of p.pocCycle) w.se(o);
  }
  w.ue(4); // max_num_ref_frames
  w.flag(false);
  w.ue(p.widthMbs - 1);
  w.ue(p.heightUnits - 1);
  w.flag(p.frameMbsOnly);
  if (!p.frameMbsOnly) w.flag(true);
  w.flag(true);
  const crop = p.crop.some((c) => c > 0);
  w.flag(crop);
  if (crop) for (const c of p.crop) w.ue(c);
  w.flag(true); // vui_parameters_present_flag
  w.flag(true); // aspect_ratio_info_present_flag
  w.u(8, 255); // Extended_SAR
  w.u(16, 4);
  w.u(16, 3);
  w.flag(false);
  w.flag(true); // video_signal_type_present_flag
  w.u(4, 5);
  w.flag(true);
  w.u(24, 0x010101);
  w.flag(true); // chroma_loc_info_present_flag
  w.ue(1);
  w.ue(1);
  w.flag(true); // timing_info_present_flag
  w.u(32, p.tick);
  w.u(32, p.scale);
  w.flag(true);
  w.u(1, 1); // rbsp_stop_one_bit
  return Uint8Array.of(0x67, ...rbspToNal(w.finish()));
}
