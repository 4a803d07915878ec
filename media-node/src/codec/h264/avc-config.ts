import { ByteReader, ProtocolError } from '@runnel/shared';
import type { NaluLengthSize } from '../nalu/avcc.ts';
import { AVC_NALU, avcNaluType } from './nalu-type.ts';

/*
 * The parameter set counts are bounded by their field widths (5 bits for SPS,
 * 8 for PPS and SPS extensions) and every length (16 bits) is checked against
 * the bytes left, so a record can never make us allocate more than it carries.
 */

/**
 * Every profile except Baseline, Main and Extended may carry the chroma/bit-depth
 * extension (ISO/IEC 14496-15:2014 5.3.3.1.2; the 2004 edition listed only
 * 100/110/122/144, FFmpeg writes it for all of them, e.g. 244).
 */
function profileHasExtension(profile: number): boolean {
  return profile !== 66 && profile !== 77 && profile !== 88;
}

/** The ISO/IEC 14496-15 5.3.3.1.2 chroma/bit-depth extension of High-family profiles. */
export interface AvcConfigExtension {
  /** chroma_format_idc: 0 mono, 1 4:2:0, 2 4:2:2, 3 4:4:4. */
  readonly chromaFormat: number;
  readonly bitDepthLuma: number;
  readonly bitDepthChroma: number;
  readonly spsExt: readonly Uint8Array[];
}

/** AVCDecoderConfigurationRecord (ISO/IEC 14496-15 5.3.3.1): the FLV/RTMP AVC sequence header body. */
export interface AvcDecoderConfig {
  readonly profile: number;
  /** profile_compatibility: the constraint_set flags byte of the SPS. */
  readonly compatibility: number;
  readonly level: number;
  /** Size of the NAL unit length prefix in frames (lengthSizeMinusOne + 1). */
  readonly lengthSize: NaluLengthSize;
  readonly sps: readonly Uint8Array[];
  readonly pps: readonly Uint8Array[];
  /** Present when the record carries it (High-family profiles; many encoders omit it). */
  readonly ext?: AvcConfigExtension;
}

/**
 * Decodes an AVCDecoderConfigurationRecord. Parameter sets are subarrays of
 * the input (no copy). A truncated record, a record without SPS or PPS, an
 * empty parameter set or one of the wrong NAL type is a `ProtocolError`
 * (bad-inputs row 36). Bytes after the record are ignored, as FFmpeg does.
 *
 * @example
 * const cfg = decodeAvcConfig(tag.subarray(5)); // after the FLV VIDEODATA + AVCPacketType + CTS header
 */
export function decodeAvcConfig(data: Uint8Array): AvcDecoderConfig {
  const r = new ByteReader(data);
  r.need(6, 'AVCDecoderConfigurationRecord');
  const version = r.u8();
  if (version !== 1) throw new ProtocolError('avc_config_version', `configurationVersion ${version}, expected 1`);
  const profile = r.u8();
  const compatibility = r.u8();
  const level = r.u8();
  const lengthSize = ((r.u8() & 0x03) + 1) as 1 | 2 | 3 | 4;
  if (lengthSize === 3) throw new ProtocolError('avc_config_length_size', 'lengthSizeMinusOne 2 is not allowed');
  const sps = readSets(r, r.u8() & 0x1f, AVC_NALU.SPS, 'sps');
  if (sps.length === 0) throw new ProtocolError('avc_config_no_sps', 'AVC sequence header without SPS');
  const pps = readSets(r, r.u8(), AVC_NALU.PPS, 'pps');
  if (pps.length === 0) throw new ProtocolError('avc_config_no_pps', 'AVC sequence header without PPS');
  const base = { profile, compatibility, level, lengthSize, sps, pps };
  // The extension is optional in practice: encoders written before the 2010
  // amendment stop here even for High profile.
  if (!profileHasExtension(profile) || r.remaining < 4) return base;
  const chromaFormat = r.u8() & 0x03;
  const bitDepthLuma = (r.u8() & 0x07) + 8;
  const bitDepthChroma = (r.u8() & 0x07) + 8;
  const spsExt = readSets(r, r.u8(), AVC_NALU.SPS_EXT, 'sps_ext');
  return { ...base, ext: { chromaFormat, bitDepthLuma, bitDepthChroma, spsExt } };
}

function readSets(r: ByteReader, count: number, type: number, what: string): Uint8Array[] {
  const out: Uint8Array[] = [];
  for (let i = 0; i < count; i++) {
    const nal = r.bytes(r.u16(), `avcC ${what}`);
    if (nal.length === 0) throw new ProtocolError('avc_config_empty_nalu', `empty ${what} in AVC sequence header`);
    if (avcNaluType(nal) !== type) throw new ProtocolError('avc_config_nalu_type', `${what} has NAL type ${avcNaluType(nal)}`);
    out.push(nal);
  }
  return out;
}

/** Encodes the record; the inverse of `decodeAvcConfig`. */
export function encodeAvcConfig(c: AvcDecoderConfig): Uint8Array {
  if (c.sps.length === 0 || c.sps.length > 31) throw new ProtocolError('avc_config_sps_count', `${c.sps.length} SPS (1..31)`);
  if (c.pps.length === 0 || c.pps.length > 255) throw new ProtocolError('avc_config_pps_count', `${c.pps.length} PPS (1..255)`);
  const ext = c.ext;
  if (ext && ext.spsExt.length > 255) throw new ProtocolError('avc_config_sps_ext_count', `${ext.spsExt.length} SPS ext (0..255)`);
  const sets = [...c.sps, ...c.pps, ...(ext?.spsExt ?? [])];
  let size = 7 + (ext ? 4 : 0);
  for (const s of sets) {
    if (s.length === 0 || s.length > 0xffff) throw new ProtocolError('avc_config_nalu_size', `parameter set of ${s.length} bytes`);
    size += 2 + s.length;
  }
  const out = new Uint8Array(size);
  let pos = 0;
  const put = (b: number): void => {
    out[pos++] = b;
  };
  const putSets = (list: readonly Uint8Array[]): void => {
    for (const s of list) {
      put(s.length >>> 8);
      put(s.length & 0xff);
      out.set(s, pos);
      pos += s.length;
    }
  };
  put(1);
  put(c.profile);
  put(c.compatibility);
  put(c.level);
  put(0xfc | (c.lengthSize - 1));
  put(0xe0 | c.sps.length);
  putSets(c.sps);
  put(c.pps.length);
  putSets(c.pps);
  if (ext) {
    put(0xfc | (ext.chromaFormat & 0x03));
    put(0xf8 | ((ext.bitDepthLuma - 8) & 0x07));
    put(0xf8 | ((ext.bitDepthChroma - 8) & 0x07));
    put(ext.spsExt.length);
    putSets(ext.spsExt);
  }
  return out;
}
