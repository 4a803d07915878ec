import { ProtocolError } from '@runnel/shared';
import { MAX_NACK_ITEMS } from '../limits.ts';

/** RTCP packet type of transport-layer feedback (RFC 4585 6.1). */
export const RTCP_RTPFB = 205;
/** RFC 4585 6.2.1: FMT of the generic NACK. */
export const RTPFB_NACK = 1;

/**
 * RFC 4585 6.2.1 Generic NACK: the sequence numbers a receiver lost, expanded
 * from the PID + BLP pairs in wire order (PID first, then BLP bits from the
 * least significant).
 */
export interface RtcpNack {
  readonly type: 'nack';
  readonly senderSsrc: number;
  readonly mediaSsrc: number;
  readonly lost: readonly number[];
}

export function decodeNack(body: Uint8Array): RtcpNack {
  if (body.length < 8 || body.length % 4 !== 0) throw new ProtocolError('rtcp_truncated', `NACK body of ${body.length} bytes`);
  const items = (body.length - 8) / 4;
  if (items > MAX_NACK_ITEMS) throw new ProtocolError('rtcp_nack_too_long', `${items} NACK items (max ${MAX_NACK_ITEMS})`);
  const v = new DataView(body.buffer, body.byteOffset, body.byteLength);
  const lost: number[] = [];
  for (let pos = 8; pos < body.length; pos += 4) {
    const pid = v.getUint16(pos);
    const blp = v.getUint16(pos + 2);
    lost.push(pid);
    for (let bit = 0; bit < 16; bit++) if (blp & (1 << bit)) lost.push((pid + bit + 1) & 0xffff);
  }
  return { type: 'nack', senderSsrc: v.getUint32(0), mediaSsrc: v.getUint32(4), lost };
}

/**
 * Packs the lost sequence numbers greedily in the order given: each PID takes
 * the numbers 1..16 after it (mod 2^16) that follow it in the list.
 */
export function encodeNack(p: RtcpNack): [number, Uint8Array] {
  const pairs: number[] = [];
  let i = 0;
  while (i < p.lost.length) {
    const pid = p.lost[i]! & 0xffff;
    let blp = 0;
    i++;
    while (i < p.lost.length) {
      const d = ((p.lost[i]! - pid) & 0xffff) - 1;
      if (d < 0 || d > 15 || blp >>> d !== 0) break;
      blp |= 1 << d;
      i++;
    }
    pairs.push(pid, blp);
  }
  if (pairs.length / 2 > MAX_NACK_ITEMS) throw new ProtocolError('rtcp_nack_too_long', `${pairs.length / 2} NACK items (max ${MAX_NACK_ITEMS})`);
  const body = new Uint8Array(8 + pairs.length * 2);
  const v = new DataView(body.buffer);
  v.setUint32(0, p.senderSsrc >>> 0);
  v.setUint32(4, p.mediaSsrc >>> 0);
  for (let k = 0; k < pairs.length; k++) v.setUint16(8 + k * 2, pairs[k]!);
  return [RTPFB_NACK, body];
}
