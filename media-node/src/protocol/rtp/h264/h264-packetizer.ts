import { ProtocolError } from '@runnel/shared';
import { AVC_NALU, avcNaluType } from '../../../codec/h264/nalu-type.ts';
import { splitAvcc } from '../../../codec/nalu/avcc.ts';
import type { NaluLengthSize } from '../../../codec/nalu/avcc.ts';
import { DEFAULT_RTP_PAYLOAD_BYTES, MAX_RTP_PACKET_BYTES } from '../limits.ts';
import { H264_RTP } from './h264-payload.ts';

export interface H264PacketizeOptions {
  /** Largest RTP payload to produce; default `DEFAULT_RTP_PAYLOAD_BYTES` (1 200). */
  readonly maxPayloadBytes?: number;
  /**
   * RFC 6184 6.2/6.3: mode 0 sends every NAL unit in its own packet (one that
   * does not fit is a `ProtocolError`); mode 1 (default) adds STAP-A and FU-A.
   */
  readonly packetizationMode?: 0 | 1;
}

/** The parameter sets to put before keyframes (an `AvcDecoderConfig` has them). */
export interface H264ParameterSets {
  readonly sps: readonly Uint8Array[];
  readonly pps: readonly Uint8Array[];
}

/** FU indicator + FU header (RFC 6184 5.8). */
const FU_A_OVERHEAD = 2;
/** STAP-A header (RFC 6184 5.7.1). */
const STAP_A_HEADER = 1;
/** NAL unit size field of an STAP-A aggregation unit. */
const STAP_A_UNIT_SIZE = 2;

/**
 * Splits one access unit into H.264 RTP payloads (RFC 6184). `au` is the
 * length-prefixed access unit of an FLV VIDEODATA body (after its 5-byte AVC
 * header). Before a keyframe (an IDR slice) that does not carry its own SPS
 * and PPS, those of `params` are inserted (after a leading AUD, H.264
 * 7.4.1.2.3), so a player can start at any keyframe. Small NAL units that fit
 * together are aggregated into STAP-A, a NAL unit larger than the payload
 * limit is cut into FU-A fragments, anything else goes as a single NAL unit
 * packet (a subarray of `au`, no copy).
 *
 * The caller sets the RTP marker bit on the last payload (RFC 6184 5.1: the
 * last packet of the access unit) and gives every payload the same timestamp.
 * NAL types 0 and 24-31 (unspecified in H.264 Table 7-1; RFC 6184 5.4 uses
 * them for its own packet types, so they cannot travel) are left out.
 *
 * @example
 * const payloads = packetizeH264(body.subarray(5), 4, config);
 * payloads.forEach((p, i) => send(p, i === payloads.length - 1));
 */
export function packetizeH264(
  au: Uint8Array,
  lengthSize: NaluLengthSize,
  params: H264ParameterSets | undefined,
  opts: H264PacketizeOptions = {},
): Uint8Array[] {
  const max = opts.maxPayloadBytes ?? DEFAULT_RTP_PAYLOAD_BYTES;
  if (!Number.isInteger(max) || max < FU_A_OVERHEAD + 1 || max > MAX_RTP_PACKET_BYTES) {
    throw new ProtocolError('h264_rtp_mtu', `payload limit ${max}`);
  }
  const nalus = withParameterSets(splitAvcc(au, lengthSize), params).filter((n) => {
    const t = avcNaluType(n);
    return t >= 1 && t <= 23;
  });
  const out: Uint8Array[] = [];
  if (opts.packetizationMode === 0) {
    for (const n of nalus) {
      if (n.length > max) throw new ProtocolError('h264_rtp_nalu_too_large', `NAL unit of ${n.length} bytes > ${max} in packetization-mode 0`);
      out.push(n);
    }
    return out;
  }
  let group: Uint8Array[] = [];
  let groupSize = STAP_A_HEADER;
  const flush = (): void => {
    if (group.length === 1) out.push(group[0]!);
    else if (group.length > 1) out.push(stapA(group, groupSize));
    group = [];
    groupSize = STAP_A_HEADER;
  };
  for (const n of nalus) {
    if (n.length > max) {
      flush();
      fuA(n, max, out);
      continue;
    }
    const unit = STAP_A_UNIT_SIZE + n.length;
    // A NAL unit alone needs only its own bytes; it joins a group only if the STAP-A still fits.
    if (group.length > 0 && groupSize + unit > max) flush();
    group.push(n);
    groupSize += unit;
  }
  flush();
  return out;
}

function withParameterSets(nalus: Uint8Array[], params: H264ParameterSets | undefined): Uint8Array[] {
  if (!params) return nalus;
  let idr = false;
  let sps = false;
  let pps = false;
  for (const n of nalus) {
    const t = avcNaluType(n);
    if (t === AVC_NALU.IDR) idr = true;
    else if (t === AVC_NALU.SPS) sps = true;
    else if (t === AVC_NALU.PPS) pps = true;
  }
  if (!idr || (sps && pps)) return nalus;
  const at = nalus.length > 0 && avcNaluType(nalus[0]!) === AVC_NALU.AUD ? 1 : 0;
  return [...nalus.slice(0, at), ...params.sps, ...params.pps, ...nalus.slice(at)];
}

/** RFC 6184 5.7.1: F is the OR and NRI the maximum of the aggregated units. */
function stapA(group: readonly Uint8Array[], size: number): Uint8Array {
  const out = new Uint8Array(size);
  let f = 0;
  let nri = 0;
  let pos = STAP_A_HEADER;
  for (const n of group) {
    f |= n[0]! & 0x80;
    nri = Math.max(nri, n[0]! & 0x60);
    out[pos] = n.length >>> 8;
    out[pos + 1] = n.length & 0xff;
    out.set(n, pos + STAP_A_UNIT_SIZE);
    pos += STAP_A_UNIT_SIZE + n.length;
  }
  out[0] = f | nri | H264_RTP.STAP_A;
  return out;
}

/** RFC 6184 5.8: the NAL header moves into the FU indicator/header; the rest is cut in order. */
function fuA(nal: Uint8Array, max: number, out: Uint8Array[]): void {
  const indicator = (nal[0]! & 0xe0) | H264_RTP.FU_A;
  const type = nal[0]! & 0x1f;
  const chunk = max - FU_A_OVERHEAD;
  for (let pos = 1; pos < nal.length; pos += chunk) {
    const end = Math.min(pos + chunk, nal.length);
    const p = new Uint8Array(FU_A_OVERHEAD + end - pos);
    p[0] = indicator;
    p[1] = (pos === 1 ? 0x80 : 0) | (end === nal.length ? 0x40 : 0) | type;
    p.set(nal.subarray(pos, end), FU_A_OVERHEAD);
    out.push(p);
  }
}
