import { ByteReader } from '@runnel/shared';
import { CONTROL_TYPE, encodeControl, expectType, readControlHeader, type ControlFields } from './control-header.ts';

/**
 * Congestion warning (draft-sharabayko-srt 3.2.6): a legacy UDT signal that
 * libsrt no longer sends (the call is commented out in core.cpp) and ignores
 * in live mode. Decoded so that it is not an error. No CIF.
 */
export interface CongestionWarning extends ControlFields {
  readonly kind: 'congestion-warning';
}

export function decodeCongestionWarning(datagram: Uint8Array): CongestionWarning {
  const h = readControlHeader(new ByteReader(datagram));
  expectType(h, CONTROL_TYPE.congestionWarning, 'congestion warning');
  return { kind: 'congestion-warning', timestamp: h.timestamp, destSocketId: h.destSocketId };
}

export function encodeCongestionWarning(p: Omit<CongestionWarning, 'kind'>): Uint8Array {
  return encodeControl(CONTROL_TYPE.congestionWarning, 0, 0, p);
}
