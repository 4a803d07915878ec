import { ProtocolError } from '@runnel/shared';

/** RTCP packet type of payload-specific feedback (RFC 4585 6.1). */
export const RTCP_PSFB = 206;
/** RFC 4585 6.3.1: FMT of Picture Loss Indication. */
export const PSFB_PLI = 1;

/** RFC 4585 6.3.1 Picture Loss Indication: the receiver wants a keyframe. */
export interface RtcpPli {
  readonly type: 'pli';
  readonly senderSsrc: number;
  readonly mediaSsrc: number;
}

/** A PLI has no FCI; trailing bytes are tolerated and ignored. */
export function decodePli(body: Uint8Array): RtcpPli {
  if (body.length < 8) throw new ProtocolError('rtcp_truncated', `PLI body of ${body.length} bytes`);
  const v = new DataView(body.buffer, body.byteOffset, body.byteLength);
  return { type: 'pli', senderSsrc: v.getUint32(0), mediaSsrc: v.getUint32(4) };
}

export function encodePli(p: RtcpPli): [number, Uint8Array] {
  const body = new Uint8Array(8);
  const v = new DataView(body.buffer);
  v.setUint32(0, p.senderSsrc >>> 0);
  v.setUint32(4, p.mediaSsrc >>> 0);
  return [PSFB_PLI, body];
}
