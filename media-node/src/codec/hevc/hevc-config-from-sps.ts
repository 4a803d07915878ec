import { ProtocolError } from '@runnel/shared';
import { nalToRbsp } from '../nalu/rbsp.ts';
import type { HevcDecoderConfig } from './hevc-config.ts';
import { HEVC_NALU, hevcNaluType } from './nalu-type.ts';
import { decodeHevcSps } from './sps.ts';

/** Bytes of RBSP the general profile_tier_level needs: 2 (NAL header) + 1 (ids) + 12 (H.265 7.3.3 general part). */
const SPS_PTL_END = 15;

/**
 * The HEVCDecoderConfigurationRecord (ISO/IEC 14496-15 8.3.3.1) an Annex B
 * stream (MPEG-TS, RTP) implies, built from its VPS, SPS and PPS. The general
 * profile_tier_level is byte-aligned right after the SPS's first byte (H.265
 * 7.3.2.2.1: 4 + 3 + 1 bits), so its 12 bytes are copied as they are:
 * profile space/tier/idc, 32 compatibility flags, 48 constraint flags, level.
 * Chroma and bit depths come from the parsed SPS; frame rate unspecified,
 * NAL length size 4, arrays marked complete = false (parameter sets may also
 * come in band, as they do in TS).
 */
export function hevcConfigFromParameterSets(vps: readonly Uint8Array[], sps: readonly Uint8Array[], pps: readonly Uint8Array[]): HevcDecoderConfig {
  const first = sps[0];
  if (first === undefined || vps.length === 0 || pps.length === 0) {
    throw new ProtocolError('hevc_config_missing_parameter_sets', 'an HEVC configuration needs a VPS, an SPS and a PPS');
  }
  for (const [list, type] of [[vps, HEVC_NALU.VPS], [sps, HEVC_NALU.SPS], [pps, HEVC_NALU.PPS]] as const) {
    for (const n of list) if (n.length < 2 || hevcNaluType(n) !== type) throw new ProtocolError('hevc_config_nalu_type', `expected NAL type ${type}`);
  }
  const parsed = decodeHevcSps(first);
  const rbsp = nalToRbsp(first);
  if (rbsp.length < SPS_PTL_END) throw new ProtocolError('sps_truncated', `SPS of ${rbsp.length} bytes`);
  const v = new DataView(rbsp.buffer, rbsp.byteOffset, rbsp.byteLength);
  return {
    profileSpace: parsed.profileSpace,
    tier: parsed.tier,
    profileIdc: parsed.profileIdc,
    compatibility: parsed.compatibility >>> 0,
    constraints: v.getUint16(8) * 2 ** 32 + v.getUint32(10),
    levelIdc: parsed.levelIdc,
    minSpatialSegmentation: 0,
    parallelismType: 0,
    chromaFormat: parsed.chromaFormatIdc,
    bitDepthLuma: parsed.bitDepthLuma,
    bitDepthChroma: parsed.bitDepthChroma,
    avgFrameRate: 0,
    constantFrameRate: 0,
    numTemporalLayers: parsed.maxSubLayers,
    temporalIdNested: (rbsp[2]! & 0x01) === 1,
    lengthSize: 4,
    arrays: [
      { complete: false, type: HEVC_NALU.VPS, nalus: vps },
      { complete: false, type: HEVC_NALU.SPS, nalus: sps },
      { complete: false, type: HEVC_NALU.PPS, nalus: pps },
    ],
  };
}
