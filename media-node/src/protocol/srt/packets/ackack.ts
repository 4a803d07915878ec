import { ByteReader } from '@runnel/shared';
import { CONTROL_TYPE, encodeControl, expectType, readControlHeader, type ControlFields } from './control-header.ts';

/**
 * ACKACK (draft-sharabayko-srt 3.2.8): echoes the number of a full ACK so the
 * ACK's sender can measure the round trip time. No CIF.
 */
export interface AckAck extends ControlFields {
  readonly kind: 'ackack';
  readonly ackNumber: number;
}

export function decodeAckAck(datagram: Uint8Array): AckAck {
  const h = readControlHeader(new ByteReader(datagram));
  expectType(h, CONTROL_TYPE.ackack, 'ACKACK');
  return { kind: 'ackack', ackNumber: h.typeSpecific, timestamp: h.timestamp, destSocketId: h.destSocketId };
}

export function encodeAckAck(p: Omit<AckAck, 'kind'>): Uint8Array {
  return encodeControl(CONTROL_TYPE.ackack, 0, p.ackNumber, p);
}
