import { ByteReader } from '@runnel/shared';
import { CONTROL_TYPE, encodeControl, expectType, readControlHeader, type ControlFields } from './control-header.ts';

/**
 * Peer error (draft-sharabayko-srt 3.2.10): the peer hit an error it cannot
 * recover from; libsrt sends 4000 when its file-mode receiver fails to write.
 * The connection is then broken. No CIF.
 */
export interface PeerError extends ControlFields {
  readonly kind: 'peer-error';
  readonly errorCode: number;
}

export function decodePeerError(datagram: Uint8Array): PeerError {
  const h = readControlHeader(new ByteReader(datagram));
  expectType(h, CONTROL_TYPE.peerError, 'peer error');
  return { kind: 'peer-error', errorCode: h.typeSpecific, timestamp: h.timestamp, destSocketId: h.destSocketId };
}

export function encodePeerError(p: Omit<PeerError, 'kind'>): Uint8Array {
  return encodeControl(CONTROL_TYPE.peerError, 0, p.errorCode, p);
}
