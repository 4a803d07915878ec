import { ByteReader } from '@runnel/shared';
import { CONTROL_TYPE, encodeControl, expectType, readControlHeader, type ControlFields } from './control-header.ts';

/**
 * Subtypes libsrt uses in user-defined packets: the SRT extensions of a
 * version 4 handshake travel this way after the UDT handshake
 * (draft-sharabayko-srt 3.2.2, 4.3.1.1; libsrt `SRT_CMD_*`).
 */
export const USER_SUBTYPE = { hsreq: 1, hsrsp: 2, kmreq: 3, kmrsp: 4 } as const;

/** User-defined control packet (type 0x7FFF, draft-sharabayko-srt 3.2). The CIF stays raw. */
export interface UserDefined extends ControlFields {
  readonly kind: 'user-defined';
  readonly subtype: number;
  readonly typeSpecific: number;
  /** A view into the datagram. */
  readonly cif: Uint8Array;
}

export function decodeUserDefined(datagram: Uint8Array): UserDefined {
  const r = new ByteReader(datagram);
  const h = readControlHeader(r);
  expectType(h, CONTROL_TYPE.userDefined, 'user-defined');
  return {
    kind: 'user-defined',
    subtype: h.subtype,
    typeSpecific: h.typeSpecific,
    cif: r.rest(),
    timestamp: h.timestamp,
    destSocketId: h.destSocketId,
  };
}

export function encodeUserDefined(p: Omit<UserDefined, 'kind'>): Uint8Array {
  return encodeControl(CONTROL_TYPE.userDefined, p.subtype, p.typeSpecific, p, p.cif);
}
