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
