import { ProtocolError, type ByteReader } from '@runnel/shared';

/**
 * Control packet types (draft-sharabayko-srt 3.2, Table 1). The 15-bit type
 * follows the control flag; the 16-bit subtype is only used by user-defined
 * packets (type 0x7FFF), where libsrt carries the HSv4 SRT extensions.
 */
export const CONTROL_TYPE = {
  handshake: 0x0000,
  keepalive: 0x0001,
  ack: 0x0002,
  nak: 0x0003,
  congestionWarning: 0x0004,
  shutdown: 0x0005,
  ackack: 0x0006,
  dropRequest: 0x0007,
  peerError: 0x0008,
  userDefined: 0x7fff,
} as const;

/** Every SRT packet starts with these 16 bytes (draft-sharabayko-srt 3). */
export const HEADER_SIZE = 16;

/** Fields every control packet has (draft-sharabayko-srt 3.2). */
export interface ControlFields {
  /** Microseconds since the sender's connection start, wrapping at 2^32. */
  readonly timestamp: number;
  /** SRT socket id of the receiver (0 in a caller's first handshake). */
  readonly destSocketId: number;
}

export interface ControlHeader extends ControlFields {
  readonly type: number;
  readonly subtype: number;
  readonly typeSpecific: number;
}

/** True when the first bit of the datagram (the F flag) marks a control packet. */
export function isControlPacket(datagram: Uint8Array): boolean {
  return datagram.length > 0 && (datagram[0]! & 0x80) !== 0;
}

/** Reads the control header and leaves `r` at the Control Information Field. */
export function readControlHeader(r: ByteReader): ControlHeader {
  if (r.remaining < HEADER_SIZE) throw new ProtocolError('srt_truncated', `control packet of ${r.remaining} bytes`);
  const w0 = r.u32();
  if ((w0 & 0x80000000) === 0) throw new ProtocolError('srt_not_control', 'data packet where a control packet was expected');
  return {
    type: (w0 >>> 16) & 0x7fff,
    subtype: w0 & 0xffff,
    typeSpecific: r.u32(),
    timestamp: r.u32(),
    destSocketId: r.u32(),
  };
}

/** Throws unless the header is of the expected type (decoders of one packet type call it). */
export function expectType(h: ControlHeader, type: number, name: string): void {
  if (h.type !== type) throw new ProtocolError('srt_wrong_control_type', `control type ${h.type} is not ${name}`);
}

/**
 * Builds a control packet: header + CIF. Types without a CIF get 4 zero
 * bytes, as libsrt sends them (`CPacket::pack`, `m_extra_pad`), so our bytes
 * match a libsrt capture.
 */
export function encodeControl(type: number, subtype: number, typeSpecific: number, f: ControlFields, cif?: Uint8Array): Uint8Array {
  const body = cif ?? new Uint8Array(4);
  const out = new Uint8Array(HEADER_SIZE + body.length);
  const v = new DataView(out.buffer);
  v.setUint32(0, (0x80000000 | ((type & 0x7fff) << 16) | (subtype & 0xffff)) >>> 0);
  v.setUint32(4, typeSpecific >>> 0);
  v.setUint32(8, f.timestamp >>> 0);
  v.setUint32(12, f.destSocketId >>> 0);
  out.set(body, HEADER_SIZE);
  return out;
}
