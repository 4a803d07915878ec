import { describe, expect, it } from 'vitest';
import { test as fcTest, fc } from '@fast-check/vitest';
import { hex, ProtocolError, toHex } from '@runnel/shared';
import {
  aacFrameBody,
  aacSequenceHeaderBody,
  decodeAudioData,
  encodeAudioData,
  opusFrameBody,
  opusSequenceHeaderBody,
  type AudioData,
  type AudioDataInit,
} from './audio-data.ts';

// FourCCs: mp4a 6d703461, Opus 4f707573, .mp3 2e6d7033, fLaC 664c6143.
interface Case {
  name: string;
  hex: string;
  value: Partial<Record<string, unknown>>;
  init?: AudioDataInit;
}

const cases: Case[] = [
  {
    name: 'AAC sequence header',
    hex: 'af 00 1210',
    value: { codec: 'aac', soundFormat: 10, enhanced: false, soundRate: 3, soundSize: 1, soundType: 1, packetType: 'sequence-header', data: '1210' },
    init: { codec: 'aac', packetType: 'sequence-header', data: hex('1210') },
  },
  {
    name: 'AAC raw frame',
    hex: 'af 01 21100503',
    value: { codec: 'aac', packetType: 'frame', data: '21100503' },
    init: { codec: 'aac', packetType: 'frame', data: hex('21100503') },
  },
  {
    name: 'MP3 22 kHz mono',
    hex: '2a fffb9064',
    value: { codec: 'mp3', soundFormat: 2, soundRate: 2, soundSize: 1, soundType: 0, packetType: 'frame', data: 'fffb9064' },
    init: { codec: 'mp3', packetType: 'frame', data: hex('fffb9064'), soundRate: 2, stereo: false },
  },
  { name: 'MP3 8 kHz (SoundFormat 14)', hex: 'e2 fff3', value: { codec: 'mp3', soundFormat: 14, data: 'fff3' } },
  { name: 'G.711 A-law', hex: '72 d5d5', value: { codec: 'g711a', packetType: 'frame', soundType: 0, data: 'd5d5' } },
  { name: 'Opus in SRS FLV (SoundFormat 13)', hex: 'df 01 fc', value: { codec: 'opus', soundFormat: 13, packetType: 'frame', data: 'fc' } },
  {
    name: 'E-RTMP Opus SequenceStart',
    hex: '90 4f707573 4f70757348656164',
    value: { codec: 'opus', soundFormat: 9, enhanced: true, soundRate: 0, packetType: 'sequence-header', data: '4f70757348656164' },
    init: { codec: 'opus', packetType: 'sequence-header', data: hex('4f70757348656164') },
  },
  {
    name: 'E-RTMP Opus CodedFrames',
    hex: '91 4f707573 fcff',
    value: { codec: 'opus', packetType: 'frame', data: 'fcff' },
    init: { codec: 'opus', packetType: 'frame', data: hex('fcff') },
  },
  {
    name: 'E-RTMP mp4a CodedFrames',
    hex: '91 6d703461 2110',
    value: { codec: 'aac', enhanced: true, packetType: 'frame', data: '2110' },
    init: { codec: 'aac', packetType: 'frame', data: hex('2110'), enhanced: true },
  },
  {
    name: 'E-RTMP FLAC SequenceEnd',
    hex: '92 664c6143',
    value: { codec: 'flac', packetType: 'end-of-sequence', data: '' },
    init: { codec: 'flac', packetType: 'end-of-sequence', data: new Uint8Array(0) },
  },
  { name: 'E-RTMP MultichannelConfig', hex: '94 4f707573 01 02 00000003', value: { packetType: 'multichannel-config', data: '010200000003' } },
  {
    name: 'E-RTMP ModEx then CodedFrames',
    hex: '97 02 000010 01 2e6d7033 fffb',
    value: { codec: 'mp3', packetType: 'frame', timestampOffsetNano: 16, data: 'fffb' },
  },
  {
    name: 'E-RTMP Multitrack ManyTracks',
    hex: '95 11 4f707573 02 000001 aa 00 000002 bbcc',
    value: { codec: 'opus', packetType: 'frame', trackId: 0, trackCount: 2, data: 'bbcc' },
  },
  {
    name: 'E-RTMP Multitrack OneTrack',
    hex: '95 00 6d703461 03 1210',
    value: { codec: 'aac', packetType: 'sequence-header', trackId: 3, trackCount: 1, data: '1210' },
  },
];

const summary = (a: AudioData) => ({ ...a, data: toHex(a.data) });

describe('AUDIODATA', () => {
  it.each(cases)('decodes $name', (c) => {
    expect(summary(decodeAudioData(hex(c.hex)))).toMatchObject(c.value);
  });

  it.each(cases.filter((c) => c.init))('encodes $name', (c) => {
    expect(toHex(encodeAudioData(c.init!))).toBe(toHex(hex(c.hex)));
  });

  it('named builders produce the same bodies', () => {
    expect(toHex(aacSequenceHeaderBody(hex('1190')))).toBe('af001190');
    expect(toHex(aacFrameBody(hex('0102')))).toBe('af010102');
    expect(toHex(opusSequenceHeaderBody(hex('aa')))).toBe('904f707573aa');
    expect(toHex(opusFrameBody(hex('bb')))).toBe('914f707573bb');
  });

  const errors: [string, string, string][] = [
    ['empty body (silence message)', '', 'truncated'],
    ['reserved SoundFormat 12', 'c0 00', 'flv_unsupported_audio_codec'],
    ['AACPacketType 2', 'af 02 00', 'flv_bad_packet_type'],
    ['AAC without packet type', 'af', 'truncated'],
    ['unknown FourCC', '91 61626364 00', 'flv_unsupported_audio_codec'],
    ['reserved AudioPacketType 3', '93 4f707573', 'flv_bad_packet_type'],
    ['nested Multitrack', '95 05 4f707573', 'flv_bad_packet_type'],
    ['track size beyond the body', '95 11 4f707573 00 000010 00', 'truncated'],
    ['FourCC cut short', '91 4f70', 'truncated'],
  ];
  it.each(errors)('rejects %s', (_name, h, code) => {
    expect(() => decodeAudioData(hex(h))).toThrow(expect.objectContaining({ code }));
  });

  it('refuses legacy forms that do not exist', () => {
    expect(() => encodeAudioData({ codec: 'opus', packetType: 'frame', data: hex('00'), enhanced: false })).toThrow(ProtocolError);
    expect(() => encodeAudioData({ codec: 'aac', packetType: 'end-of-sequence', data: hex(''), enhanced: false })).toThrow(ProtocolError);
  });

  const init = fc.record({
    codec: fc.constantFrom('aac', 'mp3', 'opus', 'flac', 'ac3', 'eac3' as const),
    packetType: fc.constantFrom('sequence-header', 'frame', 'end-of-sequence' as const),
    data: fc.uint8Array({ maxLength: 64 }),
  });
  fcTest.prop([init])('round-trips encode -> decode (E-RTMP form)', (a) => {
    const d = decodeAudioData(encodeAudioData({ ...a, enhanced: true }));
    expect([d.codec, d.packetType, toHex(d.data)]).toEqual([a.codec, a.packetType, toHex(a.data)]);
  });

  fcTest.prop([fc.uint8Array({ maxLength: 512 })])('garbage never crashes', (b) => {
    try {
      expect(decodeAudioData(b).data.buffer).toBe(b.buffer);
    } catch (e) {
      expect(e).toBeInstanceOf(ProtocolError);
    }
  });
});
