import { describe, expect, it } from 'vitest';
import { test as fcTest, fc } from '@fast-check/vitest';
import { ProtocolError, hex, toHex } from '@runnel/shared';
import { MAX_AAC_SAMPLE_RATE, decodeAsc, encodeAsc, makeAsc } from './audio-specific-config.ts';
import type { AudioSpecificConfig } from './audio-specific-config.ts';
import { AAC_SAMPLE_RATES, aacChannelCount, aacFrequencyIndex, aacProfileName } from './tables.ts';

const GA = { frameLengthFlag: false, extensionFlag: false };

/**
 * Configs and their fields. The first two are what FFmpeg's AAC encoder puts in
 * MP4 esds / the FLV sequence header (`-c:a aac`, 44.1 kHz and 48 kHz stereo);
 * the HE-AAC ones are the layouts of ISO/IEC 14496-3 1.6.5 (explicit
 * hierarchical and backward-compatible SBR signaling) as fdk-aac writes them.
 */
const CASES: { name: string; hex: string; value: AudioSpecificConfig }[] = [
  {
    name: 'FFmpeg LC 44.1 kHz stereo + "no SBR" sync extension',
    hex: '121056e500',
    value: { objectType: 2, frequencyIndex: 4, sampleRate: 44100, channelConfiguration: 2, ga: GA, syncExtension: { objectType: 5, sbr: false } },
  },
  {
    name: 'FFmpeg LC 48 kHz stereo (FLV sequence header)',
    hex: '119056e500',
    value: { objectType: 2, frequencyIndex: 3, sampleRate: 48000, channelConfiguration: 2, ga: GA, syncExtension: { objectType: 5, sbr: false } },
  },
  { name: 'plain LC 44.1 kHz stereo', hex: '1210', value: { objectType: 2, frequencyIndex: 4, sampleRate: 44100, channelConfiguration: 2, ga: GA } },
  { name: 'Main 48 kHz 5.1', hex: '09b0', value: { objectType: 1, frequencyIndex: 3, sampleRate: 48000, channelConfiguration: 6, ga: GA } },
  { name: 'LC 8 kHz mono, 960-sample frames', hex: '158c', value: { objectType: 2, frequencyIndex: 11, sampleRate: 8000, channelConfiguration: 1, ga: { ...GA, frameLengthFlag: true } } },
  {
    name: 'explicit rate 44100 (index 15)',
    hex: '1780562210',
    value: { objectType: 2, frequencyIndex: 15, sampleRate: 44100, channelConfiguration: 2, ga: GA },
  },
  {
    name: 'HE-AAC explicit: SBR 22.05 -> 44.1 kHz stereo',
    hex: '2b920800',
    value: { objectType: 5, frequencyIndex: 7, sampleRate: 22050, channelConfiguration: 2, sbr: { coreObjectType: 2, frequencyIndex: 4, sampleRate: 44100 }, ga: GA },
  },
  {
    name: 'HE-AAC v2 explicit: PS 24 -> 48 kHz from mono core',
    hex: 'eb098800',
    value: { objectType: 29, frequencyIndex: 6, sampleRate: 24000, channelConfiguration: 1, sbr: { coreObjectType: 2, frequencyIndex: 3, sampleRate: 48000 }, ga: GA },
  },
  {
    name: 'HE-AAC backward compatible: LC 24 kHz + SBR 48 kHz',
    hex: '131056e598',
    value: { objectType: 2, frequencyIndex: 6, sampleRate: 24000, channelConfiguration: 2, ga: GA, syncExtension: { objectType: 5, sbr: true, frequencyIndex: 3, sampleRate: 48000 } },
  },
  { name: 'escaped object type 39 (ELD), no GA config', hex: 'f8e620', value: { objectType: 39, frequencyIndex: 3, sampleRate: 48000, channelConfiguration: 1 } },
];

