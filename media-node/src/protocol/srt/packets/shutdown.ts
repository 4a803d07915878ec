import { ByteReader } from '@runnel/shared';
import { CONTROL_TYPE, encodeControl, expectType, readControlHeader, type ControlFields } from './control-header.ts';

/** Shutdown (draft-sharabayko-srt 3.2.7): the peer closed the connection. No CIF. */
export interface Shutdown extends ControlFields {
  readonly kind: 'shutdown';
}

export function decodeShutdown(datagram: Uint8Array): Shutdown {
  const h = readControlHeader(new ByteReader(datagram));
  expectType(h, CONTROL_TYPE.shutdown, 'shutdown');
  return { kind: 'shutdown', timestamp: h.timestamp, destSocketId: h.destSocketId };
}

export function encodeShutdown(p: Omit<Shutdown, 'kind'>): Uint8Array {
  return encodeControl(CONTROL_TYPE.shutdown, 0, 0, p);
}
