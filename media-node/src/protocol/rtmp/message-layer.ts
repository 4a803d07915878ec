import { ChunkReader, type ChunkReaderLimits } from './chunk-reader.ts';
import { encodeMessageChunks } from './chunk-writer.ts';
import { CSID, MSG, type RtmpMessage } from './message.ts';
import { MIN_CHUNK_SIZE } from './limits.ts';
import { decodeAcknowledgement, encodeAcknowledgement } from './messages/acknowledgement.ts';
import { decodeWindowAckSize, encodeWindowAckSize } from './messages/window-ack-size.ts';
import { decodeSetPeerBandwidth } from './messages/set-peer-bandwidth.ts';
import { encodeSetChunkSize } from './messages/set-chunk-size.ts';
import { decodeUserControl, encodeUserControl, type UserControlEvent } from './messages/user-control.ts';

/**
 * The part of an RTMP connection both sides share, after the handshake: chunk
 * reading and writing, and the protocol control messages of Adobe RTMP spec
 * 5.4 and 7.1.7 that need no application decision:
 * - Window Acknowledgement Size from the peer: we send an Acknowledgement each
 *   time that many bytes have arrived (0 means never, bad-inputs row 16);
 * - Set Peer Bandwidth: answered with our Window Acknowledgement Size when it
 *   differs (spec 5.4.5);
 * - Acknowledgement: recorded;
 * - Ping Request: answered with Ping Response.
 * Other user control events are handed back to the session.
 */
export class MessageLayer {
  private readonly reader: ChunkReader;
  private outSize = MIN_CHUNK_SIZE;
  private received = 0;
  private ackedAt = 0;
  private ackWindow = 0;
  /** Window ack size we last announced (to answer Set Peer Bandwidth). */
  private ourWindow = 0;
  /** Sequence number of the peer's last Acknowledgement. */
  peerAcknowledged = 0;
  /** Bandwidth limit the peer set for us (informational). */
  peerBandwidth = 0;

  constructor(limits: Partial<ChunkReaderLimits> = {}) {
    this.reader = new ChunkReader(limits);
  }

  /** Chunk size we write with; starts at 128 and changes only through `setOutChunkSize`. */
  get outChunkSize(): number {
    return this.outSize;
  }

  /** The peer's chunk size. */
  get inChunkSize(): number {
    return this.reader.chunkSize;
  }

  /** Total bytes received (handshake included, like SRS counts them). */
  get bytesReceived(): number {
    return this.received;
  }

  /** Counts raw bytes for acknowledgements; call for every byte off the socket. */
  count(n: number): void {
    this.received += n;
  }

  read(bytes: Uint8Array): RtmpMessage[] {
    return this.reader.push(bytes);
  }

  /** Bytes held in partially received messages. */
  get bufferedBytes(): number {
    return this.reader.bufferedBytes;
  }

  /** The connection is over: let go of partially received messages (ChunkReader.discard). */
  discardInput(): void {
    this.reader.discard();
  }

  /** An Acknowledgement to send if a full window has arrived since the last one, else null. */
  takeAck(): Uint8Array | null {
    if (this.ackWindow === 0 || this.received - this.ackedAt < this.ackWindow) return null;
    this.ackedAt = this.received;
    return this.control(MSG.acknowledgement, encodeAcknowledgement(this.received >>> 0));
  }

  /**
   * Handles protocol control messages (types 3, 5, 6) and pings, pushing what
   * to send into `send`. Returns 'handled', a user control event for the
   * session, or null if `msg` is not a control message.
   */
  handleControl(msg: RtmpMessage, send: (bytes: Uint8Array) => void): 'handled' | UserControlEvent | null {
    switch (msg.typeId) {
      case MSG.acknowledgement:
        // informational only: a malformed one is ignored (bad-inputs row 17)
        if (msg.payload.length >= 4) this.peerAcknowledged = decodeAcknowledgement(msg.payload);
        return 'handled';
      case MSG.windowAckSize:
        this.ackWindow = decodeWindowAckSize(msg.payload);
        return 'handled';
      case MSG.setPeerBandwidth: {
        const bw = decodeSetPeerBandwidth(msg.payload);
        this.peerBandwidth = bw.size;
        if (bw.size !== this.ourWindow) send(this.windowAckSize(bw.size));
        return 'handled';
      }
      case MSG.userControl: {
        const ev = decodeUserControl(msg.payload);
        if (ev.type === 'pingRequest') {
          send(this.userControl({ type: 'pingResponse', timestamp: ev.timestamp }));
          return 'handled';
        }
        return ev;
      }
      default:
        return null;
    }
  }

  /** One message as chunks at the current outgoing chunk size. */
  encode(csid: number, typeId: number, streamId: number, payload: Uint8Array, timestamp = 0): Uint8Array {
    return encodeMessageChunks({ csid, timestamp, typeId, streamId, payload }, this.outSize);
  }

  /** A protocol control message (chunk stream 2, message stream 0, spec 5.4). */
  control(typeId: number, payload: Uint8Array): Uint8Array {
    return this.encode(CSID.protocolControl, typeId, 0, payload);
  }

  userControl(ev: UserControlEvent): Uint8Array {
    return this.control(MSG.userControl, encodeUserControl(ev));
  }

  windowAckSize(size: number): Uint8Array {
    this.ourWindow = size;
    return this.control(MSG.windowAckSize, encodeWindowAckSize(size));
  }

  /** A Set Chunk Size message; every message encoded after it uses `size`. */
  setOutChunkSize(size: number): Uint8Array {
    const bytes = this.control(MSG.setChunkSize, encodeSetChunkSize(size));
    this.outSize = size;
    return bytes;
  }
}
