import { describe, expect, it } from 'vitest';
import { test as fcTest, fc } from '@fast-check/vitest';
import { hex, ProtocolError, toHex } from '@runnel/shared';
import { decodeVideoData, encodeVideoData, type VideoCodec, type VideoData, type VideoDataInit } from './video-data.ts';

// FourCCs: avc1 61766331, hvc1 68766331, av01 61763031, vp09 76703039.
interface Case {
  name: string;
  hex: string;
  value: Partial<Record<string, unknown>>;
  /** Encoding `init` must give back exactly `hex` (false for forms our encoder never writes). */
  init?: VideoDataInit;
}

const cases: Case[] = [
  {
    name: 'legacy AVC sequence header',
    hex: '17 00 000000 0164001fffe1',
    value: { codec: 'h264', enhanced: false, frameType: 1, keyframe: false, packetType: 'sequence-header', compositionTime: 0, data: '0164001fffe1' },
    init: { codec: 'h264', packetType: 'sequence-header', data: hex('0164001fffe1') },
  },
  {
    name: 'legacy AVC keyframe, cts 80',
    hex: '17 01 000050 00000002 0910',
    value: { codec: 'h264', frameType: 1, keyframe: true, packetType: 'frame', compositionTime: 80, data: '000000020910' },
    init: { codec: 'h264', packetType: 'frame', keyframe: true, compositionTime: 80, data: hex('00000002 0910') },
  },
  {
    name: 'legacy AVC inter frame, negative cts',
    hex: '27 01 ffffdf 0000000141',
    value: { frameType: 2, keyframe: false, packetType: 'frame', compositionTime: -33, data: '0000000141' },
    init: { codec: 'h264', packetType: 'frame', keyframe: false, compositionTime: -33, data: hex('0000000141') },
  },
  {
    name: 'legacy AVC end of sequence',
    hex: '17 02 000000',
    value: { packetType: 'end-of-sequence', keyframe: false, data: '' },
    init: { codec: 'h264', packetType: 'end-of-sequence', data: new Uint8Array(0) },
  },
  { name: 'legacy AVC end of sequence without cts', hex: '17 02', value: { packetType: 'end-of-sequence', data: '' } },
  {
    name: 'legacy HEVC (CodecID 12) keyframe',
    hex: '1c 01 000000 00000003 260101',
    value: { codec: 'hevc', enhanced: false, keyframe: true, packetType: 'frame', data: '00000003260101' },
    init: { codec: 'hevc', packetType: 'frame', keyframe: true, data: hex('00000003 260101'), enhanced: false },
  },
  {
    name: 'E-RTMP hvc1 SequenceStart',
    hex: '90 68766331 0101',
    value: { codec: 'hevc', enhanced: true, frameType: 1, keyframe: false, packetType: 'sequence-header', data: '0101' },
    init: { codec: 'hevc', packetType: 'sequence-header', data: hex('0101') },
  },
  {
    name: 'E-RTMP hvc1 CodedFrames keyframe, cts 40',
    hex: '91 68766331 000028 00000003 260101',
    value: { codec: 'hevc', frameType: 1, keyframe: true, packetType: 'frame', compositionTime: 40, data: '00000003260101' },
    init: { codec: 'hevc', packetType: 'frame', keyframe: true, compositionTime: 40, data: hex('00000003 260101') },
  },
  {
    name: 'E-RTMP hvc1 CodedFramesX inter frame',
    hex: 'a3 68766331 00000003 020101',
    value: { codec: 'hevc', frameType: 2, keyframe: false, packetType: 'frame', compositionTime: 0, data: '00000003020101' },
    init: { codec: 'hevc', packetType: 'frame', keyframe: false, data: hex('00000003 020101') },
  },
  {
    name: 'E-RTMP avc1 CodedFrames, cts -10',
    hex: 'a1 61766331 fffff6 0000000141',
    value: { codec: 'h264', enhanced: true, compositionTime: -10, data: '0000000141' },
    init: { codec: 'h264', packetType: 'frame', compositionTime: -10, data: hex('0000000141'), enhanced: true },
  },
  {
    name: 'E-RTMP av01 CodedFrames has no composition time',
    hex: '91 61763031 12000a0b',
    value: { codec: 'av1', keyframe: true, packetType: 'frame', compositionTime: 0, data: '12000a0b' },
  },
  {
    name: 'E-RTMP av01 CodedFramesX',
    hex: '93 61763031 12000a0b',
    value: { codec: 'av1', keyframe: true, packetType: 'frame', compositionTime: 0, data: '12000a0b' },
    init: { codec: 'av1', packetType: 'frame', keyframe: true, data: hex('12000a0b') },
  },
  {
    name: 'E-RTMP vp09 SequenceStart',
    hex: '90 76703039 01000000',
    value: { codec: 'vp9', packetType: 'sequence-header', data: '01000000' },
    init: { codec: 'vp9', packetType: 'sequence-header', data: hex('01000000') },
  },
  {
    name: 'E-RTMP SequenceEnd',
    hex: '92 68766331',
    value: { codec: 'hevc', packetType: 'end-of-sequence', data: '' },
    init: { codec: 'hevc', packetType: 'end-of-sequence', data: new Uint8Array(0) },
  },
  {
    name: 'E-RTMP Metadata (frame type 5 is not a command here)',
    hex: 'd4 68766331 02000a636f6c6f72496e666f',
    value: { codec: 'hevc', frameType: 5, keyframe: false, packetType: 'metadata', data: '02000a636f6c6f72496e666f' },
    init: { codec: 'hevc', packetType: 'metadata', data: hex('02000a636f6c6f72496e666f') },
  },
  {
    name: 'E-RTMP ModEx TimestampOffsetNano before CodedFrames',
    hex: '97 02 0003e8 01 68766331 000000 0000000126',
    value: { codec: 'hevc', packetType: 'frame', keyframe: true, timestampOffsetNano: 1000, data: '0000000126' },
  },
  {
    name: 'E-RTMP ModEx with 16-bit size',
    hex: '97 ff 0100' + '00'.repeat(257) + '03 61763031 0a',
    value: { codec: 'av1', packetType: 'frame', timestampOffsetNano: 0, data: '0a' },
  },
  {
    name: 'E-RTMP Multitrack OneTrack',
    hex: '96 01 68766331 05 000014 0000000126',
    value: { codec: 'hevc', packetType: 'frame', compositionTime: 20, trackId: 5, trackCount: 1, data: '0000000126' },
  },
  {
    name: 'E-RTMP Multitrack ManyTracks picks track 0',
    hex: 'a6 13 68766331 01 000004 aabbccdd 00 000002 eeff',
    value: { codec: 'hevc', frameType: 2, packetType: 'frame', trackId: 0, trackCount: 2, data: 'eeff' },
  },
  {
    name: 'E-RTMP Multitrack ManyTracksManyCodecs',
    hex: '96 20 61763031 00 000002 0a0b 76703039 01 000001 0c',
    value: { codec: 'av1', packetType: 'sequence-header', trackId: 0, trackCount: 2, data: '0a0b' },
  },
  { name: 'legacy command frame', hex: '57 01', value: { packetType: 'command', codec: 'h264', command: 1, keyframe: false } },
  { name: 'E-RTMP command frame', hex: 'd1 00', value: { packetType: 'command', codec: null, enhanced: true, command: 0 } },
];

