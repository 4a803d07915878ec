import { ProtocolError } from '@runnel/shared';
import { MAX_REMB_SSRCS } from '../limits.ts';

/** RFC 4585 6.4: FMT of Application Layer Feedback, which REMB uses. */
export const PSFB_AFB = 15;
/** draft-alvestrand-rmcat-remb 2.2: the unique identifier 'REMB'. */
const REMB_ID = 0x52454d42;

/**
 * Receiver Estimated Maximum Bitrate (draft-alvestrand-rmcat-remb-03 2.2),
 * sent by browsers that have not switched to transport-cc. Tolerated: we read
 * it so it can be logged or ignored, nothing depends on it.
 */
export interface RtcpRemb {
  readonly type: 'remb';
  readonly senderSsrc: number;
  /** Bits per second: mantissa (18 bits) * 2^exp (6 bits). */
  readonly bitrate: number;
  readonly ssrcs: readonly number[];
}

/** True when an AFB body carries the 'REMB' identifier (other AFB messages stay raw). */
export function isRemb(body: Uint8Array): boolean {
  return body.length >= 12 && new DataView(body.buffer, body.byteOffset, body.byteLength).getUint32(8) === REMB_ID;
}

export function decodeRemb(body: Uint8Array): RtcpRemb {
  if (body.length < 16) throw new ProtocolError('rtcp_truncated', `REMB body of ${body.length} bytes`);
  const v = new DataView(body.buffer, body.byteOffset, body.byteLength);
  const n = body[12]!;
  if (16 + n * 4 > body.length) throw new ProtocolError('rtcp_truncated', `REMB with ${n} SSRCs in ${body.length} bytes`);
  const exp = body[13]! >>> 2;
  const mantissa = ((body[13]! & 0x03) << 16) | v.getUint16(14);
  const ssrcs: number[] = [];
  for (let i = 0; i < n; i++) ssrcs.push(v.getUint32(16 + i * 4));
  return { type: 'remb', senderSsrc: v.getUint32(0), bitrate: mantissa * 2 ** exp, ssrcs };
}

/** Encodes with the smallest exponent that fits; low bits of a huge bitrate are rounded down. */
export function encodeRemb(p: RtcpRemb): [number, Uint8Array] {
  if (p.ssrcs.length > MAX_REMB_SSRCS) throw new ProtocolError('rtcp_count', `${p.ssrcs.length} REMB SSRCs`);
  if (!Number.isSafeInteger(p.bitrate) || p.bitrate < 0) throw new ProtocolError('rtcp_field_range', `REMB bitrate ${p.bitrate}`);
  let exp = 0;
  while (p.bitrate >= 0x40000 * 2 ** exp) exp++;
  const mantissa = Math.floor(p.bitrate / 2 ** exp);
  const body = new Uint8Array(16 + p.ssrcs.length * 4);
  const v = new DataView(body.buffer);
  v.setUint32(0, p.senderSsrc >>> 0);
  v.setUint32(8, REMB_ID);
  body[12] = p.ssrcs.length;
  body[13] = (exp << 2) | (mantissa >>> 16);
  v.setUint16(14, mantissa & 0xffff);
  p.ssrcs.forEach((s, i) => v.setUint32(16 + i * 4, s >>> 0));
  return [PSFB_AFB, body];
}
