import { ProtocolError } from '@runnel/shared';

/** RFC 6184 5.4 Table 1: the NAL unit types the payload format claims. */
export const H264_RTP = {
  STAP_A: 24,
  STAP_B: 25,
  MTAP16: 26,
  MTAP24: 27,
  FU_A: 28,
  FU_B: 29,
} as const;

/** One fragment of an FU-A (RFC 6184 5.8); `data` follows the FU header. */
export interface FuAFragment {
  readonly start: boolean;
  readonly end: boolean;
  /** The reconstructed NAL unit header: F and NRI of the indicator, type of the FU header. */
  readonly nalHeader: number;
  readonly data: Uint8Array;
}

/** What one RTP payload carries: whole NAL units (single or STAP-A) or one FU-A fragment. */
export type H264Payload = { readonly kind: 'nalus'; readonly nalus: readonly Uint8Array[] } | ({ readonly kind: 'fragment' } & FuAFragment);

/**
 * Parses one H.264 RTP payload (RFC 6184, packetization modes 0 and 1).
 * NAL units are subarrays of the payload. An empty payload, an STAP-A unit of
 * size 0 or past the end (bad-inputs row 37), an FU with both S and E set
 * (5.8 "MUST NOT"), the interleaved-mode types (STAP-B, MTAP, FU-B: mode 2,
 * which we do not offer) and the reserved types 0/30/31 are `ProtocolError`s.
 */
export function parseH264Payload(payload: Uint8Array): H264Payload {
  if (payload.length === 0) throw new ProtocolError('h264_rtp_empty', 'empty H.264 RTP payload');
  const type = payload[0]! & 0x1f;
  if (type >= 1 && type <= 23) return { kind: 'nalus', nalus: [payload] };
  if (type === H264_RTP.STAP_A) return { kind: 'nalus', nalus: splitStapA(payload) };
  if (type === H264_RTP.FU_A) {
    if (payload.length < 2) throw new ProtocolError('h264_rtp_truncated', 'FU-A without FU header');
    const fu = payload[1]!;
    const start = (fu & 0x80) !== 0;
    const end = (fu & 0x40) !== 0;
    if (start && end) throw new ProtocolError('h264_rtp_fu_start_end', 'FU-A with both start and end bits');
    return { kind: 'fragment', start, end, nalHeader: (payload[0]! & 0xe0) | (fu & 0x1f), data: payload.subarray(2) };
  }
  if (type === H264_RTP.STAP_B || type === H264_RTP.MTAP16 || type === H264_RTP.MTAP24 || type === H264_RTP.FU_B) {
    throw new ProtocolError('h264_rtp_interleaved', `RTP packet type ${type} needs packetization-mode 2`);
  }
  throw new ProtocolError('h264_rtp_reserved_type', `reserved NAL unit type ${type} in an RTP payload`);
}

/** RFC 6184 5.7.1: after the STAP-A header byte, units of a 16-bit size and a NAL unit. */
function splitStapA(payload: Uint8Array): Uint8Array[] {
  const out: Uint8Array[] = [];
  let pos = 1;
  while (pos < payload.length) {
    if (payload.length - pos < 2) throw new ProtocolError('h264_rtp_truncated', 'STAP-A unit without size');
    const size = (payload[pos]! << 8) | payload[pos + 1]!;
    pos += 2;
    if (size === 0) throw new ProtocolError('h264_rtp_stap_empty', 'STAP-A unit of size 0');
    if (size > payload.length - pos) throw new ProtocolError('h264_rtp_truncated', `STAP-A unit of ${size} bytes, ${payload.length - pos} left`);
    out.push(payload.subarray(pos, pos + size));
    pos += size;
  }
  if (out.length === 0) throw new ProtocolError('h264_rtp_stap_empty', 'STAP-A without units');
  return out;
}
