import { ProtocolError } from '@runnel/shared';
import { BitReader } from '../bit-reader.ts';
import { MAX_PICTURE_SIDE } from '../limits.ts';
import { nalToRbsp } from '../nalu/rbsp.ts';
import { HEVC_NALU, hevcNaluType } from './nalu-type.ts';

/** H.265 7.4.3.2.1: sps_max_sub_layers_minus1 is in 0..6. */
const MAX_SUB_LAYERS_MINUS1 = 6;
/** H.265 7.4.3.2.1: sps_seq_parameter_set_id is in 0..15. */
const MAX_SPS_ID = 15;

/** The start of an H.265 SPS (H.265 7.3.2.2.1) up to the bit depths: enough to describe a stream. */
export interface HevcSps {
  readonly vpsId: number;
  readonly maxSubLayers: number;
  readonly profileSpace: number;
  readonly tier: number;
  readonly profileIdc: number;
  readonly compatibility: number;
  readonly levelIdc: number;
  readonly spsId: number;
  /** 0 monochrome, 1 4:2:0, 2 4:2:2, 3 4:4:4. */
  readonly chromaFormatIdc: number;
  /** Displayed size: pic_width/height_in_luma_samples minus the conformance window. */
  readonly width: number;
  readonly height: number;
  readonly bitDepthLuma: number;
  readonly bitDepthChroma: number;
}

/**
 * Parses the head of an H.265 SPS NAL unit (2-byte NAL header included,
 * escapes still in). Fields after the bit depths (reference picture sets,
 * VUI) are not read. Malformed or truncated input is a `ProtocolError`.
 *
 * @example
 * const { width, height, levelIdc } = decodeHevcSps(hevcNalus(cfg, HEVC_NALU.SPS)[0]!);
 */
export function decodeHevcSps(nal: Uint8Array): HevcSps {
  if (nal.length < 3) throw new ProtocolError('sps_truncated', `SPS of ${nal.length} bytes`);
  if (hevcNaluType(nal) !== HEVC_NALU.SPS) throw new ProtocolError('sps_nalu_type', `NAL type ${hevcNaluType(nal)} is not an SPS`);
  const r = new BitReader(nalToRbsp(nal.subarray(2)));
  const vpsId = r.u(4);
  const maxSubLayersMinus1 = r.u(3);
  if (maxSubLayersMinus1 > MAX_SUB_LAYERS_MINUS1) throw new ProtocolError('sps_out_of_range', `sps_max_sub_layers_minus1 ${maxSubLayersMinus1}`);
  r.skip(1); // sps_temporal_id_nesting_flag
  // profile_tier_level(1, sps_max_sub_layers_minus1), H.265 7.3.3
  const profileSpace = r.u(2);
  const tier = r.u(1);
  const profileIdc = r.u(5);
  const compatibility = r.u(32);
  r.skip(48); // progressive/interlaced/non-packed/frame-only + 43 constraint bits + inbld/reserved
  const levelIdc = r.u(8);
  const subProfile: boolean[] = [];
  const subLevel: boolean[] = [];
  for (let i = 0; i < maxSubLayersMinus1; i++) {
    subProfile.push(r.flag());
    subLevel.push(r.flag());
  }
  if (maxSubLayersMinus1 > 0) r.skip(2 * (8 - maxSubLayersMinus1)); // reserved_zero_2bits
  for (let i = 0; i < maxSubLayersMinus1; i++) {
    if (subProfile[i]) r.skip(88); // sub_layer profile space..constraint flags
    if (subLevel[i]) r.skip(8); // sub_layer_level_idc
  }
  const spsId = r.ue();
  if (spsId > MAX_SPS_ID) throw new ProtocolError('sps_out_of_range', `sps_seq_parameter_set_id ${spsId}`);
  const chromaFormatIdc = r.ue();
  if (chromaFormatIdc > 3) throw new ProtocolError('sps_out_of_range', `chroma_format_idc ${chromaFormatIdc}`);
  const separateColourPlane = chromaFormatIdc === 3 ? r.flag() : false;
  let width = r.ue();
  let height = r.ue();
  if (width === 0 || height === 0 || width > MAX_PICTURE_SIDE || height > MAX_PICTURE_SIDE) {
    throw new ProtocolError('sps_out_of_range', `picture ${width}x${height}`);
  }
  if (r.flag()) {
    // conformance_window_flag; offsets in chroma units (H.265 7.4.3.2.1, Table 6-1)
    const chromaArrayType = separateColourPlane ? 0 : chromaFormatIdc;
    const subW = chromaArrayType === 1 || chromaArrayType === 2 ? 2 : 1;
    const subH = chromaArrayType === 1 ? 2 : 1;
    const cutX = subW * (r.ue() + r.ue());
    const cutY = subH * (r.ue() + r.ue());
    if (cutX >= width || cutY >= height) throw new ProtocolError('sps_bad_cropping', `conformance window ${cutX}x${cutY} of ${width}x${height}`);
    width -= cutX;
    height -= cutY;
  }
  const bitDepthLuma = r.ue() + 8;
  const bitDepthChroma = r.ue() + 8;
  // H.265 7.4.3.2.1: bit_depth_*_minus8 is in 0..8.
  if (bitDepthLuma > 16 || bitDepthChroma > 16) throw new ProtocolError('sps_out_of_range', `bit depth ${bitDepthLuma}/${bitDepthChroma}`);
  return {
    vpsId, maxSubLayers: maxSubLayersMinus1 + 1, profileSpace, tier, profileIdc, compatibility, levelIdc,
    spsId, chromaFormatIdc, width, height, bitDepthLuma, bitDepthChroma,
  };
}
