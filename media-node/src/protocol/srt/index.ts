/**
 * Sans-IO SRT (draft-sharabayko-srt, libsrt 1.5 behaviour where the draft is
 * silent), live mode. See README.md. The server layer needs: SrtListener
 * (handshakes on the listening socket), SrtConnection (one per accepted
 * caller), peekDestSocketId (routing), the reject codes; the caller mode
 * needs SrtCaller.
 */
export {
  SrtListener,
  type SrtListenerOptions,
  type SrtListenerResult,
  type SrtConnectRequest,
  type PeerAddress,
} from './listener.ts';
export { SrtCaller, type SrtCallerOptions, type SrtCallerOutput } from './caller.ts';
export {
  SrtConnection,
  type SrtConnectionOptions,
  type SrtConnectionOutput,
  type SrtConnectionStats,
  type SrtCloseReason,
} from './connection/connection.ts';
export { StreamCrypto, checkPassphrase } from './crypto/stream-crypto.ts';
export { parseStreamId, STREAM_ID_PREFIX, type SrtMode, type StreamIdResult, type StreamIdOptions } from './stream-id.ts';
export { SRT_REJ, SRT_REJX, rejectType, rejectCodeOf } from './reject.ts';
export { decodePacket, encodePacket, peekDestSocketId, MAX_DATAGRAM_BYTES, type SrtPacket, type ControlPacket } from './packets/packet.ts';
export { isControlPacket } from './packets/control-header.ts';
export { decodeHandshake, encodeHandshake, HS_TYPE, type Handshake } from './packets/handshake.ts';
export * from './limits.ts';
