import { ByteReader, ProtocolError } from '@runnel/shared';
import { defaultTrack, fourCc, fourCcString, readModEx, readTracks } from './ex-header.ts';

/**
 * AUDIODATA, the body of an FLV audio tag / RTMP audio message: legacy
 * (Adobe FLV spec v10.1 E.4.2.1: SoundFormat UB[4], SoundRate UB[2],
 * SoundSize UB[1], SoundType UB[1], AACPacketType UI8 if AAC) and enhanced
 * RTMP (E-RTMP v2 "Enhanced Audio": SoundFormat 9 = ExHeader, AudioPacketType
 * UB[4], FourCC). Decoding never copies: `data` is a subarray of the input.
 */
export type AudioCodec =
  | 'aac' | 'mp3' | 'opus' | 'flac' | 'ac3' | 'eac3'
  | 'pcm' | 'pcm-le' | 'adpcm' | 'nellymoser' | 'g711a' | 'g711u' | 'speex' | 'device-specific';

export type AudioPacketKind = 'sequence-header' | 'frame' | 'end-of-sequence' | 'multichannel-config';

/** SoundFormat values (FLV spec E.4.2.1; 9 from E-RTMP v2; 13 is SRS's FLV code for Opus). */
export const SOUND_FORMAT_MP3 = 2;
export const SOUND_FORMAT_EX_HEADER = 9;
export const SOUND_FORMAT_AAC = 10;
export const SOUND_FORMAT_OPUS_SRS = 13;

const LEGACY_CODEC: readonly (AudioCodec | null)[] = [
  'pcm', 'adpcm', 'mp3', 'pcm-le', 'nellymoser', 'nellymoser', 'nellymoser', 'g711a',
  'g711u', null, 'aac', 'speex', null, 'opus', 'mp3', 'device-specific',
];

/** AudioPacketType (E-RTMP v2). */
const PT_SEQUENCE_START = 0;
const PT_CODED_FRAMES = 1;
const PT_SEQUENCE_END = 2;
const PT_MULTICHANNEL_CONFIG = 4;
const PT_MULTITRACK = 5;

const CODEC_OF_FOURCC = new Map<number, AudioCodec>([
  [fourCc('mp4a'), 'aac'],
  [fourCc('Opus'), 'opus'],
  [fourCc('.mp3'), 'mp3'],
  [fourCc('fLaC'), 'flac'],
  [fourCc('ac-3'), 'ac3'],
  [fourCc('ec-3'), 'eac3'],
]);
const FOURCC_OF = new Map<AudioCodec, number>([...CODEC_OF_FOURCC].map(([k, v]) => [v, k]));

export interface AudioData {
  readonly codec: AudioCodec;
  readonly soundFormat: number;
  /** The tag used the E-RTMP ExAudioTagHeader (SoundFormat 9 + FourCC). */
  readonly enhanced: boolean;
  /** Legacy header bits (0 5.5 kHz, 1 11 kHz, 2 22 kHz, 3 44 kHz); 0 for enhanced tags, which carry none. */
  readonly soundRate: number;
  /** Legacy: 0 8-bit, 1 16-bit samples; 0 for enhanced tags. */
  readonly soundSize: number;
  /** Legacy: 0 mono, 1 stereo; 0 for enhanced tags. */
  readonly soundType: number;
  readonly packetType: AudioPacketKind;
  /** sequence-header: AudioSpecificConfig / OpusHead / FLAC STREAMINFO; frame: coded audio. */
  readonly data: Uint8Array;
  /** E-RTMP multitrack: the track described (trackId 0 if present, else the first); 0 otherwise. */
  readonly trackId: number;
  readonly trackCount: number;
  readonly timestampOffsetNano: number;
}

/**
 * Decodes an AUDIODATA body. An empty body is the RTMP "audio silence"
 * message (E-RTMP v2) and has no header to decode: callers check
 * `body.length === 0` first; here it is NeedMoreBytes like any truncation.
 */
export function decodeAudioData(body: Uint8Array): AudioData {
  const r = new ByteReader(body);
  const b0 = r.u8();
  const soundFormat = b0 >> 4;
  if (soundFormat === SOUND_FORMAT_EX_HEADER) return decodeEnhanced(r, b0);
  const codec = LEGACY_CODEC[soundFormat];
  if (!codec) throw new ProtocolError('flv_unsupported_audio_codec', `SoundFormat ${soundFormat} is reserved`);
  let packetType: AudioPacketKind = 'frame';
  if (soundFormat === SOUND_FORMAT_AAC || soundFormat === SOUND_FORMAT_OPUS_SRS) {
    const t = r.u8();
    if (t > 1) throw new ProtocolError('flv_bad_packet_type', `AACPacketType ${t}`);
    packetType = t === 0 ? 'sequence-header' : 'frame';
  }
  return {
    codec, soundFormat, enhanced: false,
    soundRate: (b0 >> 2) & 3, soundSize: (b0 >> 1) & 1, soundType: b0 & 1,
    packetType, data: r.rest(), trackId: 0, trackCount: 1, timestampOffsetNano: 0,
  };
}

