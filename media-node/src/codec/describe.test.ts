import { describe, expect, it } from 'vitest';
import { ProtocolError, hex } from '@runnel/shared';
import { decodeAsc } from './aac/audio-specific-config.ts';
import { decodeAv1Config } from './av1/av1-config.ts';
import { describeAac, describeAv1, describeAvc, describeHevc, describeMp3, describeOpus } from './describe.ts';
import { decodeMpegAudioHeader } from './mp3/mpeg-audio-header.ts';
import { decodeOpusHead } from './opus/opus-head.ts';
import { decodeAvcConfig } from './h264/avc-config.ts';
import { decodeHevcConfig } from './hevc/hevc-config.ts';
import { AVC_SAMPLES } from './testdata/h264-samples.ts';
import { HEVC_SAMPLES } from './testdata/hevc-samples.ts';
import { AV1_SAMPLES } from './testdata/av1-samples.ts';

describe('describe (SRS API codec objects)', () => {
  it.each(AVC_SAMPLES)('describes $name as ffprobe does', (s) => {
    expect(describeAvc(decodeAvcConfig(hex(s.avcC)))).toEqual({
      codec: 'H264',
      profile: s.profile,
      level: s.level,
      width: s.width,
      height: s.height,
    });
  });

  it.each(HEVC_SAMPLES)('describes $name as ffprobe does', (s) => {
    expect(describeHevc(decodeHevcConfig(hex(s.hvcC)))).toEqual({
      codec: 'HEVC',
      profile: s.profile,
      level: s.level,
      width: s.width,
      height: s.height,
    });
  });

  it.each([
    { name: 'FFmpeg LC 44.1 kHz stereo', hex: '121056e500', out: { sample_rate: 44100, channel: 2, profile: 'LC' } },
    { name: 'FFmpeg LC 48 kHz stereo', hex: '119056e500', out: { sample_rate: 48000, channel: 2, profile: 'LC' } },
    { name: 'HE-AAC explicit 22.05 -> 44.1 kHz', hex: '2b920800', out: { sample_rate: 44100, channel: 2, profile: 'HE' } },
    { name: 'HE-AAC v2 explicit, mono core -> stereo', hex: 'eb098800', out: { sample_rate: 48000, channel: 2, profile: 'HEv2' } },
    { name: 'HE-AAC backward compatible 24 -> 48 kHz', hex: '131056e598', out: { sample_rate: 48000, channel: 2, profile: 'HE' } },
    { name: 'Main 48 kHz 5.1', hex: '09b0', out: { sample_rate: 48000, channel: 6, profile: 'Main' } },
    { name: 'LC 7.1', hex: '11b8', out: { sample_rate: 48000, channel: 8, profile: 'LC' } },
  ])('describes AAC $name', (c) => {
    expect(describeAac(decodeAsc(hex(c.hex)))).toEqual({ codec: 'AAC', ...c.out });
  });

  it.each(AV1_SAMPLES)('describes AV1 $name with SRS nulls', (s) => {
    expect(describeAv1(decodeAv1Config(hex(s.av1C)))).toEqual({ codec: 'AV1', profile: null, level: null, width: s.width, height: s.height });
  });

  it('refuses to describe AV1 without a sequence header', () => {
    expect(() => describeAv1(decodeAv1Config(hex('81000c00 1200')))).toThrow(ProtocolError);
  });

  it('describes Opus at 48 kHz whatever the input rate was', () => {
    const head = decodeOpusHead(hex('4f707573486561640101000044ac000000fd00')); // mono, 44.1 kHz input
    expect(describeOpus(head)).toEqual({ codec: 'Opus', sample_rate: 48000, channel: 1, profile: null });
  });

  it('describes MP3 from a frame header', () => {
    expect(describeMp3(decodeMpegAudioHeader(hex('fff340c4')))).toEqual({ codec: 'MP3', sample_rate: 22050, channel: 1, profile: null });
  });
});
