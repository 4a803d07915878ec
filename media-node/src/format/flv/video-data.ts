import { ByteReader, ProtocolError } from '@runnel/shared';
import { defaultTrack, fourCc, fourCcString, readModEx, readTracks } from './ex-header.ts';

/**
 * VIDEODATA, the body of an FLV video tag / RTMP video message, in both
 * forms: legacy (Adobe FLV spec v10.1 E.4.3.1: FrameType UB[4], CodecID UB[4],
 * AVCPacketType UI8, CompositionTime SI24) and enhanced RTMP (E-RTMP v2
 * "Enhanced Video": IsExHeader UB[1], FrameType UB[3], VideoPacketType UB[4],
 * FourCC). Decoding never copies: `data` is a subarray of the input.
 */
export type VideoCodec = 'h264' | 'hevc' | 'av1' | 'vp9' | 'vp8';

export type VideoPacketKind = 'sequence-header' | 'frame' | 'end-of-sequence' | 'metadata';

/** VideoFrameType (FLV spec E.4.3.1, E-RTMP v2). */
export const FRAME_KEY = 1;
export const FRAME_INTER = 2;
export const FRAME_DISPOSABLE_INTER = 3;
export const FRAME_GENERATED_KEY = 4;
export const FRAME_COMMAND = 5;

/** Legacy CodecID: 7 is AVC (FLV spec); 12 is the HEVC extension Chinese CDNs and SRS adopted before E-RTMP. */
export const CODEC_ID_AVC = 7;
export const CODEC_ID_HEVC = 12;

/** VideoPacketType (E-RTMP v2). */
const PT_SEQUENCE_START = 0;
const PT_CODED_FRAMES = 1;
const PT_SEQUENCE_END = 2;
const PT_CODED_FRAMES_X = 3;
const PT_METADATA = 4;
const PT_MPEG2TS_SEQUENCE_START = 5;
const PT_MULTITRACK = 6;

const FOURCC_OF: Record<VideoCodec, number> = {
  h264: fourCc('avc1'),
  hevc: fourCc('hvc1'),
  av1: fourCc('av01'),
  vp9: fourCc('vp09'),
  vp8: fourCc('vp08'),
};
const CODEC_OF_FOURCC = new Map<number, VideoCodec>(
  Object.entries(FOURCC_OF).map(([k, v]) => [v, k as VideoCodec]),
);

export interface VideoMedia {
  readonly codec: VideoCodec;
  /** The tag used the E-RTMP ExVideoTagHeader (FourCC) rather than a legacy CodecID. */
  readonly enhanced: boolean;
  /** VideoFrameType 1..4 (1 key, 2 inter, 3 disposable inter, 4 generated key). */
  readonly frameType: number;
  /** A coded frame a decoder can start from (frame type 1 or 4); false for sequence headers and the rest. */
  readonly keyframe: boolean;
  readonly packetType: VideoPacketKind;
  /** PTS - DTS in milliseconds (SI24); 0 when the tag carries none. */
  readonly compositionTime: number;
  /**
   * sequence-header: avcC / hvcC / av1C / vpcC record; frame: AVCC/HVCC NAL units or
   * OBUs or a VP8/9 frame; metadata: AMF-encoded values; end-of-sequence: usually empty.
   */
  readonly data: Uint8Array;
  /** E-RTMP multitrack: the track described (trackId 0 if present, else the first); 0 when not multitrack. */
  readonly trackId: number;
  /** How many tracks the message carried (1 unless multitrack). */
  readonly trackCount: number;
  /** E-RTMP ModEx TimestampOffsetNano (0..999999 ns on top of the ms timestamp); 0 when absent. */
  readonly timestampOffsetNano: number;
}

/** A video info / command frame (frame type 5): no picture, one UI8 command (0 start seek, 1 end seek). */
export interface VideoCommand {
  readonly packetType: 'command';
  readonly enhanced: boolean;
  /** Legacy command frames name a codec; enhanced ones carry no FourCC. */
  readonly codec: VideoCodec | null;
  readonly frameType: 5;
  readonly keyframe: false;
  readonly command: number;
}

export type VideoData = VideoMedia | VideoCommand;

/** Decodes a VIDEODATA body; NeedMoreBytes if truncated, ProtocolError for values we do not support. */
export function decodeVideoData(body: Uint8Array): VideoData {
  const r = new ByteReader(body);
  const b0 = r.u8();
  return b0 & 0x80 ? decodeEnhanced(r, b0) : decodeLegacy(r, b0);
}

function checkFrameType(frameType: number): void {
  if (frameType < FRAME_KEY || frameType > FRAME_COMMAND) {
    throw new ProtocolError('flv_bad_frame_type', `video frame type ${frameType} is reserved`);
  }
}

function si24(r: ByteReader): number {
  return (r.u24() << 8) >> 8;
}

