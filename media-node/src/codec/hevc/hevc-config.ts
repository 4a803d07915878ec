import { ByteReader, ProtocolError } from '@runnel/shared';
import type { NaluLengthSize } from '../nalu/avcc.ts';
import { HEVC_NALU, hevcNaluType } from './nalu-type.ts';

/**
 * Most NAL units we accept in one array of the record. H.265 7.4.3 allows 16
 * VPS ids, 16 SPS ids and 64 PPS ids, so 64 covers every parameter set array;
 * SEI arrays from x265 hold one or two.
 */
export const MAX_HEVC_ARRAY_NALUS = 64;

/** One NAL unit array of the record (VPS, SPS, PPS, SEI...). */
export interface HevcNaluArray {
  /** array_completeness: all NAL units of this type are in the record (none in band). */
  readonly complete: boolean;
  readonly type: number;
  readonly nalus: readonly Uint8Array[];
}

/** HEVCDecoderConfigurationRecord (ISO/IEC 14496-15 8.3.3.1): the enhanced-RTMP HEVC sequence header body. */
export interface HevcDecoderConfig {
  readonly profileSpace: number;
  readonly tier: number;
  readonly profileIdc: number;
  /** general_profile_compatibility_flags, 32 bits. */
  readonly compatibility: number;
  /** general_constraint_indicator_flags, 48 bits. */
  readonly constraints: number;
  readonly levelIdc: number;
  readonly minSpatialSegmentation: number;
  readonly parallelismType: number;
  readonly chromaFormat: number;
  readonly bitDepthLuma: number;
  readonly bitDepthChroma: number;
  /** avgFrameRate in frames per 256 s; 0 = unspecified. */
  readonly avgFrameRate: number;
  readonly constantFrameRate: number;
  readonly numTemporalLayers: number;
  readonly temporalIdNested: boolean;
  readonly lengthSize: NaluLengthSize;
  readonly arrays: readonly HevcNaluArray[];
}

/**
 * Decodes an HEVCDecoderConfigurationRecord. NAL units are subarrays of the
 * input (no copy). A truncated record, one without VPS, SPS or PPS, an empty
 * NAL unit or one whose type disagrees with its array is a `ProtocolError`.
 *
 * @example
 * const cfg = decodeHevcConfig(body); const sps = hevcNalus(cfg, HEVC_NALU.SPS)[0];
 */
export function decodeHevcConfig(data: Uint8Array): HevcDecoderConfig {
  const r = new ByteReader(data);
  r.need(23, 'HEVCDecoderConfigurationRecord');
  const version = r.u8();
  if (version !== 1) throw new ProtocolError('hevc_config_version', `configurationVersion ${version}, expected 1`);
  const b1 = r.u8();
  const compatibility = r.u32();
  const constraints = r.u16() * 2 ** 32 + r.u32();
  const levelIdc = r.u8();
  const minSpatialSegmentation = r.u16() & 0x0fff;
  const parallelismType = r.u8() & 0x03;
  const chromaFormat = r.u8() & 0x03;
  const bitDepthLuma = (r.u8() & 0x07) + 8;
  const bitDepthChroma = (r.u8() & 0x07) + 8;
  const avgFrameRate = r.u16();
  const b21 = r.u8();
  const lengthSize = ((b21 & 0x03) + 1) as 1 | 2 | 3 | 4;
  if (lengthSize === 3) throw new ProtocolError('hevc_config_length_size', 'lengthSizeMinusOne 2 is not allowed');
  const numArrays = r.u8();
  const arrays: HevcNaluArray[] = [];
  for (let i = 0; i < numArrays; i++) {
    const head = r.u8();
    const type = head & 0x3f;
    const count = r.u16();
    if (count > MAX_HEVC_ARRAY_NALUS) throw new ProtocolError('hevc_config_too_many_nalus', `${count} NAL units of type ${type} > ${MAX_HEVC_ARRAY_NALUS}`);
    const nalus: Uint8Array[] = [];
    for (let j = 0; j < count; j++) {
      const nal = r.bytes(r.u16(), 'hvcC NAL unit');
      if (nal.length < 2) throw new ProtocolError('hevc_config_empty_nalu', `NAL unit of ${nal.length} bytes in array ${type}`);
      if (hevcNaluType(nal) !== type) throw new ProtocolError('hevc_config_nalu_type', `NAL type ${hevcNaluType(nal)} in array of type ${type}`);
      nalus.push(nal);
    }
    arrays.push({ complete: (head & 0x80) !== 0, type, nalus });
  }
  const config: HevcDecoderConfig = {
    profileSpace: b1 >>> 6,
    tier: (b1 >>> 5) & 1,
    profileIdc: b1 & 0x1f,
    compatibility,
    constraints,
    levelIdc,
    minSpatialSegmentation,
    parallelismType,
    chromaFormat,
    bitDepthLuma,
    bitDepthChroma,
    avgFrameRate,
    constantFrameRate: b21 >>> 6,
    numTemporalLayers: (b21 >>> 3) & 0x07,
    temporalIdNested: (b21 & 0x04) !== 0,
    lengthSize,
    arrays,
  };
  for (const [type, name] of [[HEVC_NALU.VPS, 'vps'], [HEVC_NALU.SPS, 'sps'], [HEVC_NALU.PPS, 'pps']] as const) {
    if (hevcNalus(config, type).length === 0) throw new ProtocolError(`hevc_config_no_${name}`, `HEVC sequence header without ${name.toUpperCase()}`);
  }
  return config;
}

