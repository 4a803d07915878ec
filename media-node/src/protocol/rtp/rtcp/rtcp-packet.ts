import { ProtocolError } from '@runnel/shared';
import { MAX_RTCP_PACKETS_PER_COMPOUND, MAX_RTP_PACKET_BYTES } from '../limits.ts';
import { RTCP_BYE, decodeBye, encodeBye } from './bye.ts';
import type { RtcpBye } from './bye.ts';
import { PSFB_FIR, decodeFir, encodeFir } from './fir.ts';
import type { RtcpFir } from './fir.ts';
import { RTCP_RTPFB, RTPFB_NACK, decodeNack, encodeNack } from './nack.ts';
import type { RtcpNack } from './nack.ts';
import { PSFB_PLI, RTCP_PSFB, decodePli, encodePli } from './pli.ts';
import type { RtcpPli } from './pli.ts';
import { RTCP_RR, decodeReceiverReport, encodeReceiverReport } from './receiver-report.ts';
import type { RtcpReceiverReport } from './receiver-report.ts';
import { PSFB_AFB, decodeRemb, encodeRemb, isRemb } from './remb.ts';
import type { RtcpRemb } from './remb.ts';
import { RTCP_SDES, decodeSdes, encodeSdes } from './sdes.ts';
import type { RtcpSdes } from './sdes.ts';
import { RTCP_SR, decodeSenderReport, encodeSenderReport } from './sender-report.ts';
import type { RtcpSenderReport } from './sender-report.ts';

/**
 * Any RTCP packet we do not interpret (APP, XR, transport-cc, other AFB ...),
 * kept raw so it can be counted, logged or forwarded.
 */
export interface RtcpOther {
  readonly type: 'other';
  readonly packetType: number;
  /** The 5-bit count / FMT field. */
  readonly count: number;
  readonly body: Uint8Array;
}

export type RtcpPacket =
  | RtcpSenderReport
  | RtcpReceiverReport
  | RtcpSdes
  | RtcpBye
  | RtcpNack
  | RtcpPli
  | RtcpFir
  | RtcpRemb
  | RtcpOther;

/** RFC 3550 6.4.1: every RTCP packet starts with a 4-byte common header. */
const RTCP_HEADER_BYTES = 4;

/**
 * Tells RTP from RTCP on a muxed port (RFC 5761 4): RTCP packet types 192-223
 * land in the second byte where an RTP marker + payload type would be 64-95.
 */
export function isRtcpPacket(b: Uint8Array): boolean {
  return b.length >= RTCP_HEADER_BYTES && b[0]! >>> 6 === 2 && b[1]! >= 192 && b[1]! <= 223;
}

/**
 * Decodes a compound RTCP packet (RFC 3550 6.1) after SRTCP decryption. Every
 * packet's length must fit what is left; a malformed packet anywhere is a
 * `ProtocolError` for the whole datagram, as libwebrtc drops it. A compound
 * that does not start with SR/RR is accepted (RFC 5506 reduced-size RTCP).
 *
 * @example
 * for (const p of decodeRtcpCompound(datagram)) if (p.type === 'pli') requestKeyframe(p.mediaSsrc);
 */