function summary(v: VideoData): Record<string, unknown> {
  return v.packetType === 'command' ? { ...v } : { ...v, data: toHex(v.data) };
}

describe('VIDEODATA', () => {
  it.each(cases)('decodes $name', (c) => {
    expect(summary(decodeVideoData(hex(c.hex)))).toMatchObject(c.value);
  });

  it.each(cases.filter((c) => c.init))('encodes $name', (c) => {
    expect(toHex(encodeVideoData(c.init!))).toBe(toHex(hex(c.hex)));
  });

  const errors: [string, string, string][] = [
    ['empty body', '', 'truncated'],
    ['Sorenson H.263 (CodecID 2)', '22 0000', 'flv_unsupported_video_codec'],
    ['frame type 0', '07 01 000000', 'flv_bad_frame_type'],
    ['AVCPacketType 3', '17 03 000000', 'flv_bad_packet_type'],
    ['truncated composition time', '17 01 00', 'truncated'],
    ['unknown FourCC', '91 78787878 000000', 'flv_unsupported_video_codec'],
    ['MPEG2TSSequenceStart', '95 61763031 00', 'flv_unsupported_packet_type'],
    ['reserved VideoPacketType 8', '98 68766331', 'flv_bad_packet_type'],
    ['nested Multitrack', '96 06 68766331', 'flv_bad_packet_type'],
    ['reserved multitrack type', '96 31 68766331 00 000000', 'flv_bad_multitrack_type'],
    ['track size beyond the body', '96 11 68766331 00 0000ff 00', 'truncated'],
    ['ModEx data beyond the body', '97 10 0000', 'truncated'],
    ['TimestampOffsetNano shorter than 3 bytes', '97 00 05 01 68766331 000000', 'flv_bad_mod_ex'],
    ['enhanced frame type 6', 'e1 68766331 000000', 'flv_bad_frame_type'],
  ];
  it.each(errors)('rejects %s', (_name, h, code) => {
    expect(() => decodeVideoData(hex(h))).toThrow(expect.objectContaining({ code }));
  });

  it('rejects a composition time outside SI24 and formats that do not exist', () => {
    const data = new Uint8Array(1);
    expect(() => encodeVideoData({ codec: 'h264', packetType: 'frame', data, compositionTime: 0x800000 })).toThrow(ProtocolError);
    expect(() => encodeVideoData({ codec: 'av1', packetType: 'frame', data, enhanced: false })).toThrow(ProtocolError);
  });

  const init = fc.record({
    codec: fc.constantFrom<VideoCodec>('h264', 'hevc', 'av1', 'vp9', 'vp8'),
    packetType: fc.constantFrom('sequence-header', 'frame', 'end-of-sequence', 'metadata' as const),
    keyframe: fc.boolean(),
    compositionTime: fc.integer({ min: -0x800000, max: 0x7fffff }),
    enhanced: fc.option(fc.boolean(), { nil: undefined }),
    data: fc.uint8Array({ maxLength: 64 }),
  }).filter((v) => (v.enhanced !== false || v.codec === 'h264' || v.codec === 'hevc') && !(v.enhanced === false && v.packetType === 'metadata'));

  fcTest.prop([init])('round-trips encode -> decode', (v) => {
    const d = decodeVideoData(encodeVideoData(v));
    if (d.packetType === 'command') throw new Error('decoded a command frame');
    expect(d.codec).toBe(v.codec);
    expect(d.packetType).toBe(v.packetType);
    expect(toHex(d.data)).toBe(toHex(v.data));
    expect(d.keyframe).toBe(v.packetType === 'frame' && v.keyframe);
    const ctsKept = v.packetType === 'frame' && (v.codec === 'h264' || v.codec === 'hevc');
    expect(d.compositionTime).toBe(ctsKept ? v.compositionTime : 0);
  });

  fcTest.prop([fc.uint8Array({ maxLength: 512 })])('garbage never crashes', (b) => {
    try {
      const d = decodeVideoData(b);
      if (d.packetType !== 'command') expect(d.data.buffer).toBe(b.buffer); // a view, never a copy
    } catch (e) {
      expect(e).toBeInstanceOf(ProtocolError);
    }
  });
});
