import { describe, expect, it } from 'vitest';
import { test as fcTest, fc } from '@fast-check/vitest';
import { ProtocolError, hex } from '@runnel/shared';
import { BitWriter } from '../bit-writer.ts';
import { rbspToNal } from '../nalu/rbsp.ts';
import { decodeHevcConfig, hevcNalus } from './hevc-config.ts';
import { HEVC_NALU, hevcLevelName, hevcProfileName } from './nalu-type.ts';
import { decodeHevcSps } from './sps.ts';
import { HEVC_SAMPLES } from '../testdata/hevc-samples.ts';

const spsOf = (hvcC: string): Uint8Array => hevcNalus(decodeHevcConfig(hex(hvcC)), HEVC_NALU.SPS)[0]!;

describe('H.265 SPS', () => {
  it.each(HEVC_SAMPLES)('reads what ffprobe reports for $name', (s) => {
    const sps = decodeHevcSps(spsOf(s.hvcC));
    expect(sps.width).toBe(s.width);
    expect(sps.height).toBe(s.height);
    expect(hevcProfileName(sps.profileIdc)).toBe(s.profile);
    expect(hevcLevelName(sps.levelIdc)).toBe(s.level);
    expect(sps.chromaFormatIdc).toBe(s.chromaFormatIdc);
    expect(sps.bitDepthLuma).toBe(s.bitDepth);
  });

  it('agrees with the record header on profile, level and chroma', () => {
    for (const s of HEVC_SAMPLES) {
      const cfg = decodeHevcConfig(hex(s.hvcC));
      const sps = decodeHevcSps(spsOf(s.hvcC));
      expect([sps.profileIdc, sps.levelIdc, sps.compatibility, sps.chromaFormatIdc]).toEqual([cfg.profileIdc, cfg.levelIdc, cfg.compatibility, cfg.chromaFormat]);
    }
  });

  const BAD = [
    { name: 'too short', hex: '4201', code: 'sps_truncated' },
    { name: 'a PPS', hex: '4401c172b46240', code: 'sps_nalu_type' },
    { name: 'cut inside profile_tier_level', hex: '420101016000000300', code: 'truncated' },
    { name: 'sps_max_sub_layers_minus1 = 7', hex: '42010e', code: 'sps_out_of_range' },
  ];

  it.each(BAD)('rejects $name with $code', (c) => {
    expect(() => decodeHevcSps(hex(c.hex))).toThrow(expect.objectContaining({ code: c.code }));
  });

  it('rejects a zero or oversized picture and an oversized window', () => {
    expect(() => decodeHevcSps(buildSps({ ...BASE, width: 0 }))).toThrow(expect.objectContaining({ code: 'sps_out_of_range' }));
    expect(() => decodeHevcSps(buildSps({ ...BASE, height: 16392 }))).toThrow(expect.objectContaining({ code: 'sps_out_of_range' }));
    expect(() => decodeHevcSps(buildSps({ ...BASE, window: [0, 0, 200, 200] }))).toThrow(expect.objectContaining({ code: 'sps_bad_cropping' }));
  });

  fcTest.prop([params])('parses any well-formed SPS head the test writer builds', (p) => {
    const sps = decodeHevcSps(buildSps(p));
    // H.265 Table 6-1: the window is in chroma sample units
    const cat = p.separatePlanes ? 0 : p.chroma;
    const subW = cat === 1 || cat === 2 ? 2 : 1;
    const subH = cat === 1 ? 2 : 1;
    expect(sps.width).toBe(p.width - subW * (p.window[0] + p.window[1]));
    expect(sps.height).toBe(p.height - subH * (p.window[2] + p.window[3]));
    expect(sps.maxSubLayers).toBe(p.subLayers.length + 1);
    expect([sps.profileIdc, sps.levelIdc, sps.bitDepthLuma]).toEqual([p.profile, p.level, p.bitDepth]);
  });

  fcTest.prop([fc.uint8Array({ maxLength: 256 })])('garbage only ever throws ProtocolError', (b) => {
    try {
      const sps = decodeHevcSps(Uint8Array.of(0x42, 0x01, ...b));
      expect(sps.width).toBeGreaterThan(0);
    } catch (e) {
      expect(e).toBeInstanceOf(ProtocolError);
    }
  });
});

interface Params {
  profile: number;
  level: number;
  subLayers: { profile: boolean; level: boolean }[];
  chroma: number;
  separatePlanes: boolean;
  width: number;
  height: number;
  window: [number, number, number, number];
  bitDepth: number;
}

const BASE: Params = {
  profile: 1, level: 93, subLayers: [], chroma: 1, separatePlanes: false, width: 1280, height: 720, window: [0, 0, 0, 0], bitDepth: 8,
};

const params = fc.record({
  profile: fc.integer({ min: 1, max: 4 }),
  level: fc.integer({ min: 30, max: 186 }),
  subLayers: fc.array(fc.record({ profile: fc.boolean(), level: fc.boolean() }), { maxLength: 6 }),
  chroma: fc.integer({ min: 0, max: 3 }),
  separatePlanes: fc.boolean(),
  width: fc.integer({ min: 64, max: 8192 }),
  height: fc.integer({ min: 64, max: 4320 }),
  window: fc.tuple(fc.nat(8), fc.nat(8), fc.nat(8), fc.nat(8)),
  bitDepth: fc.integer({ min: 8, max: 12 }),
}).map((p) => ({ ...p, separatePlanes: p.chroma === 3 && p.separatePlanes }));

/** Writes an SPS head field by field in H.265 7.3.2.2.1 / 7.3.3 order, then junk for the rest. */
function buildSps(p: Params): Uint8Array {
  const w = new BitWriter();
  w.u(4, 0); // sps_video_parameter_set_id
  w.u(3, p.subLayers.length);
  w.u(1, 1);
  w.u(2, 0);
  w.u(1, 0);
  w.u(5, p.profile);
  w.u(32, 0x60000000);
  w.u(32, 0x90000000);
  w.u(16, 0);
  w.u(8, p.level);
  for (const s of p.subLayers) {
    w.flag(s.profile);
    w.flag(s.level);
  }
  if (p.subLayers.length > 0) w.u(2 * (8 - p.subLayers.length), 0);
  for (const s of p.subLayers) {
    if (s.profile) {
      w.u(32, 0xffffffff);
      w.u(32, 0xffffffff);
      w.u(24, 0xffffff);
    }
    if (s.level) w.u(8, 0xff);
  }
  w.ue(0); // sps_seq_parameter_set_id
  w.ue(p.chroma);
  if (p.chroma === 3) w.flag(p.separatePlanes);
  w.ue(p.width);
  w.ue(p.height);
  const win = p.window.some((x) => x > 0);
  w.flag(win);
  if (win) for (const x of p.window) w.ue(x);
  w.ue(p.bitDepth - 8);
  w.ue(p.bitDepth - 8);
  w.u(16, 0xa5a5); // the rest of the SPS is not read
  w.u(1, 1);
  return Uint8Array.of(0x42, 0x01, ...rbspToNal(w.finish()));
}
