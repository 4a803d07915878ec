import { ByteReader } from '@runnel/shared';
import { CONTROL_TYPE, encodeControl, expectType, readControlHeader, type ControlFields } from './control-header.ts';

/** Keep-alive (draft-sharabayko-srt 3.2.3): sent after 1 s without other traffic. No CIF. */
export interface Keepalive extends ControlFields {
  readonly kind: 'keepalive';
}

export function decodeKeepalive(datagram: Uint8Array): Keepalive {
  const h = readControlHeader(new ByteReader(datagram));
  expectType(h, CONTROL_TYPE.keepalive, 'keepalive');
  return { kind: 'keepalive', timestamp: h.timestamp, destSocketId: h.destSocketId };
}

export function encodeKeepalive(p: Omit<Keepalive, 'kind'>): Uint8Array {
  return encodeControl(CONTROL_TYPE.keepalive, 0, 0, p);
}
