import { describe, expect, it } from 'vitest';
import { test as fcTest, fc } from '@fast-check/vitest';
import { ProtocolError, hex, toHex } from '@runnel/shared';
import { decodeOpusHead, encodeOpusHead, makeOpusHead } from './opus-head.ts';
import type { OpusHead } from './opus-head.ts';

/** OpusHead packets from `ffmpeg -c:a libopus` Ogg files (stereo, and 5.1 via -af pan). */
const CASES: { name: string; hex: string; value: OpusHead }[] = [
  {
    name: 'libopus stereo, family 0',
    hex: '4f707573486561640102380180bb0000000000',
    value: { version: 1, channels: 2, preSkip: 312, inputSampleRate: 48000, outputGain: 0, mappingFamily: 0 },
  },
  {
    name: 'libopus 5.1, family 1 (Vorbis order)',
    hex: '4f707573486561640106380180bb00000000010402000401020305',
    value: {
      version: 1, channels: 6, preSkip: 312, inputSampleRate: 48000, outputGain: 0, mappingFamily: 1,
      channelMapping: { streams: 4, coupled: 2, mapping: [0, 4, 1, 2, 3, 5] },
    },
  },
  {
    name: 'mono 44.1 kHz input with -3 dB gain',
    hex: '4f707573486561640101000044ac000000fd00',
    value: { version: 1, channels: 1, preSkip: 0, inputSampleRate: 44100, outputGain: -768, mappingFamily: 0 },
  },
];

describe('OpusHead', () => {
  it.each(CASES)('decodes $name', (c) => {
    expect(decodeOpusHead(hex(c.hex))).toEqual(c.value);
  });

  it.each(CASES)('encodes $name', (c) => {
    expect(toHex(encodeOpusHead(c.value))).toBe(c.hex);
  });

  it.each([
    { name: 'short', hex: '4f707573486561640102', code: 'truncated' },
    { name: 'wrong magic', hex: '4f707573546167730102380180bb0000000000', code: 'opus_head_magic' },
    { name: 'version 16', hex: '4f707573486561641002380180bb0000000000', code: 'opus_head_version' },
    { name: '0 channels', hex: '4f707573486561640100380180bb0000000000', code: 'opus_head_channels' },
    { name: 'family 0 with 3 channels', hex: '4f707573486561640103380180bb0000000000', code: 'opus_head_channels' },
    { name: 'family 1 with 9 channels', hex: '4f707573486561640109380180bb0000000001', code: 'opus_head_channels' },
    { name: 'mapping table cut short', hex: '4f707573486561640106380180bb000000000104020004', code: 'truncated' },
    { name: 'mapping past the streams', hex: '4f707573486561640102380180bb00000000010101 0002', code: 'opus_head_mapping' },
    { name: '0 streams', hex: '4f707573486561640101380180bb00000000010000 ff', code: 'opus_head_mapping' },
  ])('rejects $name', (c) => {
    expect(() => decodeOpusHead(hex(c.hex))).toThrow(expect.objectContaining({ code: c.code }));
  });

  it('makes the head a WebRTC bridge needs', () => {
    expect(decodeOpusHead(encodeOpusHead(makeOpusHead(2, 312)))).toEqual(CASES[0]!.value);
  });

  fcTest.prop([
    fc.integer({ min: 1, max: 255 }).chain((channels) =>
      fc.record({
        version: fc.integer({ min: 0, max: 15 }),
        channels: fc.constant(channels),
        preSkip: fc.integer({ min: 0, max: 0xffff }),
        inputSampleRate: fc.nat(),
        outputGain: fc.integer({ min: -32768, max: 32767 }),
        mappingFamily: fc.integer({ min: 1, max: 255 }).filter((f) => f !== 1 || channels <= 8),
        channelMapping: fc.integer({ min: 1, max: 127 }).chain((streams) =>
          fc.record({
            streams: fc.constant(streams),
            coupled: fc.integer({ min: 0, max: streams }),
            mapping: fc.array(fc.integer({ min: 0, max: streams - 1 }), { minLength: channels, maxLength: channels }),
          }),
        ),
      }),
    ),
  ])('round-trips generated heads with a mapping table', (h) => {
    expect(decodeOpusHead(encodeOpusHead(h))).toEqual(h);
  });

  fcTest.prop([fc.uint8Array({ maxLength: 64 })])('garbage only ever throws ProtocolError', (b) => {
    try {
      decodeOpusHead(Uint8Array.of(...hex('4f70757348656164'), ...b));
    } catch (e) {
      expect(e).toBeInstanceOf(ProtocolError);
    }
  });
});
