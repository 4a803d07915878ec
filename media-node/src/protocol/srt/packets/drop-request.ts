import { ByteReader, ProtocolError } from '@runnel/shared';
import { seqDiff } from '../seq.ts';
import { CONTROL_TYPE, encodeControl, expectType, readControlHeader, type ControlFields } from './control-header.ts';

/** Message number libsrt puts in a drop request when it drops by sequence only (`SRT_MSGNO_CONTROL`). */
export const DROP_ANY_MESSAGE = 0;

/**
 * Message drop request (draft-sharabayko-srt 3.2.9): the sender no longer has
 * packets `firstSeq..lastSeq` (inclusive) and tells the receiver to stop
 * waiting for them.
 */
export interface DropRequest extends ControlFields {
  readonly kind: 'drop-request';
  readonly messageNumber: number;
  readonly firstSeq: number;
  readonly lastSeq: number;
}

export function decodeDropRequest(datagram: Uint8Array): DropRequest {
  const r = new ByteReader(datagram);
  const h = readControlHeader(r);
  expectType(h, CONTROL_TYPE.dropRequest, 'drop request');
  if (r.remaining < 8) throw new ProtocolError('srt_truncated', `drop request CIF of ${r.remaining} bytes`);
  const firstSeq = r.u32();
  const lastSeq = r.u32();
  if ((firstSeq | lastSeq) & 0x80000000 || seqDiff(firstSeq, lastSeq) < 0) {
    throw new ProtocolError('srt_bad_drop_range', `drop request ${firstSeq}..${lastSeq}`);
  }
  return { kind: 'drop-request', messageNumber: h.typeSpecific, firstSeq, lastSeq, timestamp: h.timestamp, destSocketId: h.destSocketId };
}

export function encodeDropRequest(p: Omit<DropRequest, 'kind'>): Uint8Array {
  const cif = new Uint8Array(8);
  const v = new DataView(cif.buffer);
  v.setUint32(0, p.firstSeq);
  v.setUint32(4, p.lastSeq);
  return encodeControl(CONTROL_TYPE.dropRequest, 0, p.messageNumber, p, cif);
}
