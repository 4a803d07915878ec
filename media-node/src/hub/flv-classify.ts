/**
 * Just enough of the FLV tag bodies to route frames in the hub: keyframe,
 * sequence header, codec name. Full parsing lives in format/ and codec/; the
 * hub only looks at the first bytes, so it never depends on them.
 *
 * Sources: Adobe FLV spec v10.1 E.4.2.1 AUDIODATA, E.4.3.1 VIDEODATA, E.4.4.1
 * SCRIPTDATA; veovera enhanced-rtmp v2 (ExVideoTagHeader, ExAudioTagHeader).
 */

/** Classification bits (a number, so the hot path allocates nothing). */
export const FLV_KEYFRAME = 1;
export const FLV_SEQUENCE_HEADER = 2;
/** A coded video frame (counted in the `frames` stat); command/metadata packets are not. */
export const FLV_CODED_FRAME = 4;

/** Legacy VIDEODATA CodecID (FLV spec E.4.3.1); 12 is the de-facto HEVC id (SRS 6, ffmpeg forks). */
const VIDEO_CODEC_NAMES: Record<number, string> = {
  2: 'H263', 3: 'Screen', 4: 'VP6', 5: 'VP6A', 6: 'Screen2', 7: 'H264', 12: 'HEVC',
};
/** Legacy codec ids whose second byte is AVCPacketType (0 = sequence header, 1 = NALU, 2 = end). */
const AVC_LIKE = new Set([7, 12]);
/** Enhanced RTMP FourCC -> SRS codec string (srs_video_codec_id2str). */
const VIDEO_FOURCC_NAMES: Record<string, string> = {
  avc1: 'H264', hvc1: 'HEVC', av01: 'AV1', vp09: 'VP9', vp08: 'VP8',
};
/** Legacy AUDIODATA SoundFormat (FLV spec E.4.2.1); SRS strings where SRS has one. */
const AUDIO_FORMAT_NAMES: Record<number, string> = {
  0: 'PCM', 1: 'ADPCM', 2: 'MP3', 3: 'PCM', 4: 'Nellymoser', 5: 'Nellymoser', 6: 'Nellymoser',
  7: 'G711A', 8: 'G711U', 10: 'AAC', 11: 'Speex', 13: 'Opus', 14: 'MP3',
};
const AUDIO_FOURCC_NAMES: Record<string, string> = {
  Opus: 'Opus', fLaC: 'FLAC', 'ac-3': 'AC3', 'ec-3': 'EAC3', '.mp3': 'MP3', mp4a: 'AAC',
};

/** enhanced-rtmp: VideoPacketType / AudioPacketType values the hub cares about. */
const EX_SEQUENCE_START = 0;
const EX_CODED_FRAMES = 1;
const EX_CODED_FRAMES_X = 3;
const EX_VIDEO_MPEG2TS_SEQUENCE_START = 5;
const EX_MULTITRACK_VIDEO = 6;
const EX_MULTITRACK_AUDIO = 5;
/** Legacy SoundFormat 9 is "reserved" in FLV 10.1 and means ExAudioTagHeader in enhanced-rtmp v2. */
const AUDIO_EX_HEADER = 9;
const AUDIO_AAC = 10;

/** Classify a VIDEODATA body. Never throws; short or unknown bodies classify as plain data. */
export function classifyVideo(p: Uint8Array): number {
  if (p.length < 1) return 0;
  const b0 = p[0];
  if (b0 & 0x80) {
    // enhanced-rtmp ExVideoTagHeader: IsExHeader UB[1], FrameType UB[3], PacketType UB[4]
    const frameType = (b0 >> 4) & 7;
    let packetType = b0 & 0x0f;
    if (packetType === EX_MULTITRACK_VIDEO) {
      // AvMultitrackType UB[4] | inner PacketType UB[4]
      if (p.length < 2) return 0;
      packetType = p[1] & 0x0f;
    }
    if (packetType === EX_SEQUENCE_START || packetType === EX_VIDEO_MPEG2TS_SEQUENCE_START) {
      return FLV_SEQUENCE_HEADER;
    }
    if (frameType === 5) return 0; // command frame
    if (packetType === EX_CODED_FRAMES || packetType === EX_CODED_FRAMES_X) {
      return frameType === 1 ? FLV_KEYFRAME | FLV_CODED_FRAME : FLV_CODED_FRAME;
    }
    return 0; // SequenceEnd, Metadata, ModEx: not frames a decoder starts from
  }
  const frameType = b0 >> 4;
  const codec = b0 & 0x0f;
  if (frameType === 5) return 0; // video info/command frame
  if (AVC_LIKE.has(codec)) {
    if (p.length < 2) return 0;
    if (p[1] === 0) return FLV_SEQUENCE_HEADER;
    if (p[1] !== 1) return 0; // end of sequence
  }
  // frame type 4 is a server-generated keyframe (FLV spec E.4.3.1): decodable too.
  return frameType === 1 || frameType === 4 ? FLV_KEYFRAME | FLV_CODED_FRAME : FLV_CODED_FRAME;
}

