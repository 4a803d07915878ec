import { accessUnitToAnnexB } from '../nalu/access-unit.ts';
import type { AnnexBRules } from '../nalu/access-unit.ts';
import { forEachAvccNalu } from '../nalu/avcc.ts';
import type { NaluLengthSize } from '../nalu/avcc.ts';
import type { AvcDecoderConfig } from './avc-config.ts';
import { AVC_NALU, avcNaluType } from './nalu-type.ts';

/**
 * H.264 7.3.2.4 access_unit_delimiter: nal_unit_type 9, primary_pic_type 7
 * ("any slice type") + rbsp stop bit. What FFmpeg's MPEG-TS muxer inserts.
 */
export const AVC_AUD_NALU = Uint8Array.of(0x09, 0xf0);

const AVC_RULES: AnnexBRules = {
  typeOf: avcNaluType,
  aud: AVC_AUD_NALU,
  audType: AVC_NALU.AUD,
  paramTypes: [AVC_NALU.SPS, AVC_NALU.PPS],
  isKey: (type) => type === AVC_NALU.IDR,
};

/**
 * True when a length-prefixed access unit contains an IDR slice (H.264 Table 7-1,
 * type 5): the frame a decoder can start from. Stops at the first IDR; throws
 * a `ProtocolError` on a malformed length prefix before it.
 */
export function isAvcKeyframe(au: Uint8Array, lengthSize: NaluLengthSize): boolean {
  let idr = false;
  forEachAvccNalu(au, lengthSize, (nal) => {
    idr = avcNaluType(nal) === AVC_NALU.IDR;
    return idr;
  });
  return idr;
}

/**
 * Converts one length-prefixed (AVCC) access unit to an Annex B access unit
 * for MPEG-TS (ISO/IEC 13818-1 2.14.1: every H.264 access unit in TS starts
 * with an AUD): one AUD first, and before an IDR whose access unit lacks an
 * SPS or PPS, those of `config` right after the AUD, so a player joining at
 * this segment can decode (what FFmpeg's h264_mp4toannexb does). Returns one
 * new buffer; the input is not modified.
 *
 * @example
 * const pes = avccToAnnexB(frame.subarray(5), cfg); // FLV VIDEODATA after the 5-byte AVC header
 */
export function avccToAnnexB(au: Uint8Array, config: Pick<AvcDecoderConfig, 'lengthSize' | 'sps' | 'pps'>): Uint8Array {
  return accessUnitToAnnexB(au, config.lengthSize, [...config.sps, ...config.pps], AVC_RULES);
}
