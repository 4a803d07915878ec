import { ProtocolError } from '@runnel/shared';
import { BitReader } from '../bit-reader.ts';
import { MAX_PICTURE_SIDE } from '../limits.ts';
import { nalToRbsp } from '../nalu/rbsp.ts';
import { AVC_NALU, avcNaluType } from './nalu-type.ts';


/** H.264 7.4.2.1.1: seq_parameter_set_id is in 0..31. */
const MAX_SPS_ID = 31;
/** H.264 7.4.2.1.1: num_ref_frames_in_pic_order_cnt_cycle is in 0..255. */
const MAX_REF_FRAMES_IN_POC_CYCLE = 255;

/** Profiles whose SPS carries chroma_format_idc and bit depths (H.264 7.3.2.1.1). */
const HIGH_PROFILES = new Set([100, 110, 122, 244, 44, 83, 86, 118, 128, 138, 139, 134, 135]);

/** The fields of an H.264 sequence parameter set (H.264 7.3.2.1.1) a server needs. */
export interface AvcSps {
  readonly profileIdc: number;
  /** The byte of constraint_set0..5 flags + reserved bits. */
  readonly constraintFlags: number;
  readonly levelIdc: number;
  readonly spsId: number;
  /** 0 monochrome, 1 4:2:0, 2 4:2:2, 3 4:4:4. */
  readonly chromaFormatIdc: number;
  readonly bitDepthLuma: number;
  readonly bitDepthChroma: number;
  readonly frameMbsOnly: boolean;
  /** Displayed size: coded size minus the frame cropping rectangle. */
  readonly width: number;
  readonly height: number;
  /** VUI timing (E.2.1), when present: frame rate = timeScale / (2 * numUnitsInTick). */
  readonly timing?: { readonly numUnitsInTick: number; readonly timeScale: number; readonly fixedFrameRate: boolean };
}

/**
 * Parses an H.264 SPS NAL unit (with its 1-byte NAL header, escapes still in).
 * Malformed or truncated input is a `ProtocolError`. A damaged VUI is tolerated
 * (timing is then absent): FFmpeg does the same, and real encoders do ship
 * SPSs whose VUI runs past the end.
 *
 * @example
 * const { width, height } = decodeAvcSps(cfg.sps[0]!);
 */
