import { describe, expect, it } from 'vitest';
import { test as fcTest, fc } from '@fast-check/vitest';
import { ProtocolError, hex } from '@runnel/shared';
import { decodeMpegAudioHeader } from './mpeg-audio-header.ts';

/** First frame headers of FFmpeg (libmp3lame, mp2) output, with what ffprobe reports for each file. */
const CASES = [
  {
    name: 'libmp3lame 128k 44.1 kHz stereo',
    hex: 'fffb9000',
    value: { version: '1', layer: 3, crc: false, bitrate: 128, sampleRate: 44100, padding: false, channels: 2, samplesPerFrame: 1152, frameLength: 417 },
  },
  {
    name: 'libmp3lame 32k 22.05 kHz mono (MPEG-2)',
    hex: 'fff340c4',
    value: { version: '2', layer: 3, crc: false, bitrate: 32, sampleRate: 22050, padding: false, channels: 1, samplesPerFrame: 576, frameLength: 104 },
  },
  {
    name: 'libmp3lame 16k 8 kHz mono (MPEG-2.5)',
    hex: 'ffe328c4',
    value: { version: '2.5', layer: 3, crc: false, bitrate: 16, sampleRate: 8000, padding: false, channels: 1, samplesPerFrame: 576, frameLength: 144 },
  },
  {
    name: 'mp2 192k 48 kHz stereo (Layer II)',
    hex: 'fffda404',
    value: { version: '1', layer: 2, crc: false, bitrate: 192, sampleRate: 48000, padding: false, channels: 2, samplesPerFrame: 1152, frameLength: 576 },
  },
  {
    name: 'Layer I 384k 32 kHz with padding and CRC',
    hex: 'fffeca00',
    value: { version: '1', layer: 1, crc: true, bitrate: 384, sampleRate: 32000, padding: true, channels: 2, samplesPerFrame: 384, frameLength: 580 },
  },
];

describe('MPEG audio frame header', () => {
  it.each(CASES)('decodes $name', (c) => {
    expect(decodeMpegAudioHeader(hex(c.hex))).toEqual(c.value);
  });

  it.each([
    { name: 'short', hex: 'fffb90', code: 'truncated' },
    { name: 'no sync', hex: 'fefb9064', code: 'mpa_no_sync' },
    { name: 'reserved version', hex: 'ffeb9064', code: 'mpa_reserved' },
    { name: 'reserved layer', hex: 'fff99064', code: 'mpa_reserved' },
    { name: 'free bitrate', hex: 'fffb0064', code: 'mpa_bitrate' },
    { name: 'bad bitrate', hex: 'fffbf064', code: 'mpa_bitrate' },
    { name: 'reserved rate', hex: 'fffb9c64', code: 'mpa_reserved' },
  ])('rejects $name', (c) => {
    expect(() => decodeMpegAudioHeader(hex(c.hex))).toThrow(expect.objectContaining({ code: c.code }));
  });

  fcTest.prop([fc.uint8Array({ minLength: 4, maxLength: 4 }).map((b) => Uint8Array.of(0xff, b[1]! | 0xe0, b[2]!, b[3]!))])('any header decodes to a positive frame or throws ProtocolError', (b) => {
    try {
      const h = decodeMpegAudioHeader(b);
      expect(h.frameLength).toBeGreaterThan(4);
    } catch (e) {
      expect(e).toBeInstanceOf(ProtocolError);
    }
  });
});