export function decodeRtcpCompound(b: Uint8Array): RtcpPacket[] {
  if (b.length > MAX_RTP_PACKET_BYTES) throw new ProtocolError('rtcp_too_large', `RTCP datagram of ${b.length} bytes`);
  if (b.length === 0) throw new ProtocolError('rtcp_truncated', 'empty RTCP datagram');
  const out: RtcpPacket[] = [];
  let pos = 0;
  while (pos < b.length) {
    if (b.length - pos < RTCP_HEADER_BYTES) throw new ProtocolError('rtcp_truncated', `${b.length - pos} bytes after the last RTCP packet`);
    if (out.length >= MAX_RTCP_PACKETS_PER_COMPOUND) throw new ProtocolError('rtcp_too_many_packets', `more than ${MAX_RTCP_PACKETS_PER_COMPOUND} packets in one compound`);
    const b0 = b[pos]!;
    if (b0 >>> 6 !== 2) throw new ProtocolError('rtcp_version', `RTCP version ${b0 >>> 6}`);
    const count = b0 & 0x1f;
    const packetType = b[pos + 1]!;
    const size = (((b[pos + 2]! << 8) | b[pos + 3]!) + 1) * 4;
    if (size > b.length - pos) throw new ProtocolError('rtcp_truncated', `RTCP packet of ${size} bytes, ${b.length - pos} left`);
    let end = pos + size;
    if (b0 & 0x20) {
      // RFC 3550 6.4.1: the last octet counts the padding, itself included.
      const padding = b[end - 1]!;
      if (padding === 0 || padding > size - RTCP_HEADER_BYTES) throw new ProtocolError('rtcp_bad_padding', `RTCP padding ${padding}`);
      end -= padding;
    }
    out.push(decodeBody(packetType, count, b.subarray(pos + RTCP_HEADER_BYTES, end)));
    pos += size;
  }
  return out;
}

function decodeBody(packetType: number, count: number, body: Uint8Array): RtcpPacket {
  switch (packetType) {
    case RTCP_SR:
      return decodeSenderReport(count, body);
    case RTCP_RR:
      return decodeReceiverReport(count, body);
    case RTCP_SDES:
      return decodeSdes(count, body);
    case RTCP_BYE:
      return decodeBye(count, body);
    case RTCP_RTPFB:
      if (count === RTPFB_NACK) return decodeNack(body);
      break;
    case RTCP_PSFB:
      if (count === PSFB_PLI) return decodePli(body);
      if (count === PSFB_FIR) return decodeFir(body);
      if (count === PSFB_AFB && isRemb(body)) return decodeRemb(body);
      break;
  }
  return { type: 'other', packetType, count, body };
}

function encodeBody(p: RtcpPacket): [number, number, Uint8Array] {
  switch (p.type) {
    case 'sr':
      return [RTCP_SR, ...encodeSenderReport(p)];
    case 'rr':
      return [RTCP_RR, ...encodeReceiverReport(p)];
    case 'sdes':
      return [RTCP_SDES, ...encodeSdes(p)];
    case 'bye':
      return [RTCP_BYE, ...encodeBye(p)];
    case 'nack':
      return [RTCP_RTPFB, ...encodeNack(p)];
    case 'pli':
      return [RTCP_PSFB, ...encodePli(p)];
    case 'fir':
      return [RTCP_PSFB, ...encodeFir(p)];
    case 'remb':
      return [RTCP_PSFB, ...encodeRemb(p)];
    case 'other':
      if (p.body.length % 4 !== 0) throw new ProtocolError('rtcp_field_range', `raw RTCP body of ${p.body.length} bytes is not 32-bit aligned`);
      return [p.packetType, p.count, p.body];
  }
}

/** Encodes packets back to back into one compound datagram; the inverse of `decodeRtcpCompound`. */
export function encodeRtcpCompound(packets: readonly RtcpPacket[]): Uint8Array {
  const parts = packets.map(encodeBody);
  const size = parts.reduce((n, [, , body]) => n + RTCP_HEADER_BYTES + body.length, 0);
  if (size > MAX_RTP_PACKET_BYTES) throw new ProtocolError('rtcp_too_large', `RTCP compound of ${size} bytes`);
  const out = new Uint8Array(size);
  let pos = 0;
  for (const [packetType, count, body] of parts) {
    if (count > 31) throw new ProtocolError('rtcp_count', `RTCP count ${count} (0..31)`);
    const words = body.length / 4;
    out[pos] = 0x80 | count;
    out[pos + 1] = packetType;
    out[pos + 2] = words >>> 8;
    out[pos + 3] = words & 0xff;
    out.set(body, pos + RTCP_HEADER_BYTES);
    pos += RTCP_HEADER_BYTES + body.length;
  }
  return out;
}