function decodeEnhanced(r: ByteReader, b0: number): AudioData {
  const mod = readModEx(r, b0 & 0x0f);
  let packetType = mod.packetType;
  let cc: number;
  let body = r;
  let trackId = 0;
  let trackCount = 1;
  if (packetType === PT_MULTITRACK) {
    const b = r.u8();
    packetType = b & 0x0f;
    if (packetType === PT_MULTITRACK) throw new ProtocolError('flv_bad_packet_type', 'nested Multitrack audio packet');
    const multitrackType = b >> 4;
    const tracks = readTracks(r, multitrackType, multitrackType === 2 ? undefined : r.u32());
    const t = defaultTrack(tracks);
    cc = t.fourCc;
    body = new ByteReader(t.body);
    trackId = t.trackId;
    trackCount = tracks.length;
  } else {
    cc = r.u32();
  }
  const codec = CODEC_OF_FOURCC.get(cc);
  if (!codec) throw new ProtocolError('flv_unsupported_audio_codec', `audio FourCC '${fourCcString(cc)}'`);
  let kind: AudioPacketKind;
  if (packetType === PT_SEQUENCE_START) kind = 'sequence-header';
  else if (packetType === PT_CODED_FRAMES) kind = 'frame';
  else if (packetType === PT_SEQUENCE_END) kind = 'end-of-sequence';
  else if (packetType === PT_MULTICHANNEL_CONFIG) kind = 'multichannel-config';
  else throw new ProtocolError('flv_bad_packet_type', `AudioPacketType ${packetType} is reserved`);
  return {
    codec, soundFormat: SOUND_FORMAT_EX_HEADER, enhanced: true, soundRate: 0, soundSize: 0, soundType: 0,
    packetType: kind, data: body.rest(), trackId, trackCount, timestampOffsetNano: mod.timestampOffsetNano,
  };
}

export interface AudioDataInit {
  readonly codec: 'aac' | 'mp3' | 'opus' | 'flac' | 'ac3' | 'eac3';
  readonly packetType: 'sequence-header' | 'frame' | 'end-of-sequence';
  readonly data: Uint8Array;
  /**
   * Legacy header for AAC and MP3 (default), E-RTMP FourCC form for the rest
   * (Opus, FLAC, AC-3 exist only there).
   */
  readonly enhanced?: boolean;
  /** Legacy MP3 header bits; AAC always writes 3 (44 kHz) and stereo as FLV spec E.4.2.1 requires. */
  readonly soundRate?: number;
  readonly stereo?: boolean;
}

/** Encodes an AUDIODATA body (one copy of `data`). */
export function encodeAudioData(a: AudioDataInit): Uint8Array {
  const enhanced = a.enhanced ?? (a.codec !== 'aac' && a.codec !== 'mp3');
  if (enhanced) {
    const pt = a.packetType === 'sequence-header' ? PT_SEQUENCE_START
      : a.packetType === 'frame' ? PT_CODED_FRAMES : PT_SEQUENCE_END;
    const out = new Uint8Array(5 + a.data.length);
    out[0] = (SOUND_FORMAT_EX_HEADER << 4) | pt;
    const cc = FOURCC_OF.get(a.codec)!;
    out[1] = cc >>> 24;
    out[2] = cc >>> 16;
    out[3] = cc >>> 8;
    out[4] = cc;
    out.set(a.data, 5);
    return out;
  }
  if (a.codec === 'aac') {
    if (a.packetType === 'end-of-sequence') {
      throw new ProtocolError('flv_unsupported_audio_codec', 'legacy AAC has no end-of-sequence packet');
    }
    const out = new Uint8Array(2 + a.data.length);
    // FLV spec E.4.2.1: "If the SoundFormat indicates AAC, the SoundType should be 1 (stereo)
    // and the SoundRate should be 3 (44 kHz)"; the real values are in the AudioSpecificConfig.
    out[0] = (SOUND_FORMAT_AAC << 4) | (3 << 2) | (1 << 1) | 1;
    out[1] = a.packetType === 'sequence-header' ? 0 : 1;
    out.set(a.data, 2);
    return out;
  }
  if (a.codec === 'mp3' && a.packetType === 'frame') {
    const out = new Uint8Array(1 + a.data.length);
    out[0] = (SOUND_FORMAT_MP3 << 4) | ((a.soundRate ?? 3) << 2) | (1 << 1) | (a.stereo === false ? 0 : 1);
    out.set(a.data, 1);
    return out;
  }
  throw new ProtocolError('flv_unsupported_audio_codec', `no legacy FLV form for ${a.codec} ${a.packetType}`);
}

/** AAC sequence header tag body (0xAF 0x00 + AudioSpecificConfig). */
export function aacSequenceHeaderBody(asc: Uint8Array): Uint8Array {
  return encodeAudioData({ codec: 'aac', packetType: 'sequence-header', data: asc });
}

/** AAC raw frame tag body (0xAF 0x01 + raw access unit, no ADTS header). */
export function aacFrameBody(raw: Uint8Array): Uint8Array {
  return encodeAudioData({ codec: 'aac', packetType: 'frame', data: raw });
}

/** E-RTMP Opus SequenceStart body (OpusHead ID header, RFC 7845 5.1). */
export function opusSequenceHeaderBody(opusHead: Uint8Array): Uint8Array {
  return encodeAudioData({ codec: 'opus', packetType: 'sequence-header', data: opusHead });
}

/** E-RTMP Opus CodedFrames body (one Opus packet). */
export function opusFrameBody(packet: Uint8Array): Uint8Array {
  return encodeAudioData({ codec: 'opus', packetType: 'frame', data: packet });
}
