import { ProtocolError } from '@runnel/shared';
import { HEADER_SIZE } from './control-header.ts';

/**
 * Packet Position Flag (draft-sharabayko-srt 3.1, "PP"): where the packet sits
 * in its message. Live mode sends one message per packet (`solo`).
 */
export type PacketPosition = 'middle' | 'last' | 'first' | 'solo';
const POSITIONS: readonly PacketPosition[] = ['middle', 'last', 'first', 'solo'];

/** Key-based Encryption Flag ("KK"): which key encrypted the payload. 0b11 is only valid in key material. */
export type PacketKey = 'none' | 'even' | 'odd';
const KEYS: readonly PacketKey[] = ['none', 'even', 'odd'];

/** Largest message number (26 bits); it wraps to 1 (libsrt's MsgNo never uses 0 for data). */
export const MAX_MESSAGE_NUMBER = 0x3ffffff;

/** A data packet (draft-sharabayko-srt 3.1). */
export interface DataPacket {
  readonly kind: 'data';
  /** 31-bit packet sequence number. */
  readonly seq: number;
  readonly position: PacketPosition;
  /** "O": deliver in order (live mode: false). */
  readonly inOrder: boolean;
  readonly key: PacketKey;
  /** "R": a retransmission (only meaningful when the peer announced REXMITFLG). */
  readonly retransmitted: boolean;
  readonly messageNumber: number;
  /** Microseconds since the sender's connection start, wrapping at 2^32. */
  readonly timestamp: number;
  readonly destSocketId: number;
  /** A view into the datagram (no copy). */
  readonly payload: Uint8Array;
}

/** Decodes a datagram whose F bit is 0. The payload is a subarray of `datagram`. */
export function decodeDataPacket(datagram: Uint8Array): DataPacket {
  if (datagram.length < HEADER_SIZE) throw new ProtocolError('srt_truncated', `data packet of ${datagram.length} bytes`);
  const v = new DataView(datagram.buffer, datagram.byteOffset, datagram.byteLength);
  const w0 = v.getUint32(0);
  if (w0 & 0x80000000) throw new ProtocolError('srt_not_data', 'control packet where a data packet was expected');
  const w1 = v.getUint32(4);
  const kk = (w1 >>> 27) & 3;
  if (kk === 3) throw new ProtocolError('srt_bad_key_flags', 'data packet with KK=0b11');
  return {
    kind: 'data',
    seq: w0,
    position: POSITIONS[w1 >>> 30]!,
    inOrder: (w1 & 0x20000000) !== 0,
    key: KEYS[kk]!,
    retransmitted: (w1 & 0x04000000) !== 0,
    messageNumber: w1 & MAX_MESSAGE_NUMBER,
    timestamp: v.getUint32(8),
    destSocketId: v.getUint32(12),
    payload: datagram.subarray(HEADER_SIZE),
  };
}

/** Writes the 16-byte data header of `p` at `out[0..16)`. */
export function writeDataHeader(out: Uint8Array, p: Omit<DataPacket, 'kind' | 'payload'>): void {
  const v = new DataView(out.buffer, out.byteOffset, HEADER_SIZE);
  v.setUint32(0, p.seq & 0x7fffffff);
  const w1 =
    (POSITIONS.indexOf(p.position) << 30) |
    (p.inOrder ? 0x20000000 : 0) |
    (KEYS.indexOf(p.key) << 27) |
    (p.retransmitted ? 0x04000000 : 0) |
    (p.messageNumber & MAX_MESSAGE_NUMBER);
  v.setUint32(4, w1 >>> 0);
  v.setUint32(8, p.timestamp >>> 0);
  v.setUint32(12, p.destSocketId >>> 0);
}

/** Header + payload in one datagram (one copy of the payload, the one a UDP send needs anyway). */
export function encodeDataPacket(p: Omit<DataPacket, 'kind'>): Uint8Array {
  const out = new Uint8Array(HEADER_SIZE + p.payload.length);
  writeDataHeader(out, p);
  out.set(p.payload, HEADER_SIZE);
  return out;
}

/** Sets or clears the R flag of an encoded data packet in place. */
export function setRetransmittedFlag(datagram: Uint8Array, on: boolean): void {
  if (on) datagram[4] = datagram[4]! | 0x04;
  else datagram[4] = datagram[4]! & ~0x04;
}