/** All NAL units of one type in the record, in record order. */
export function hevcNalus(config: Pick<HevcDecoderConfig, 'arrays'>, type: number): Uint8Array[] {
  const out: Uint8Array[] = [];
  for (const a of config.arrays) if (a.type === type) out.push(...a.nalus);
  return out;
}

/** Encodes the record; the inverse of `decodeHevcConfig`. */
export function encodeHevcConfig(c: HevcDecoderConfig): Uint8Array {
  if (c.arrays.length > 255) throw new ProtocolError('hevc_config_too_many_arrays', `${c.arrays.length} arrays`);
  let size = 23;
  for (const a of c.arrays) {
    if (a.nalus.length > 0xffff) throw new ProtocolError('hevc_config_too_many_nalus', `${a.nalus.length} NAL units`);
    size += 3;
    for (const n of a.nalus) {
      if (n.length === 0 || n.length > 0xffff) throw new ProtocolError('hevc_config_nalu_size', `NAL unit of ${n.length} bytes`);
      size += 2 + n.length;
    }
  }
  const out = new Uint8Array(size);
  const v = new DataView(out.buffer);
  v.setUint8(0, 1);
  v.setUint8(1, ((c.profileSpace & 0x03) << 6) | ((c.tier & 1) << 5) | (c.profileIdc & 0x1f));
  v.setUint32(2, c.compatibility >>> 0);
  v.setUint16(6, Math.floor(c.constraints / 2 ** 32) & 0xffff);
  v.setUint32(8, c.constraints % 2 ** 32);
  v.setUint8(12, c.levelIdc);
  v.setUint16(13, 0xf000 | (c.minSpatialSegmentation & 0x0fff));
  v.setUint8(15, 0xfc | (c.parallelismType & 0x03));
  v.setUint8(16, 0xfc | (c.chromaFormat & 0x03));
  v.setUint8(17, 0xf8 | ((c.bitDepthLuma - 8) & 0x07));
  v.setUint8(18, 0xf8 | ((c.bitDepthChroma - 8) & 0x07));
  v.setUint16(19, c.avgFrameRate);
  v.setUint8(21, ((c.constantFrameRate & 0x03) << 6) | ((c.numTemporalLayers & 0x07) << 3) | (c.temporalIdNested ? 0x04 : 0) | (c.lengthSize - 1));
  v.setUint8(22, c.arrays.length);
  let pos = 23;
  for (const a of c.arrays) {
    v.setUint8(pos, (a.complete ? 0x80 : 0) | (a.type & 0x3f));
    v.setUint16(pos + 1, a.nalus.length);
    pos += 3;
    for (const n of a.nalus) {
      v.setUint16(pos, n.length);
      out.set(n, pos + 2);
      pos += 2 + n.length;
    }
  }
  return out;
}
