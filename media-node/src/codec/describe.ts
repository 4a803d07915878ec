import { ProtocolError } from '@runnel/shared';
import type { AudioSpecificConfig } from './aac/audio-specific-config.ts';
import { AAC_OBJECT, aacChannelCount, aacProfileName } from './aac/tables.ts';
import type { Av1CodecConfig } from './av1/av1-config.ts';
import { findSequenceHeaderObu } from './av1/obu.ts';
import { decodeAv1SequenceHeader } from './av1/sequence-header.ts';
import type { MpegAudioHeader } from './mp3/mpeg-audio-header.ts';
import type { OpusHead } from './opus/opus-head.ts';
import { OPUS_SAMPLE_RATE } from './opus/toc.ts';
import type { AvcDecoderConfig } from './h264/avc-config.ts';
import { avcLevelName, avcProfileName } from './h264/nalu-type.ts';
import { decodeAvcSps } from './h264/sps.ts';
import type { HevcDecoderConfig } from './hevc/hevc-config.ts';
import { hevcNalus } from './hevc/hevc-config.ts';
import { HEVC_NALU, hevcLevelName, hevcProfileName } from './hevc/nalu-type.ts';
import { decodeHevcSps } from './hevc/sps.ts';

/**
 * The `video` object of SRS's `GET /api/v1/streams` (srs_app_statistic.cpp):
 * codec name, profile and level strings in SRS's spelling, displayed size.
 */
export interface VideoDescription {
  readonly codec: 'H264' | 'HEVC' | 'AV1';
  /** null where SRS reports null (AV1). */
  readonly profile: string | null;
  readonly level: string | null;
  readonly width: number;
  readonly height: number;
}

/**
 * Describes an H.264 stream from its sequence header. The profile and level
 * come from the SPS (the record copies them), the size from the SPS.
 * Throws a `ProtocolError` when the SPS is malformed.
 *
 * @example
 * describeAvc(decodeAvcConfig(body)) // { codec: 'H264', profile: 'High', level: '3.1', width: 1280, height: 720 }
 */
export function describeAvc(config: AvcDecoderConfig): VideoDescription {
  const sps = decodeAvcSps(config.sps[0]!);
  return {
    codec: 'H264',
    profile: avcProfileName(sps.profileIdc, sps.constraintFlags),
    level: avcLevelName(sps.levelIdc, sps.profileIdc, sps.constraintFlags),
    width: sps.width,
    height: sps.height,
  };
}

/**
 * Describes an HEVC stream from its sequence header (profile, level and size
 * from the first SPS). Throws a `ProtocolError` when the SPS is malformed.
 *
 * @example
 * describeHevc(decodeHevcConfig(body)) // { codec: 'HEVC', profile: 'Main', level: '3.1', width: 1280, height: 720 }
 */
export function describeHevc(config: HevcDecoderConfig): VideoDescription {
  const sps = decodeHevcSps(hevcNalus(config, HEVC_NALU.SPS)[0]!);
  return {
    codec: 'HEVC',
    profile: hevcProfileName(sps.profileIdc),
    level: hevcLevelName(sps.levelIdc),
    width: sps.width,
    height: sps.height,
  };
}

/**
 * Describes an AV1 stream from its av1C record: the size from the sequence
 * header OBU in configOBUs. Profile and level are null, as SRS reports them.
 * Throws a `ProtocolError` when there is no usable sequence header.
 */
export function describeAv1(config: Av1CodecConfig): VideoDescription {
  const obu = findSequenceHeaderObu(config.configObus);
  if (!obu) throw new ProtocolError('av1_config_no_sequence_header', 'av1C without a sequence header OBU');
  const seq = decodeAv1SequenceHeader(obu.payload);
  return { codec: 'AV1', profile: null, level: null, width: seq.maxWidth, height: seq.maxHeight };
}

/** The `audio` object of SRS's `GET /api/v1/streams`. */
export interface AudioDescription {
  readonly codec: 'AAC' | 'MP3' | 'Opus';
  readonly sample_rate: number;
  readonly channel: number;
  /** AAC profile ('LC', 'HE', ...); null for other codecs. */
  readonly profile: string | null;
}

/**
 * Describes an AAC stream from its AudioSpecificConfig: the output rate and
 * channel count (after SBR/PS when it is signalled, ISO/IEC 14496-3 1.6.5),
 * and the profile name SRS uses. Unlike SRS, which reports the FLV header's
 * 4-value rate field (so 48 kHz shows as 44100), the rate is the real one.
 *
 * @example
 * describeAac(decodeAsc(body)) // { codec: 'AAC', sample_rate: 44100, channel: 2, profile: 'LC' }
 */
export function describeAac(asc: AudioSpecificConfig): AudioDescription {
  const sync = asc.syncExtension;
  const ps = asc.objectType === AAC_OBJECT.PS || sync?.ps === true;
  const sbrRate = asc.sbr?.sampleRate ?? (sync?.sbr ? sync.sampleRate : undefined);
  let profile = aacProfileName(asc.objectType);
  if (sync?.sbr) profile = ps ? 'HEv2' : 'HE';
  return {
    codec: 'AAC',
    sample_rate: sbrRate ?? asc.sampleRate,
    channel: ps ? 2 : aacChannelCount(asc.channelConfiguration),
    profile,
  };
}

/**
 * Describes an Opus stream from its OpusHead. Opus always decodes at 48 kHz
 * (RFC 7845 5.1: the input rate is informational), so that is the rate reported.
 */
export function describeOpus(head: OpusHead): AudioDescription {
  return { codec: 'Opus', sample_rate: OPUS_SAMPLE_RATE, channel: head.channels, profile: null };
}

/** Describes an MP3 (MPEG audio) stream from one frame header. */
export function describeMp3(h: MpegAudioHeader): AudioDescription {
  return { codec: 'MP3', sample_rate: h.sampleRate, channel: h.channels, profile: null };
}
