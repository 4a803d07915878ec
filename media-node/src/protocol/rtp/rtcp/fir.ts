import { ProtocolError } from '@runnel/shared';
import { MAX_FIR_ENTRIES } from '../limits.ts';

/** RFC 5104 4.3.1: FMT of Full Intra Request (payload-specific feedback). */
export const PSFB_FIR = 4;

/** One FIR FCI entry: the sender asked for a keyframe and its command sequence number. */
export interface FirEntry {
  readonly ssrc: number;
  /** 8 bits, incremented per new request (RFC 5104 4.3.1.1). */
  readonly sequence: number;
}

/**
 * RFC 5104 4.3.1 Full Intra Request. The media source SSRC of the common
 * header is unused (SHALL be 0, 4.3.1.2); the targets are the entries.
 */
export interface RtcpFir {
  readonly type: 'fir';
  readonly senderSsrc: number;
  readonly mediaSsrc: number;
  readonly entries: readonly FirEntry[];
}

export function decodeFir(body: Uint8Array): RtcpFir {
  if (body.length < 8 || (body.length - 8) % 8 !== 0) throw new ProtocolError('rtcp_truncated', `FIR body of ${body.length} bytes`);
  const n = (body.length - 8) / 8;
  if (n > MAX_FIR_ENTRIES) throw new ProtocolError('rtcp_fir_too_long', `${n} FIR entries (max ${MAX_FIR_ENTRIES})`);
  const v = new DataView(body.buffer, body.byteOffset, body.byteLength);
  const entries: FirEntry[] = [];
  for (let pos = 8; pos < body.length; pos += 8) entries.push({ ssrc: v.getUint32(pos), sequence: v.getUint8(pos + 4) });
  return { type: 'fir', senderSsrc: v.getUint32(0), mediaSsrc: v.getUint32(4), entries };
}

export function encodeFir(p: RtcpFir): [number, Uint8Array] {
  if (p.entries.length > MAX_FIR_ENTRIES) throw new ProtocolError('rtcp_fir_too_long', `${p.entries.length} FIR entries`);
  const body = new Uint8Array(8 + p.entries.length * 8);
  const v = new DataView(body.buffer);
  v.setUint32(0, p.senderSsrc >>> 0);
  v.setUint32(4, p.mediaSsrc >>> 0);
  p.entries.forEach((e, i) => {
    v.setUint32(8 + i * 8, e.ssrc >>> 0);
    v.setUint8(12 + i * 8, e.sequence & 0xff);
  });
  return [PSFB_FIR, body];
}
