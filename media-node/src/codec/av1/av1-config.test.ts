import { describe, expect, it } from 'vitest';
import { test as fcTest, fc } from '@fast-check/vitest';
import { ProtocolError, hex, toHex } from '@runnel/shared';
import { decodeAv1Config, encodeAv1Config } from './av1-config.ts';
import type { Av1CodecConfig } from './av1-config.ts';
import { AV1_OBU, findSequenceHeaderObu } from './obu.ts';
import { AV1_SAMPLES } from '../testdata/av1-samples.ts';

describe('AV1CodecConfigurationRecord', () => {
  it('decodes every field of a libaom record', () => {
    const c = decodeAv1Config(hex(AV1_SAMPLES[0]!.av1C));
    expect({ ...c, configObus: toHex(c.configObus) }).toEqual({
      seqProfile: 0,
      seqLevelIdx0: 0,
      seqTier0: 0,
      bitDepth: 8,
      monochrome: false,
      chromaSubsamplingX: true,
      chromaSubsamplingY: true,
      chromaSamplePosition: 0,
      configObus: '0a0b000000043cffbcdaf90040',
    });
  });

  it.each(AV1_SAMPLES)('decodes $name as ffprobe reports it', (s) => {
    const c = decodeAv1Config(hex(s.av1C));
    expect([c.seqProfile, c.seqLevelIdx0, c.bitDepth, c.monochrome, c.chromaSubsamplingX, c.chromaSubsamplingY]).toEqual([
      s.seqProfile, s.seqLevelIdx0, s.bitDepth, s.monochrome, ...s.subsampling,
    ]);
    expect(findSequenceHeaderObu(c.configObus)?.type).toBe(AV1_OBU.SEQUENCE_HEADER);
  });

  it.each(AV1_SAMPLES)('re-encodes $name byte for byte', (s) => {
    expect(toHex(encodeAv1Config(decodeAv1Config(hex(s.av1C))))).toBe(s.av1C);
  });

  it('keeps the initial presentation delay', () => {
    const c = decodeAv1Config(hex('81000c13'));
    expect(c.initialPresentationDelay).toBe(4);
    expect(toHex(encodeAv1Config(c))).toBe('81000c13');
  });

  it.each([
    { name: 'too short', hex: '81000c', code: 'truncated' },
    { name: 'marker bit clear', hex: '01000c00', code: 'av1_config_version' },
    { name: 'version 2', hex: '82000c00', code: 'av1_config_version' },
  ])('rejects $name', (c) => {
    expect(() => decodeAv1Config(hex(c.hex))).toThrow(expect.objectContaining({ code: c.code }));
  });

  fcTest.prop([
    fc.record({
      seqProfile: fc.integer({ min: 0, max: 7 }),
      seqLevelIdx0: fc.integer({ min: 0, max: 31 }),
      seqTier0: fc.integer({ min: 0, max: 1 }),
      bitDepth: fc.constantFrom(8, 10, 12),
      monochrome: fc.boolean(),
      chromaSubsamplingX: fc.boolean(),
      chromaSubsamplingY: fc.boolean(),
      chromaSamplePosition: fc.integer({ min: 0, max: 3 }),
      initialPresentationDelay: fc.option(fc.integer({ min: 1, max: 16 }), { nil: undefined }),
      configObus: fc.uint8Array({ maxLength: 40 }),
    }),
  ])('round-trips generated records', ({ initialPresentationDelay, ...rest }) => {
    const c: Av1CodecConfig = initialPresentationDelay === undefined ? rest : { ...rest, initialPresentationDelay };
    const back = decodeAv1Config(encodeAv1Config(c));
    expect({ ...back, configObus: toHex(back.configObus) }).toEqual({ ...c, configObus: toHex(c.configObus) });
  });

  fcTest.prop([fc.uint8Array({ maxLength: 64 })])('garbage only ever throws ProtocolError', (b) => {
    try {
      decodeAv1Config(b);
    } catch (e) {
      expect(e).toBeInstanceOf(ProtocolError);
    }
  });
});
