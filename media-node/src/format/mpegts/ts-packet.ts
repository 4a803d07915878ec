import { ProtocolError } from '@runnel/shared';
import { TS_PACKET_SIZE, TS_SYNC_BYTE } from './constants.ts';

/**
 * One 188-byte transport packet (ISO/IEC 13818-1 2.4.3.2, Table 2-2) with
 * its adaptation field (2.4.3.4, Table 2-6).
 */
export interface TsPacket {
  readonly pid: number;
  readonly transportError: boolean;
  readonly payloadUnitStart: boolean;
  /** transport_scrambling_control; non-zero means we cannot read the payload. */
  readonly scrambling: number;
  readonly continuityCounter: number;
  readonly hasPayload: boolean;
  readonly adaptation?: AdaptationField;
  /** The payload bytes (a view of the packet); empty when there is none. */
  readonly payload: Uint8Array;
}

export interface AdaptationField {
  readonly discontinuity: boolean;
  readonly randomAccess: boolean;
  /** program_clock_reference in 27 MHz ticks (base * 300 + extension). */
  readonly pcr?: number;
}

/** Decodes one packet (the first 188 bytes of `p`); ProtocolError on a bad sync byte or adaptation_field_length. */
export function decodeTsPacket(p: Uint8Array): TsPacket {
  if (p.length < TS_PACKET_SIZE) throw new ProtocolError('truncated', 'truncated TS packet');
  if (p[0] !== TS_SYNC_BYTE) throw new ProtocolError('ts_lost_sync', `TS packet starts with 0x${p[0]!.toString(16)}, not 0x47`);
  const b1 = p[1]!;
  const b3 = p[3]!;
  const control = (b3 >> 4) & 3; // adaptation_field_control: 1 payload, 2 AF only, 3 both, 0 reserved
  let pos = 4;
  let adaptation: AdaptationField | undefined;
  if (control & 2) {
    const len = p[4]!;
    // 2.4.3.5: 0..182 when a payload follows, exactly 183 when the AF fills the packet.
    if (control === 3 ? len > 182 : len !== 183) {
      throw new ProtocolError('ts_bad_adaptation_field', `adaptation_field_length ${len} with adaptation_field_control ${control}`);
    }
    adaptation = len > 0 ? decodeAdaptation(p, len) : { discontinuity: false, randomAccess: false };
    pos = 5 + len;
  }
  const hasPayload = (control & 1) === 1;
  return {
    pid: ((b1 & 0x1f) << 8) | p[2]!,
    transportError: (b1 & 0x80) !== 0,
    payloadUnitStart: (b1 & 0x40) !== 0,
    scrambling: b3 >> 6,
    continuityCounter: b3 & 0x0f,
    hasPayload,
    ...(adaptation ? { adaptation } : {}),
    payload: hasPayload ? p.subarray(pos, TS_PACKET_SIZE) : p.subarray(TS_PACKET_SIZE, TS_PACKET_SIZE),
  };
}

function decodeAdaptation(p: Uint8Array, len: number): AdaptationField {
  const flags = p[5]!;
  const af: { discontinuity: boolean; randomAccess: boolean; pcr?: number } = {
    discontinuity: (flags & 0x80) !== 0,
    randomAccess: (flags & 0x40) !== 0,
  };
  if (flags & 0x10) {
    if (len < 7) throw new ProtocolError('ts_bad_adaptation_field', 'PCR_flag set in an adaptation field shorter than 7 bytes');
    const base = p[6]! * 2 ** 25 + ((p[7]! << 17) | (p[8]! << 9) | (p[9]! << 1) | (p[10]! >> 7));
    const ext = ((p[10]! & 1) << 8) | p[11]!;
    af.pcr = base * 300 + ext;
  }
  return af;
}