/** Classify an AUDIODATA body: only the sequence-header bit can be set. */
export function classifyAudio(p: Uint8Array): number {
  if (p.length < 2) return 0;
  const format = p[0] >> 4;
  if (format === AUDIO_AAC) return p[1] === 0 ? FLV_SEQUENCE_HEADER : 0;
  if (format === AUDIO_EX_HEADER) {
    let packetType = p[0] & 0x0f;
    if (packetType === EX_MULTITRACK_AUDIO) packetType = p[1] & 0x0f;
    return packetType === EX_SEQUENCE_START ? FLV_SEQUENCE_HEADER : 0;
  }
  return 0;
}

function fourCC(p: Uint8Array, at: number): string {
  if (p.length < at + 4) return '';
  return String.fromCharCode(p[at], p[at + 1], p[at + 2], p[at + 3]);
}

/** SRS-style codec string of a VIDEODATA body ('H264', 'HEVC', 'AV1', ...), or null. */
export function videoCodecName(p: Uint8Array): string | null {
  if (p.length < 1) return null;
  if (p[0] & 0x80) {
    const multitrack = (p[0] & 0x0f) === EX_MULTITRACK_VIDEO;
    return VIDEO_FOURCC_NAMES[fourCC(p, multitrack ? 2 : 1)] ?? null;
  }
  return VIDEO_CODEC_NAMES[p[0] & 0x0f] ?? null;
}

/** SRS-style codec string of an AUDIODATA body ('AAC', 'MP3', 'Opus', ...), or null. */
export function audioCodecName(p: Uint8Array): string | null {
  if (p.length < 1) return null;
  const format = p[0] >> 4;
  if (format === AUDIO_EX_HEADER) {
    const multitrack = (p[0] & 0x0f) === EX_MULTITRACK_AUDIO;
    return AUDIO_FOURCC_NAMES[fourCC(p, multitrack ? 2 : 1)] ?? null;
  }
  return AUDIO_FORMAT_NAMES[format] ?? null;
}

/** AMF0 string "onMetaData" with its marker and length (AMF0 spec 2.4; FLV spec E.4.4.1). */
const ON_METADATA = [0x02, 0x00, 0x0a, ...'onMetaData'].map((c) => (typeof c === 'number' ? c : c.charCodeAt(0)));
const SET_DATA_FRAME = [0x02, 0x00, 0x0d, ...'@setDataFrame'].map((c) => (typeof c === 'number' ? c : c.charCodeAt(0)));

function startsWith(p: Uint8Array, at: number, prefix: readonly number[]): boolean {
  if (p.length < at + prefix.length) return false;
  for (let i = 0; i < prefix.length; i++) if (p[at + i] !== prefix[i]) return false;
  return true;
}

/**
 * If a SCRIPTDATA body is onMetaData, the body players should get: the
 * `@setDataFrame` wrapper that publishers (ffmpeg, OBS) put in front is cut
 * off with a zero-copy subarray, as SRS does (SrsOnMetaDataPacket). Returns
 * null for every other data message.
 */
export function metadataBody(p: Uint8Array): Uint8Array | null {
  if (startsWith(p, 0, ON_METADATA)) return p;
  if (startsWith(p, 0, SET_DATA_FRAME) && startsWith(p, SET_DATA_FRAME.length, ON_METADATA)) {
    return p.subarray(SET_DATA_FRAME.length);
  }
  return null;
}
