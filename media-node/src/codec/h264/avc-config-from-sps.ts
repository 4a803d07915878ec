import { ProtocolError } from '@runnel/shared';
import type { AvcDecoderConfig } from './avc-config.ts';
import { AVC_NALU, avcNaluType } from './nalu-type.ts';

/**
 * The AVCDecoderConfigurationRecord (ISO/IEC 14496-15 5.3.3.1) an Annex B
 * stream (MPEG-TS, RTP) implies: profile_idc, the constraint flags byte and
 * level_idc are bytes 1-3 of the SPS NAL unit (H.264 7.3.2.1.1, no emulation
 * prevention can occur before byte 4), NAL length size 4 as every muxer
 * writes it. The High-profile extension is left out, as FFmpeg's avcC writer
 * does for in-band streams; decoders read chroma and bit depth from the SPS.
 *
 * @example
 * const body = avcSequenceHeaderBody(encodeAvcConfig(avcConfigFromParameterSets([sps], [pps])));
 */
export function avcConfigFromParameterSets(sps: readonly Uint8Array[], pps: readonly Uint8Array[]): AvcDecoderConfig {
  const first = sps[0];
  if (first === undefined || pps.length === 0) throw new ProtocolError('avc_config_missing_parameter_sets', 'an AVC configuration needs an SPS and a PPS');
  if (first.length < 4) throw new ProtocolError('sps_truncated', `SPS of ${first.length} bytes`);
  for (const s of sps) if (avcNaluType(s) !== AVC_NALU.SPS) throw new ProtocolError('avc_config_nalu_type', 'not an SPS');
  for (const p of pps) if (avcNaluType(p) !== AVC_NALU.PPS) throw new ProtocolError('avc_config_nalu_type', 'not a PPS');
  return { profile: first[1]!, compatibility: first[2]!, level: first[3]!, lengthSize: 4, sps, pps };
}