function decodeLegacy(r: ByteReader, b0: number): VideoData {
  const frameType = b0 >> 4;
  const codecId = b0 & 0x0f;
  checkFrameType(frameType);
  const codec = codecId === CODEC_ID_AVC ? 'h264' : codecId === CODEC_ID_HEVC ? 'hevc' : null;
  if (codec === null) {
    throw new ProtocolError('flv_unsupported_video_codec', `legacy video CodecID ${codecId} (only 7 AVC, 12 HEVC)`);
  }
  if (frameType === FRAME_COMMAND) {
    return { packetType: 'command', enhanced: false, codec, frameType: FRAME_COMMAND, keyframe: false, command: r.u8() };
  }
  const avcPacketType = r.u8();
  let packetType: VideoPacketKind;
  if (avcPacketType === 0) packetType = 'sequence-header';
  else if (avcPacketType === 1) packetType = 'frame';
  else if (avcPacketType === 2) packetType = 'end-of-sequence';
  else throw new ProtocolError('flv_bad_packet_type', `AVCPacketType ${avcPacketType}`);
  // Some muxers end an end-of-sequence tag right after AVCPacketType; its CompositionTime is 0 anyway.
  const compositionTime = packetType === 'end-of-sequence' && r.remaining < 3 ? 0 : si24(r);
  return media(codec, false, frameType, packetType, packetType === 'frame' ? compositionTime : 0, r.rest(), 0, 1, 0);
}

function decodeEnhanced(r: ByteReader, b0: number): VideoData {
  const frameType = (b0 >> 4) & 0x07;
  const mod = readModEx(r, b0 & 0x0f);
  let packetType = mod.packetType;
  if (packetType !== PT_METADATA && frameType === FRAME_COMMAND) {
    return { packetType: 'command', enhanced: true, codec: null, frameType: FRAME_COMMAND, keyframe: false, command: r.u8() };
  }
  if (packetType !== PT_METADATA) checkFrameType(frameType);
  if (packetType === PT_MULTITRACK) {
    const b = r.u8();
    packetType = b & 0x0f;
    if (packetType === PT_MULTITRACK) throw new ProtocolError('flv_bad_packet_type', 'nested Multitrack video packet');
    const multitrackType = b >> 4;
    const shared = multitrackType === 2 ? undefined : r.u32();
    const tracks = readTracks(r, multitrackType, shared);
    const t = defaultTrack(tracks);
    return decodeExBody(new ByteReader(t.body), frameType, packetType, t.fourCc, t.trackId, tracks.length, mod.timestampOffsetNano);
  }
  const cc = r.u32();
  return decodeExBody(r, frameType, packetType, cc, 0, 1, mod.timestampOffsetNano);
}

function decodeExBody(
  r: ByteReader,
  frameType: number,
  packetType: number,
  cc: number,
  trackId: number,
  trackCount: number,
  nano: number,
): VideoMedia {
  const codec = CODEC_OF_FOURCC.get(cc);
  if (!codec) throw new ProtocolError('flv_unsupported_video_codec', `video FourCC '${fourCcString(cc)}'`);
  const done = (kind: VideoPacketKind, cts: number): VideoMedia =>
    media(codec, true, frameType, kind, cts, r.rest(), trackId, trackCount, nano);
  switch (packetType) {
    case PT_SEQUENCE_START:
      return done('sequence-header', 0);
    case PT_CODED_FRAMES:
      // E-RTMP v2: only AVC, HEVC (and VVC) CodedFrames carry CompositionTime SI24.
      return done('frame', codec === 'h264' || codec === 'hevc' ? si24(r) : 0);
    case PT_CODED_FRAMES_X:
      return done('frame', 0);
    case PT_SEQUENCE_END:
      return done('end-of-sequence', 0);
    case PT_METADATA:
      return done('metadata', 0);
    case PT_MPEG2TS_SEQUENCE_START:
      throw new ProtocolError('flv_unsupported_packet_type', 'MPEG2TSSequenceStart (AV1 video descriptor) is not supported');
    default:
      throw new ProtocolError('flv_bad_packet_type', `VideoPacketType ${packetType} is reserved`);
  }
}

function media(
  codec: VideoCodec,
  enhanced: boolean,
  frameType: number,
  packetType: VideoPacketKind,
  compositionTime: number,
  data: Uint8Array,
  trackId: number,
  trackCount: number,
  timestampOffsetNano: number,
): VideoMedia {
  const keyframe = packetType === 'frame' && (frameType === FRAME_KEY || frameType === FRAME_GENERATED_KEY);
  return { codec, enhanced, frameType, keyframe, packetType, compositionTime, data, trackId, trackCount, timestampOffsetNano };
}

