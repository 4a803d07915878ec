import { ProtocolError } from '@runnel/shared';
import { decodeAck, encodeAck, type Ack } from './ack.ts';
import { decodeAckAck, encodeAckAck, type AckAck } from './ackack.ts';
import { decodeCongestionWarning, encodeCongestionWarning, type CongestionWarning } from './congestion-warning.ts';
import { CONTROL_TYPE, HEADER_SIZE } from './control-header.ts';
import { decodeDataPacket, encodeDataPacket, type DataPacket } from './data-packet.ts';
import { decodeDropRequest, encodeDropRequest, type DropRequest } from './drop-request.ts';
import { decodeHandshake, encodeHandshake, type Handshake } from './handshake.ts';
import { decodeKeepalive, encodeKeepalive, type Keepalive } from './keepalive.ts';
import { decodeNak, encodeNak, type Nak } from './nak.ts';
import { decodePeerError, encodePeerError, type PeerError } from './peer-error.ts';
import { decodeShutdown, encodeShutdown, type Shutdown } from './shutdown.ts';
import { decodeUserDefined, encodeUserDefined, type UserDefined } from './user-defined.ts';

/**
 * Largest datagram we accept: libsrt's default and maximum MSS (SRTO_MSS,
 * 1500 bytes with the 28 bytes of IPv4/UDP headers). A bigger datagram is not
 * from a libsrt peer with default settings, and nothing we parse needs more.
 */
export const MAX_DATAGRAM_BYTES = 1500;

export type ControlPacket = Handshake | Keepalive | Ack | Nak | CongestionWarning | Shutdown | AckAck | DropRequest | PeerError | UserDefined;
export type SrtPacket = DataPacket | ControlPacket;

/** Destination socket id of any packet (bytes 12-15), without decoding the rest; null when too short. */
export function peekDestSocketId(datagram: Uint8Array): number | null {
  if (datagram.length < HEADER_SIZE) return null;
  return new DataView(datagram.buffer, datagram.byteOffset, datagram.byteLength).getUint32(12);
}

/** Decodes any SRT datagram. Malformed input is a ProtocolError, never another exception. */
export function decodePacket(datagram: Uint8Array): SrtPacket {
  if (datagram.length > MAX_DATAGRAM_BYTES) throw new ProtocolError('srt_datagram_too_large', `datagram of ${datagram.length} bytes`);
  if (datagram.length < HEADER_SIZE) throw new ProtocolError('srt_truncated', `datagram of ${datagram.length} bytes`);
  if ((datagram[0]! & 0x80) === 0) return decodeDataPacket(datagram);
  const type = ((datagram[0]! & 0x7f) << 8) | datagram[1]!;
  switch (type) {
    case CONTROL_TYPE.handshake:
      return decodeHandshake(datagram);
    case CONTROL_TYPE.keepalive:
      return decodeKeepalive(datagram);
    case CONTROL_TYPE.ack:
      return decodeAck(datagram);
    case CONTROL_TYPE.nak:
      return decodeNak(datagram);
    case CONTROL_TYPE.congestionWarning:
      return decodeCongestionWarning(datagram);
    case CONTROL_TYPE.shutdown:
      return decodeShutdown(datagram);
    case CONTROL_TYPE.ackack:
      return decodeAckAck(datagram);
    case CONTROL_TYPE.dropRequest:
      return decodeDropRequest(datagram);
    case CONTROL_TYPE.peerError:
      return decodePeerError(datagram);
    case CONTROL_TYPE.userDefined:
      return decodeUserDefined(datagram);
    default:
      throw new ProtocolError('srt_unknown_control_type', `control type 0x${type.toString(16)}`);
  }
}

export function encodePacket(p: SrtPacket): Uint8Array {
  switch (p.kind) {
    case 'data':
      return encodeDataPacket(p);
    case 'handshake':
      return encodeHandshake(p);
    case 'keepalive':
      return encodeKeepalive(p);
    case 'ack':
      return encodeAck(p);
    case 'nak':
      return encodeNak(p);
    case 'congestion-warning':
      return encodeCongestionWarning(p);
    case 'shutdown':
      return encodeShutdown(p);
    case 'ackack':
      return encodeAckAck(p);
    case 'drop-request':
      return encodeDropRequest(p);
    case 'peer-error':
      return encodePeerError(p);
    case 'user-defined':
      return encodeUserDefined(p);
  }
}