export function decodeAvcSps(nal: Uint8Array): AvcSps {
  if (nal.length < 4) throw new ProtocolError('sps_truncated', `SPS of ${nal.length} bytes`);
  if (avcNaluType(nal) !== AVC_NALU.SPS) throw new ProtocolError('sps_nalu_type', `NAL type ${avcNaluType(nal)} is not an SPS`);
  const r = new BitReader(nalToRbsp(nal.subarray(1)));
  const profileIdc = r.u(8);
  const constraintFlags = r.u(8);
  const levelIdc = r.u(8);
  const spsId = bounded(r.ue(), MAX_SPS_ID, 'seq_parameter_set_id');
  let chromaFormatIdc = 1;
  let separateColourPlane = false;
  let bitDepthLuma = 8;
  let bitDepthChroma = 8;
  if (HIGH_PROFILES.has(profileIdc)) {
    chromaFormatIdc = bounded(r.ue(), 3, 'chroma_format_idc');
    if (chromaFormatIdc === 3) separateColourPlane = r.flag();
    bitDepthLuma = bounded(r.ue(), 6, 'bit_depth_luma_minus8') + 8;
    bitDepthChroma = bounded(r.ue(), 6, 'bit_depth_chroma_minus8') + 8;
    r.skip(1); // qpprime_y_zero_transform_bypass_flag
    if (r.flag()) {
      // seq_scaling_matrix_present_flag: 8 lists (12 for 4:4:4), 7.3.2.1.1.1
      const lists = chromaFormatIdc === 3 ? 12 : 8;
      for (let i = 0; i < lists; i++) if (r.flag()) skipScalingList(r, i < 6 ? 16 : 64);
    }
  }
  bounded(r.ue(), 12, 'log2_max_frame_num_minus4');
  const pocType = bounded(r.ue(), 2, 'pic_order_cnt_type');
  if (pocType === 0) {
    bounded(r.ue(), 12, 'log2_max_pic_order_cnt_lsb_minus4');
  } else if (pocType === 1) {
    r.skip(1); // delta_pic_order_always_zero_flag
    r.se(); // offset_for_non_ref_pic
    r.se(); // offset_for_top_to_bottom_field
    const n = bounded(r.ue(), MAX_REF_FRAMES_IN_POC_CYCLE, 'num_ref_frames_in_pic_order_cnt_cycle');
    for (let i = 0; i < n; i++) r.se();
  }
  r.ue(); // max_num_ref_frames
  r.skip(1); // gaps_in_frame_num_value_allowed_flag
  const widthMbs = bounded(r.ue(), MAX_PICTURE_SIDE / 16 - 1, 'pic_width_in_mbs_minus1') + 1;
  const heightMapUnits = bounded(r.ue(), MAX_PICTURE_SIDE / 16 - 1, 'pic_height_in_map_units_minus1') + 1;
  const frameMbsOnly = r.flag();
  if (!frameMbsOnly) r.skip(1); // mb_adaptive_frame_field_flag
  r.skip(1); // direct_8x8_inference_flag
  let width = widthMbs * 16;
  let height = heightMapUnits * 16 * (frameMbsOnly ? 1 : 2);
  if (r.flag()) {
    // frame_cropping_flag; crop units from H.264 7.4.2.1.1 (Table 6-1 SubWidthC/SubHeightC)
    const chromaArrayType = separateColourPlane ? 0 : chromaFormatIdc;
    const cropX = chromaArrayType === 0 || chromaArrayType === 3 ? 1 : 2;
    const cropY = (chromaArrayType === 1 ? 2 : 1) * (frameMbsOnly ? 1 : 2);
    const left = r.ue();
    const right = r.ue();
    const top = r.ue();
    const bottom = r.ue();
    const cutX = (left + right) * cropX;
    const cutY = (top + bottom) * cropY;
    if (cutX >= width || cutY >= height) throw new ProtocolError('sps_bad_cropping', `cropping ${cutX}x${cutY} of ${width}x${height}`);
    width -= cutX;
    height -= cutY;
  }
  if (height > MAX_PICTURE_SIDE) throw new ProtocolError('sps_out_of_range', `height ${height} > ${MAX_PICTURE_SIDE}`);
  const base = { profileIdc, constraintFlags, levelIdc, spsId, chromaFormatIdc, bitDepthLuma, bitDepthChroma, frameMbsOnly, width, height };
  let timing: AvcSps['timing'];
  try {
    if (r.flag()) timing = readVuiTiming(r);
  } catch (e) {
    if (!(e instanceof ProtocolError)) throw e;
  }
  return timing ? { ...base, timing } : base;
}

/** H.264 E.1.1 vui_parameters() up to and including timing_info. */
function readVuiTiming(r: BitReader): AvcSps['timing'] {
  if (r.flag()) {
    // aspect_ratio_info_present_flag; 255 = Extended_SAR (Table E-1)
    if (r.u(8) === 255) r.skip(32);
  }
  if (r.flag()) r.skip(1); // overscan_info_present_flag -> overscan_appropriate_flag
  if (r.flag()) {
    // video_signal_type_present_flag: video_format, video_full_range_flag
    r.skip(4);
    if (r.flag()) r.skip(24); // colour_description_present_flag: primaries, transfer, matrix
  }
  if (r.flag()) {
    // chroma_loc_info_present_flag
    r.ue();
    r.ue();
  }
  if (!r.flag()) return undefined; // timing_info_present_flag
  const numUnitsInTick = r.u(32);
  const timeScale = r.u(32);
  const fixedFrameRate = r.flag();
  // E.2.1: both shall be greater than 0; a zero would only produce NaN frame rates.
  if (numUnitsInTick === 0 || timeScale === 0) return undefined;
  return { numUnitsInTick, timeScale, fixedFrameRate };
}

/** H.264 7.3.2.1.1.1 scaling_list(): only walked, the values are not needed. */
function skipScalingList(r: BitReader, size: number): void {
  let last = 8;
  let next = 8;
  for (let j = 0; j < size; j++) {
    if (next !== 0) {
      const delta = r.se();
      if (delta < -128 || delta > 127) throw new ProtocolError('sps_out_of_range', `delta_scale ${delta}`);
      next = (last + delta + 256) % 256;
    }
    last = next === 0 ? last : next;
  }
}

function bounded(v: number, max: number, what: string): number {
  if (v > max) throw new ProtocolError('sps_out_of_range', `${what} ${v} > ${max}`);
  return v;
}
