import { forEachAvccNalu } from '../nalu/avcc.ts';
import type { NaluLengthSize } from '../nalu/avcc.ts';
import { joinAnnexB } from '../nalu/annexb.ts';
import type { AvcDecoderConfig } from './avc-config.ts';
import { AVC_NALU } from './nalu-type.ts';

/**
 * H.264 7.3.2.4 access_unit_delimiter: nal_unit_type 9, primary_pic_type 7
 * ("any slice type") + rbsp stop bit. What FFmpeg's MPEG-TS muxer inserts.
 */
export const AVC_AUD_NALU = Uint8Array.of(0x09, 0xf0);

/**
 * True when a length-prefixed access unit contains an IDR slice (H.264 Table 7-1,
 * type 5): the frame a decoder can start from. Stops at the first IDR; throws
 * a `ProtocolError` on a malformed length prefix before it.
 */
export function isAvcKeyframe(au: Uint8Array, lengthSize: NaluLengthSize): boolean {
  let idr = false;
  forEachAvccNalu(au, lengthSize, (nal) => {
    idr = (nal[0]! & 0x1f) === AVC_NALU.IDR;
    return idr;
  });
  return idr;
}

/**
 * Converts one length-prefixed (AVCC) access unit to an Annex B access unit
 * for MPEG-TS (ISO/IEC 13818-1 2.14 requires Annex B with an AUD in every
 * H.264 PES): writes one AUD first (dropping any the input carried, since a
 * second AUD would start a new access unit), and before an IDR whose access
 * unit lacks an SPS or PPS, inserts those of `config` right after the AUD so a
 * player joining at this segment can decode (what FFmpeg's h264_mp4toannexb
 * does). Returns one new buffer; the input is not modified.
 *
 * @example
 * const pes = avccToAnnexB(frame.subarray(5), cfg); // FLV VIDEODATA after the 5-byte AVC header
 */
export function avccToAnnexB(au: Uint8Array, config: Pick<AvcDecoderConfig, 'lengthSize' | 'sps' | 'pps'>): Uint8Array {
  const nalus: Uint8Array[] = [];
  let hasSps = false;
  let hasPps = false;
  let hasIdr = false;
  forEachAvccNalu(au, config.lengthSize, (nal) => {
    const type = nal[0]! & 0x1f;
    if (type === AVC_NALU.AUD) return;
    if (type === AVC_NALU.SPS) hasSps = true;
    else if (type === AVC_NALU.PPS) hasPps = true;
    else if (type === AVC_NALU.IDR) hasIdr = true;
    nalus.push(nal);
  });
  const parts: Uint8Array[] = [AVC_AUD_NALU];
  if (hasIdr && !(hasSps && hasPps)) parts.push(...config.sps, ...config.pps);
  parts.push(...nalus);
  return joinAnnexB(parts);
}
