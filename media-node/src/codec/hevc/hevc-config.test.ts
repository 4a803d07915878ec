import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { test as fcTest, fc } from '@fast-check/vitest';
import { ProtocolError, hex, toHex } from '@runnel/shared';
import { MAX_HEVC_ARRAY_NALUS, decodeHevcConfig, encodeHevcConfig, hevcNalus } from './hevc-config.ts';
import { HEVC_NALU } from './nalu-type.ts';
import { HEVC_SAMPLES } from '../testdata/hevc-samples.ts';

const withSei = new Uint8Array(readFileSync(new URL('../testdata/hevc-1920x1080-x265.hvcC', import.meta.url)));

function plain(c: ReturnType<typeof decodeHevcConfig>) {
  return { ...c, arrays: c.arrays.map((a) => ({ ...a, nalus: a.nalus.map(toHex) })) };
}

describe('HEVCDecoderConfigurationRecord', () => {
  it('decodes every field of a real x265 record', () => {
    expect(plain(decodeHevcConfig(hex(HEVC_SAMPLES[0]!.hvcC)))).toEqual({
      profileSpace: 0,
      tier: 0,
      profileIdc: 1,
      compatibility: 0x60000000,
      constraints: 0x900000000000,
      levelIdc: 93,
      minSpatialSegmentation: 0,
      parallelismType: 0,
      chromaFormat: 1,
      bitDepthLuma: 8,
      bitDepthChroma: 8,
      avgFrameRate: 0,
      constantFrameRate: 0,
      numTemporalLayers: 1,
      temporalIdNested: true,
      lengthSize: 4,
      arrays: [
        { complete: false, type: 32, nalus: ['40010c01ffff01600000030090000003000003005d959809'] },
        { complete: false, type: 33, nalus: ['42010101600000030090000003000003005da00280802d165959a4932bc05a020000030002000003003210'] },
        { complete: false, type: 34, nalus: ['4401c172b46240'] },
      ],
    });
  });

  it.each(HEVC_SAMPLES)('decodes $name', (s) => {
    const c = decodeHevcConfig(hex(s.hvcC));
    expect(c.chromaFormat).toBe(s.chromaFormatIdc);
    expect(c.bitDepthLuma).toBe(s.bitDepth);
    expect(c.arrays.map((a) => a.type)).toEqual([HEVC_NALU.VPS, HEVC_NALU.SPS, HEVC_NALU.PPS]);
  });

  it.each(HEVC_SAMPLES)('re-encodes $name byte for byte', (s) => {
    expect(toHex(encodeHevcConfig(decodeHevcConfig(hex(s.hvcC))))).toBe(s.hvcC);
  });

  it('keeps the prefix SEI array x265 adds by default, byte for byte', () => {
    const c = decodeHevcConfig(withSei);
    expect(c.arrays.map((a) => a.type)).toEqual([32, 33, 34, HEVC_NALU.PREFIX_SEI]);
    expect(hevcNalus(c, HEVC_NALU.PREFIX_SEI)[0]!.length).toBeGreaterThan(2000);
    expect(toHex(encodeHevcConfig(c))).toBe(toHex(withSei));
  });

  const head = '0101600000009000000000005df000fcfdf8f800000f';
  const vps = '20 0001 0004 40010c01';
  const sps = '21 0001 0004 42010101';
  const pps = '22 0001 0003 4401c1';
  const BAD = [
    { name: 'truncated header', hex: head.slice(0, 30), code: 'truncated' },
    { name: 'array count with no arrays', hex: `${head}03`, code: 'truncated' },
    { name: 'NAL unit past the end', hex: `${head}01 20 0001 0010 4001`, code: 'truncated' },
    { name: 'no SPS', hex: `${head}02 ${vps} ${pps}`, code: 'hevc_config_no_sps' },
    { name: 'no VPS', hex: `${head}02 ${sps} ${pps}`, code: 'hevc_config_no_vps' },
    { name: 'no PPS', hex: `${head}02 ${vps} ${sps}`, code: 'hevc_config_no_pps' },
    { name: 'empty NAL unit', hex: `${head}03 ${vps} 21 0001 0000 ${pps}`, code: 'hevc_config_empty_nalu' },
    { name: 'PPS in the SPS array', hex: `${head}03 ${vps} 21 0001 0003 4401c1 ${pps}`, code: 'hevc_config_nalu_type' },
    { name: 'version 0', hex: `00${head.slice(2)}03 ${vps} ${sps} ${pps}`, code: 'hevc_config_version' },
    { name: 'lengthSizeMinusOne = 2', hex: `${head.slice(0, -2)}0e03 ${vps} ${sps} ${pps}`, code: 'hevc_config_length_size' },
    { name: `${MAX_HEVC_ARRAY_NALUS + 1} NAL units claimed`, hex: `${head}01 21 ${(MAX_HEVC_ARRAY_NALUS + 1).toString(16).padStart(4, '0')}`, code: 'hevc_config_too_many_nalus' },
    { name: '65535 NAL units claimed in 10 bytes', hex: `${head}01 21 ffff 0001 42`, code: 'hevc_config_too_many_nalus' },
  ];

  it.each(BAD)('rejects $name with $code', (c) => {
    expect(() => decodeHevcConfig(hex(c.hex))).toThrow(expect.objectContaining({ code: c.code }));
  });

  it('accepts the minimal record the bad cases are built from', () => {
    expect(decodeHevcConfig(hex(`${head}03 ${vps} ${sps} ${pps}`)).arrays).toHaveLength(3);
  });

  fcTest.prop([fc.uint8Array({ maxLength: 512 })])('garbage only ever throws ProtocolError', (b) => {
    try {
      decodeHevcConfig(b);
    } catch (e) {
      expect(e).toBeInstanceOf(ProtocolError);
    }
  });

  fcTest.prop([
    fc.constantFrom(...HEVC_SAMPLES.map((s) => hex(s.hvcC))),
    fc.array(fc.tuple(fc.nat(), fc.integer({ min: 0, max: 255 })), { minLength: 1, maxLength: 4 }),
    fc.nat(),
  ])('mutated real records round-trip or throw ProtocolError', (rec, flips, cut) => {
    const b = rec.slice(0, cut % (rec.length + 1));
    for (const [i, v] of flips) if (b.length) b[i % b.length] = v;
    let c;
    try {
      c = decodeHevcConfig(b);
    } catch (e) {
      expect(e).toBeInstanceOf(ProtocolError);
      return;
    }
    expect(plain(decodeHevcConfig(encodeHevcConfig(c)))).toEqual(plain(c));
  });
});