describe('AudioSpecificConfig', () => {
  it.each(CASES)('decodes $name', (c) => {
    expect(decodeAsc(hex(c.hex))).toEqual(c.value);
  });

  it.each(CASES)('encodes $name', (c) => {
    expect(toHex(encodeAsc(c.value))).toBe(c.hex);
  });

  /** bad-inputs row 40 and friends. */
  const BAD = [
    { name: '1-byte config', hex: '12', code: 'aac_config_truncated' },
    { name: 'empty config', hex: '', code: 'aac_config_truncated' },
    { name: 'index 15 without the explicit rate', hex: '1780', code: 'truncated' },
    { name: 'explicit rate 0', hex: '1780000010', code: 'aac_sample_rate' },
    { name: `explicit rate above ${MAX_AAC_SAMPLE_RATE}`, hex: '17ffffff10', code: 'aac_sample_rate' },
    { name: 'reserved index 13', hex: '1690', code: 'aac_sample_rate' },
    { name: 'channel config 0 (PCE)', hex: '1200', code: 'aac_channel_config' },
    { name: 'channel config 8 (reserved)', hex: '1240', code: 'aac_channel_config' },
    { name: 'object type 0', hex: '0210', code: 'aac_object_type' },
    { name: 'SBR without its extension fields', hex: '2b92', code: 'truncated' },
  ];

  it.each(BAD)('rejects $name with $code', (c) => {
    expect(() => decodeAsc(hex(c.hex))).toThrow(expect.objectContaining({ code: c.code }));
  });

  it('builds the minimal config FFmpeg would accept for an ADTS stream', () => {
    expect(toHex(encodeAsc(makeAsc(2, 48000, 1)))).toBe('1188');
    expect(decodeAsc(encodeAsc(makeAsc(2, 44100, 2)))).toEqual(makeAsc(2, 44100, 2));
  });

  it('names profiles, rates and channel counts', () => {
    expect([1, 2, 3, 4, 5, 29, 39].map(aacProfileName)).toEqual(['Main', 'LC', 'SSR', 'LTP', 'HE', 'HEv2', 'Other']);
    expect(AAC_SAMPLE_RATES[4]).toBe(44100);
    expect(aacFrequencyIndex(48000)).toBe(3);
    expect(aacFrequencyIndex(44000)).toBe(15);
    expect(aacChannelCount(7)).toBe(8);
    expect(aacChannelCount(2)).toBe(2);
  });

  fcTest.prop([
    fc.record({
      objectType: fc.integer({ min: 1, max: 4 }),
      rate: fc.oneof(fc.constantFrom(...AAC_SAMPLE_RATES), fc.integer({ min: 1, max: MAX_AAC_SAMPLE_RATE })),
      channels: fc.integer({ min: 1, max: 7 }),
      frameLengthFlag: fc.boolean(),
      coreCoderDelay: fc.option(fc.integer({ min: 0, max: 0x3fff }), { nil: undefined }),
      extensionFlag: fc.boolean(),
      explicitSbr: fc.option(fc.constantFrom(5, 29), { nil: undefined }),
    }),
  ])('round-trips generated configs', (p) => {
    const index = aacFrequencyIndex(p.rate);
    const ga = { frameLengthFlag: p.frameLengthFlag, extensionFlag: p.extensionFlag, ...(p.coreCoderDelay !== undefined ? { coreCoderDelay: p.coreCoderDelay } : {}) };
    const value: AudioSpecificConfig = p.explicitSbr
      ? { objectType: p.explicitSbr, frequencyIndex: index, sampleRate: p.rate, channelConfiguration: p.channels, sbr: { coreObjectType: p.objectType, frequencyIndex: 3, sampleRate: 48000 }, ga }
      : { objectType: p.objectType, frequencyIndex: index, sampleRate: p.rate, channelConfiguration: p.channels, ga };
    expect(decodeAsc(encodeAsc(value))).toEqual(value);
  });

  fcTest.prop([fc.uint8Array({ maxLength: 64 })])('garbage only ever throws ProtocolError', (b) => {
    try {
      const c = decodeAsc(b);
      expect(c.sampleRate).toBeGreaterThan(0);
      expect(c.channelConfiguration).toBeGreaterThan(0);
    } catch (e) {
      expect(e).toBeInstanceOf(ProtocolError);
    }
  });
});
