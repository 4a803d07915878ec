import { ProtocolError } from '@runnel/shared';
import { encodeAdtsHeader } from '../../codec/aac/adts.ts';
import { decodeAsc, type AudioSpecificConfig } from '../../codec/aac/audio-specific-config.ts';
import { decodeAvcConfig, type AvcDecoderConfig } from '../../codec/h264/avc-config.ts';
import { decodeHevcConfig, type HevcDecoderConfig } from '../../codec/hevc/hevc-config.ts';
import { decodeOpusHead } from '../../codec/opus/opus-head.ts';
import type { AudioCodec } from '../flv/audio-data.ts';
import type { VideoCodec } from '../flv/video-data.ts';
import type { TsAudioCodec, TsVideoCodec } from '../mpegts/ts-muxer.ts';

/**
 * The decoder configurations a FLV -> MPEG-TS remuxer keeps from sequence
 * headers: what it needs to turn later frames into self-contained TS
 * elementary streams (SPS/PPS for Annex B keyframes, the AudioSpecificConfig
 * for ADTS headers, the Opus channel count for the PMT descriptor).
 */
export type VideoTrackConfig =
  | { readonly codec: 'h264'; readonly avc: AvcDecoderConfig }
  | { readonly codec: 'hevc'; readonly hevc: HevcDecoderConfig };

export type AudioTrackConfig =
  | { readonly codec: 'aac'; readonly asc: AudioSpecificConfig }
  | { readonly codec: 'mp3' }
  | { readonly codec: 'opus'; readonly channels: 1 | 2 };

/** Video codecs MPEG-TS carries here (ISO/IEC 13818-1 Table 2-34: 0x1B, 0x24); AV1/VP8/VP9 have no stream_type we mux. */
export function tsVideoCodec(codec: VideoCodec): TsVideoCodec {
  if (codec === 'h264' || codec === 'hevc') return codec;
  throw new ProtocolError('ts_unsupported_video_codec', `${codec} video cannot be carried in MPEG-TS here`);
}

/** Audio codecs MPEG-TS carries here: AAC (ADTS, 0x0F), MP3 (0x03), Opus (private PES + 'Opus' registration). */
export function tsAudioCodec(codec: AudioCodec): TsAudioCodec {
  if (codec === 'aac' || codec === 'mp3' || codec === 'opus') return codec;
  throw new ProtocolError('ts_unsupported_audio_codec', `${codec} audio cannot be carried in MPEG-TS here`);
}

/**
 * Decodes a video sequence header body (avcC / hvcC). Throws ProtocolError on
 * a record the codec layer refuses (bad-inputs row 36: truncated, no SPS/PPS,
 * empty parameter sets).
 */
export function videoTrackConfig(codec: TsVideoCodec, record: Uint8Array): VideoTrackConfig {
  return codec === 'h264' ? { codec, avc: decodeAvcConfig(record) } : { codec, hevc: decodeHevcConfig(record) };
}

/**
 * Decodes an audio sequence header body. AAC: the AudioSpecificConfig, which
 * must also be expressible as an ADTS header (object types 1-4 or SBR over
 * them, a Table 1.18 rate, channel configuration 1-7; bad-inputs row 40).
 * Opus: the OpusHead, mono or stereo (the PMT's opus_audio_descriptor here
 * carries channel_config_code 1 or 2). MP3 has no sequence header.
 */
export function audioTrackConfig(codec: TsAudioCodec, header: Uint8Array): AudioTrackConfig {
  if (codec === 'aac') {
    const asc = decodeAsc(header);
    encodeAdtsHeader(asc, 0); // throws if ADTS cannot describe this config
    return { codec, asc };
  }
  if (codec === 'opus') {
    const head = decodeOpusHead(header);
    if (head.channels > 2) throw new ProtocolError('ts_unsupported_audio_codec', `Opus with ${head.channels} channels`);
    return { codec, channels: head.channels === 1 ? 1 : 2 };
  }
  return { codec };
}
