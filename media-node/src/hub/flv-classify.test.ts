import { test as fcTest, fc } from '@fast-check/vitest';
import { hex } from '@runnel/shared';
import { describe, expect, it } from 'vitest';
import {
  FLV_CODED_FRAME as F,
  FLV_KEYFRAME as K,
  FLV_SEQUENCE_HEADER as S,
  audioCodecName,
  classifyAudio,
  classifyVideo,
  metadataBody,
  videoCodecName,
} from './flv-classify.ts';

// First bytes of tag bodies per Adobe FLV spec v10.1 E.4.2.1/E.4.3.1 and enhanced-rtmp v2.
const videoCases = [
  { name: 'AVC sequence header', hex: '17 00 00 00 00 01 64', flags: S, codec: 'H264' },
  { name: 'AVC keyframe NALU', hex: '17 01 00 00 00 65', flags: K | F, codec: 'H264' },
  { name: 'AVC inter NALU', hex: '27 01 00 00 00 41', flags: F, codec: 'H264' },
  { name: 'AVC end of sequence', hex: '17 02 00 00 00', flags: 0, codec: 'H264' },
  { name: 'legacy HEVC (codec id 12) keyframe', hex: '1c 01 00 00 00', flags: K | F, codec: 'HEVC' },
  { name: 'legacy HEVC sequence header', hex: '1c 00 00 00 00', flags: S, codec: 'HEVC' },
  { name: 'VP6 keyframe', hex: '14 00', flags: K | F, codec: 'VP6' },
  { name: 'H.263 generated keyframe (type 4)', hex: '42 00', flags: K | F, codec: 'H263' },
  { name: 'video info/command frame', hex: '57 01', flags: 0, codec: 'H264' },
  { name: 'E-RTMP HEVC SequenceStart', hex: '90 68 76 63 31 01', flags: S, codec: 'HEVC' },
  { name: 'E-RTMP AV1 CodedFrames keyframe', hex: '91 61 76 30 31 12', flags: K | F, codec: 'AV1' },
  { name: 'E-RTMP HEVC CodedFramesX inter', hex: 'a3 68 76 63 31 02', flags: F, codec: 'HEVC' },
  { name: 'E-RTMP VP9 MPEG2TSSequenceStart', hex: '95 76 70 30 39', flags: S, codec: 'VP9' },
  { name: 'E-RTMP Metadata packet', hex: '94 61 76 30 31', flags: 0, codec: 'AV1' },
  { name: 'E-RTMP command frame', hex: 'd1 61 76 63 31', flags: 0, codec: 'H264' },
  { name: 'E-RTMP multitrack keyframe (one track, CodedFrames)', hex: '96 01 61 76 63 31 00', flags: K | F, codec: 'H264' },
  { name: 'E-RTMP multitrack SequenceStart', hex: '96 00 68 76 63 31 00', flags: S, codec: 'HEVC' },
  { name: 'empty body', hex: '', flags: 0, codec: null },
  { name: 'AVC body cut after the first byte', hex: '17', flags: 0, codec: 'H264' },
];

const audioCases = [
  { name: 'AAC sequence header', hex: 'af 00 12 10', flags: S, codec: 'AAC' },
  { name: 'AAC raw frame', hex: 'af 01 21', flags: 0, codec: 'AAC' },
  { name: 'MP3 frame', hex: '2f ff fb', flags: 0, codec: 'MP3' },
  { name: 'E-RTMP Opus SequenceStart', hex: '90 4f 70 75 73 01', flags: S, codec: 'Opus' },
  { name: 'E-RTMP Opus CodedFrames', hex: '91 4f 70 75 73 fc', flags: 0, codec: 'Opus' },
  { name: 'E-RTMP multitrack AAC SequenceStart', hex: '95 00 6d 70 34 61 00', flags: S, codec: 'AAC' },
  { name: 'one byte', hex: 'af', flags: 0, codec: 'AAC' },
  { name: 'empty body', hex: '', flags: 0, codec: null },
];

const ascii = (s: string): string => [...s].map((c) => c.charCodeAt(0).toString(16).padStart(2, '0')).join(' ');

describe('flv-classify', () => {
  it.each(videoCases)('video: $name', (c) => {
    expect(classifyVideo(hex(c.hex))).toBe(c.flags);
    expect(videoCodecName(hex(c.hex))).toBe(c.codec);
  });

  it.each(audioCases)('audio: $name', (c) => {
    expect(classifyAudio(hex(c.hex))).toBe(c.flags);
    expect(audioCodecName(hex(c.hex))).toBe(c.codec);
  });

  it('finds onMetaData, bare or behind @setDataFrame, and nothing else', () => {
    const onMeta = `02 00 0a ${ascii('onMetaData')} 08 00 00 00 00`;
    const bare = hex(onMeta);
    expect(metadataBody(bare)).toBe(bare);
    const wrapped = hex(`02 00 0d ${ascii('@setDataFrame')} ${onMeta}`);
    const body = metadataBody(wrapped)!;
    expect(Array.from(body)).toEqual(Array.from(bare));
    expect(body.buffer).toBe(wrapped.buffer); // a view, not a copy
    expect(metadataBody(hex(`02 00 0a ${ascii('onCuePoint')}`))).toBeNull();
    expect(metadataBody(hex(`02 00 0d ${ascii('@setDataFrame')} 02 00 04 ${ascii('text')}`))).toBeNull();
    expect(metadataBody(hex('02 00'))).toBeNull();
  });

  fcTest.prop([fc.uint8Array({ maxLength: 64 })])('never throws on garbage', (b) => {
    const flags = classifyVideo(b) | classifyAudio(b);
    expect(flags & ~(K | S | F)).toBe(0);
    videoCodecName(b);
    audioCodecName(b);
    metadataBody(b);
  });
});