/** What `encodeVideoData` needs. */
export interface VideoDataInit {
  readonly codec: VideoCodec;
  readonly packetType: VideoPacketKind;
  readonly data: Uint8Array;
  /** Frame type for coded frames; sequence headers use 1 (key), metadata 5 (as FFmpeg's flvenc writes it). */
  readonly keyframe?: boolean;
  /** PTS - DTS in ms, SI24; coded frames only. */
  readonly compositionTime?: number;
  /**
   * Legacy (CodecID) or E-RTMP (FourCC) header. Default: legacy for H.264
   * (every player reads it), enhanced for the rest (the standard form; legacy
   * HEVC id 12 only on request). Metadata is enhanced-only.
   */
  readonly enhanced?: boolean;
}

const SI24_MIN = -0x800000;
const SI24_MAX = 0x7fffff;

/** Encodes a VIDEODATA body (one copy of `data`). */
export function encodeVideoData(v: VideoDataInit): Uint8Array {
  const enhanced = v.enhanced ?? (v.codec !== 'h264' || v.packetType === 'metadata');
  const cts = v.packetType === 'frame' ? Math.round(v.compositionTime ?? 0) : 0;
  if (cts < SI24_MIN || cts > SI24_MAX) {
    throw new ProtocolError('flv_bad_composition_time', `composition time ${cts} ms does not fit SI24`);
  }
  const frameType =
    v.packetType === 'metadata' ? FRAME_COMMAND : v.packetType === 'frame' && !v.keyframe ? FRAME_INTER : FRAME_KEY;
  if (!enhanced) return encodeLegacy(v, frameType, cts);

  const ctsOnWire = v.packetType === 'frame' && cts !== 0 && (v.codec === 'h264' || v.codec === 'hevc');
  const pt =
    v.packetType === 'sequence-header' ? PT_SEQUENCE_START
    : v.packetType === 'end-of-sequence' ? PT_SEQUENCE_END
    : v.packetType === 'metadata' ? PT_METADATA
    : ctsOnWire ? PT_CODED_FRAMES
    : PT_CODED_FRAMES_X; // CodedFramesX: composition time 0 implied, 3 bytes saved
  const head = ctsOnWire ? 8 : 5;
  const out = new Uint8Array(head + v.data.length);
  out[0] = 0x80 | (frameType << 4) | pt;
  writeU32(out, 1, FOURCC_OF[v.codec]);
  if (ctsOnWire) writeI24(out, 5, cts);
  out.set(v.data, head);
  return out;
}

function encodeLegacy(v: VideoDataInit, frameType: number, cts: number): Uint8Array {
  const codecId = v.codec === 'h264' ? CODEC_ID_AVC : v.codec === 'hevc' ? CODEC_ID_HEVC : 0;
  if (codecId === 0 || v.packetType === 'metadata') {
    throw new ProtocolError('flv_unsupported_video_codec', `no legacy FLV form for ${v.codec} ${v.packetType}`);
  }
  const out = new Uint8Array(5 + v.data.length);
  out[0] = (frameType << 4) | codecId;
  out[1] = v.packetType === 'sequence-header' ? 0 : v.packetType === 'frame' ? 1 : 2;
  writeI24(out, 2, cts);
  out.set(v.data, 5);
  return out;
}

/** Legacy AVC sequence header tag body (0x17 0x00 000000 + avcC), the form every RTMP/FLV peer reads. */
export function avcSequenceHeaderBody(avcC: Uint8Array): Uint8Array {
  return encodeVideoData({ codec: 'h264', packetType: 'sequence-header', data: avcC });
}

/** Legacy AVC NALU tag body from AVCC (length-prefixed) NAL units. */
export function avcFrameBody(avcc: Uint8Array, keyframe: boolean, compositionTime = 0): Uint8Array {
  return encodeVideoData({ codec: 'h264', packetType: 'frame', data: avcc, keyframe, compositionTime });
}

/** E-RTMP SequenceStart body for any codec (hvcC, av1C, vpcC, or avcC with FourCC avc1). */
export function exSequenceStartBody(codec: VideoCodec, config: Uint8Array): Uint8Array {
  return encodeVideoData({ codec, packetType: 'sequence-header', data: config, enhanced: true });
}

/** E-RTMP CodedFrames / CodedFramesX body. */
export function exCodedFramesBody(codec: VideoCodec, data: Uint8Array, keyframe: boolean, compositionTime = 0): Uint8Array {
  return encodeVideoData({ codec, packetType: 'frame', data, keyframe, compositionTime, enhanced: true });
}

function writeU32(out: Uint8Array, off: number, v: number): void {
  out[off] = v >>> 24;
  out[off + 1] = v >>> 16;
  out[off + 2] = v >>> 8;
  out[off + 3] = v;
}

function writeI24(out: Uint8Array, off: number, v: number): void {
  out[off] = (v >> 16) & 0xff;
  out[off + 1] = (v >> 8) & 0xff;
  out[off + 2] = v & 0xff;
}
