import { ProtocolError } from '@runnel/shared';

/** RTCP packet type of goodbye (RFC 3550 12.1). */
export const RTCP_BYE = 203;

/** RFC 3550 6.6 Goodbye; `reason` is the optional text, raw. */
export interface RtcpBye {
  readonly type: 'bye';
  readonly ssrcs: readonly number[];
  readonly reason?: Uint8Array;
}

export function decodeBye(count: number, body: Uint8Array): RtcpBye {
  if (count * 4 > body.length) throw new ProtocolError('rtcp_truncated', `BYE with ${count} SSRCs in ${body.length} bytes`);
  const v = new DataView(body.buffer, body.byteOffset, body.byteLength);
  const ssrcs: number[] = [];
  for (let i = 0; i < count; i++) ssrcs.push(v.getUint32(i * 4));
  const pos = count * 4;
  if (pos >= body.length) return { type: 'bye', ssrcs };
  const len = body[pos]!;
  if (pos + 1 + len > body.length) throw new ProtocolError('rtcp_truncated', `BYE reason of ${len} bytes`);
  return { type: 'bye', ssrcs, reason: body.subarray(pos + 1, pos + 1 + len) };
}

export function encodeBye(p: RtcpBye): [number, Uint8Array] {
  if (p.ssrcs.length > 31) throw new ProtocolError('rtcp_count', `${p.ssrcs.length} BYE SSRCs (0..31)`);
  const reason = p.reason;
  if (reason && reason.length > 255) throw new ProtocolError('rtcp_field_range', `BYE reason of ${reason.length} bytes (0..255)`);
  const size = p.ssrcs.length * 4 + (reason ? (1 + reason.length + 3) & ~3 : 0);
  const body = new Uint8Array(size);
  const v = new DataView(body.buffer);
  p.ssrcs.forEach((s, i) => v.setUint32(i * 4, s >>> 0));
  if (reason) {
    body[p.ssrcs.length * 4] = reason.length;
    body.set(reason, p.ssrcs.length * 4 + 1);
  }
  return [p.ssrcs.length, body];
}
