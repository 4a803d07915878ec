import { describe, expect, it } from 'vitest';
import { test as fcTest, fc } from '@fast-check/vitest';
import { ProtocolError, hex, toHex } from '@runnel/shared';
import { decodeAvcConfig, encodeAvcConfig } from './avc-config.ts';
import { AVC_SAMPLES } from '../testdata/h264-samples.ts';

/** A record as the tests spell it: hex strings instead of byte views. */
function plain(c: ReturnType<typeof decodeAvcConfig>) {
  return {
    ...c,
    sps: c.sps.map(toHex),
    pps: c.pps.map(toHex),
    ...(c.ext ? { ext: { ...c.ext, spsExt: c.ext.spsExt.map(toHex) } } : {}),
  };
}

describe('AVCDecoderConfigurationRecord', () => {
  it('decodes the fields of a real x264 record', () => {
    const c = decodeAvcConfig(hex(AVC_SAMPLES[1]!.avcC));
    expect(plain(c)).toEqual({
      profile: 100,
      compatibility: 0,
      level: 31,
      lengthSize: 4,
      sps: ['6764001facd9405005bb011000000300100000030320f1831960'],
      pps: ['68ebe3cb22c0'],
      ext: { chromaFormat: 1, bitDepthLuma: 8, bitDepthChroma: 8, spsExt: [] },
    });
  });

  it.each(AVC_SAMPLES)('decodes $name', (s) => {
    const c = decodeAvcConfig(hex(s.avcC));
    expect(c.sps).toHaveLength(1);
    expect(c.pps).toHaveLength(1);
    expect(c.ext !== undefined).toBe(s.ext);
    if (c.ext) {
      expect(c.ext.chromaFormat).toBe(s.chromaFormatIdc);
      expect(c.ext.bitDepthLuma).toBe(s.bitDepth);
    }
  });

  it.each(AVC_SAMPLES)('re-encodes $name byte for byte', (s) => {
    expect(toHex(encodeAvcConfig(decodeAvcConfig(hex(s.avcC))))).toBe(s.avcC);
  });

  it('reads 2 SPS, 2 PPS, a 2-byte length size and an SPS extension', () => {
    const rec = '01 64 00 1f fd e2 0002 6764 0002 6765 02 0001 68 0002 68ee fd f9 f9 01 0002 6d01';
    const c = decodeAvcConfig(hex(rec));
    expect(plain(c)).toEqual({
      profile: 100, compatibility: 0, level: 31, lengthSize: 2,
      sps: ['6764', '6765'], pps: ['68', '68ee'],
      ext: { chromaFormat: 1, bitDepthLuma: 9, bitDepthChroma: 9, spsExt: ['6d01'] },
    });
    expect(toHex(encodeAvcConfig(c))).toBe(toHex(hex(rec)));
  });

  it('ignores bytes after the record and accepts High profile without the extension', () => {
    const sample = AVC_SAMPLES[0]!.avcC;
    const noExt = sample.slice(0, -8); // what pre-2010 encoders write
    expect(decodeAvcConfig(hex(noExt)).ext).toBeUndefined();
    expect(toHex(encodeAvcConfig(decodeAvcConfig(hex(noExt + 'ff'))))).toBe(noExt);
  });

  /** bad-inputs row 36 plus the other ways a record can lie. */
  const BAD = [
    { name: 'empty', hex: '', code: 'truncated' },
    { name: 'truncated header', hex: '0164001fff', code: 'truncated' },
    { name: 'numOfSPS = 31 with 0 bytes', hex: '0164001fffff', code: 'truncated' },
    { name: 'SPS length past the end', hex: '0164001fffe1 0010 6764', code: 'truncated' },
    { name: 'no SPS', hex: '0164001fffe0 01 0001 68', code: 'avc_config_no_sps' },
    { name: 'no PPS', hex: '0164001fffe1 0001 67 00', code: 'avc_config_no_pps' },
    { name: 'PPS count missing', hex: '0164001fffe1 0001 67', code: 'truncated' },
    { name: 'empty SPS', hex: '0164001fffe1 0000 01 0001 68', code: 'avc_config_empty_nalu' },
    { name: 'empty PPS', hex: '0164001fffe1 0001 67 01 0000', code: 'avc_config_empty_nalu' },
    { name: 'SPS slot holding a PPS', hex: '0164001fffe1 0001 68 01 0001 68', code: 'avc_config_nalu_type' },
    { name: 'version 0', hex: '0064001fffe1 0001 67 01 0001 68', code: 'avc_config_version' },
    { name: 'lengthSizeMinusOne = 2', hex: '0164001ffee1 0001 67 01 0001 68', code: 'avc_config_length_size' },
    { name: 'extension with SPS ext past the end', hex: '0164001fffe1 0001 67 01 0001 68 fdf8f8 01 0005 6d', code: 'truncated' },
  ];

  it.each(BAD)('rejects $name with $code', (c) => {
    expect(() => decodeAvcConfig(hex(c.hex))).toThrow(expect.objectContaining({ code: c.code }));
  });

  it('refuses to encode a record without parameter sets', () => {
    const c = decodeAvcConfig(hex(AVC_SAMPLES[0]!.avcC));
    expect(() => encodeAvcConfig({ ...c, sps: [] })).toThrow(ProtocolError);
    expect(() => encodeAvcConfig({ ...c, pps: [new Uint8Array(0)] })).toThrow(ProtocolError);
  });

  fcTest.prop([fc.uint8Array({ maxLength: 512 })])('garbage only ever throws ProtocolError', (b) => {
    try {
      const c = decodeAvcConfig(b);
      expect(c.sps.length).toBeGreaterThan(0);
    } catch (e) {
      expect(e).toBeInstanceOf(ProtocolError);
    }
  });

  fcTest.prop([
    fc.constantFrom(...AVC_SAMPLES.map((s) => hex(s.avcC))),
    fc.array(fc.tuple(fc.nat(), fc.integer({ min: 0, max: 255 })), { minLength: 1, maxLength: 4 }),
    fc.nat(),
  ])('mutated real records decode, round-trip or throw ProtocolError', (rec, flips, cut) => {
    const b = rec.slice(0, cut % (rec.length + 1));
    for (const [i, v] of flips) if (b.length) b[i % b.length] = v;
    let c;
    try {
      c = decodeAvcConfig(b);
    } catch (e) {
      expect(e).toBeInstanceOf(ProtocolError);
      return;
    }
    expect(plain(decodeAvcConfig(encodeAvcConfig(c)))).toEqual(plain(c));
  });
});
