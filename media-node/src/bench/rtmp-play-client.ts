import { randomBytes } from 'node:crypto';
import { isAmf0Object, type Amf0Value } from '../format/amf0.ts';
import { ChunkReader } from '../protocol/rtmp/chunk-reader.ts';
import { encodeMessageChunks } from '../protocol/rtmp/chunk-writer.ts';
import { ClientHandshake } from '../protocol/rtmp/client-handshake.ts';
import { CSID, MSG, type RtmpMessage } from '../protocol/rtmp/message.ts';
import { MIN_CHUNK_SIZE } from '../protocol/rtmp/limits.ts';
import { encodeAcknowledgement } from '../protocol/rtmp/messages/acknowledgement.ts';
import { splitAggregate } from '../protocol/rtmp/messages/aggregate.ts';
import { decodeCommand, encodeCommand } from '../protocol/rtmp/messages/command.ts';
import { decodeSetPeerBandwidth } from '../protocol/rtmp/messages/set-peer-bandwidth.ts';
import { decodeUserControl, encodeUserControl } from '../protocol/rtmp/messages/user-control.ts';
import { decodeWindowAckSize, encodeWindowAckSize } from '../protocol/rtmp/messages/window-ack-size.ts';
import { parseRtmpUrl } from '../protocol/rtmp/rtmp-url.ts';
import { isMediaFrame } from './player-clock.ts';

/** Buffer length we announce with SetBufferLength, as ffmpeg does (3 s, `rtmp_buffer` default). */
const CLIENT_BUFFER_MS = 3_000;
const TXN_CONNECT = 1;
const TXN_CREATE_STREAM = 2;

/**
 * The RTMP play side a benchmark player needs, sans-IO (Adobe RTMP spec 7.2):
 * handshake, `connect`, `createStream`, `play` + SetBufferLength (what
 * ffmpeg and librtmp send), then media. Along the way it answers what a
 * well-behaved client must: Acknowledgements every window (spec 5.4.3), a
 * Window Acknowledgement Size after Set Peer Bandwidth (5.4.5), ping
 * responses (7.1.7). It reports only what a benchmark needs: the timestamp
 * of every audio/video frame (sequence headers excluded).
 *
 * @example
 * const c = new RtmpPlayClient('rtmp://127.0.0.1:1935/live/bench');
 * socket.write(c.start(Date.now()));
 * socket.on('data', (b) => { for (const out of c.receive(b, Date.now(), onFrame)) socket.write(out); });
 */
export class RtmpPlayClient {
  private readonly handshake: ClientHandshake;
  private readonly reader = new ChunkReader();
  private readonly tcUrl: string;
  private readonly app: string;
  private readonly stream: string;
  private received = 0;
  private ackedAt = 0;
  private ackWindow = 0;
  private out: Uint8Array[] = [];
  /** 'playing' once `play` is sent; media may arrive before NetStream.Play.Start. */
  state: 'handshake' | 'connect' | 'createStream' | 'playing' = 'handshake';

  constructor(url: string, random: (n: number) => Uint8Array = randomBytes) {
    const u = parseRtmpUrl(url);
    if (!u || u.schema !== 'rtmp') throw new Error(`not an RTMP URL: ${url}`);
    this.tcUrl = u.tcUrl;
    this.app = u.app;
    this.stream = u.param ? `${u.stream}?${u.param}` : u.stream;
    this.handshake = new ClientHandshake(random);
  }

  /** C0 + C1, to send when the connection opens. */
  start(nowMs: number): Uint8Array {
    return this.handshake.start(nowMs);
  }

  /**
   * Consumes bytes from the server; calls `onFrame` for every media frame
   * and returns what to send back (possibly nothing). Throws on a protocol
   * error or a refused play.
   */
  receive(bytes: Uint8Array, nowMs: number, onFrame: (timestamp: number) => void): Uint8Array[] {
    this.out = [];
    this.received += bytes.length;
    let rest = bytes;
    if (this.state === 'handshake') {
      const step = this.handshake.receive(bytes, nowMs);
      if (step.send) this.out.push(step.send);
      if (!step.done) return this.out;
      this.state = 'connect';
      this.out.push(this.command(CSID.command, 0, 'connect', TXN_CONNECT, {
        app: this.app,
        flashVer: 'LNX 9,0,124,2',
        tcUrl: this.tcUrl,
        fpad: false,
        capabilities: 15,
        audioCodecs: 4071,
        videoCodecs: 252,
        videoFunction: 1,
      }));
      rest = step.rest;
    }
    for (const msg of this.reader.push(rest)) this.handle(msg, onFrame);
    if (this.ackWindow > 0 && this.received - this.ackedAt >= this.ackWindow) {
      this.ackedAt = this.received;
      this.out.push(this.control(MSG.acknowledgement, encodeAcknowledgement(this.received >>> 0)));
    }
    return this.out;
  }

  private handle(msg: RtmpMessage, onFrame: (timestamp: number) => void): void {
    switch (msg.typeId) {
      case MSG.audio:
      case MSG.video:
        if (isMediaFrame(msg.typeId, msg.payload)) onFrame(msg.timestamp);
        return;
      case MSG.aggregate:
        for (const sub of splitAggregate(msg)) this.handle(sub, onFrame);
        return;
      case MSG.windowAckSize:
        this.ackWindow = decodeWindowAckSize(msg.payload);
        return;
      case MSG.setPeerBandwidth:
        this.out.push(this.control(MSG.windowAckSize, encodeWindowAckSize(decodeSetPeerBandwidth(msg.payload).size)));
        return;
      case MSG.userControl: {
        const ev = decodeUserControl(msg.payload);
        if (ev.type === 'pingRequest') this.out.push(this.control(MSG.userControl, encodeUserControl({ type: 'pingResponse', timestamp: ev.timestamp })));
        return;
      }
      case MSG.commandAmf0:
      case MSG.commandAmf3:
        this.onCommand(decodeCommand(msg.typeId, msg.payload));
        return;
      default:
        // Acknowledgements, onMetaData and other data messages: nothing to do.
        return;
    }
  }

  private onCommand(cmd: { name: string; transactionId: number; args: readonly Amf0Value[] }): void {
    if (cmd.name === '_error') throw new Error(`RTMP ${this.state} refused: ${describeInfo(cmd.args[0])}`);
    if (cmd.name === '_result' && cmd.transactionId === TXN_CONNECT && this.state === 'connect') {
      this.state = 'createStream';
      this.out.push(this.command(CSID.command, 0, 'createStream', TXN_CREATE_STREAM, null));
    } else if (cmd.name === '_result' && cmd.transactionId === TXN_CREATE_STREAM && this.state === 'createStream') {
      const streamId = typeof cmd.args[0] === 'number' ? cmd.args[0] : 1;
      this.state = 'playing';
      this.out.push(this.command(CSID.streamCommand, streamId, 'play', 0, null, this.stream, -2000));
      this.out.push(this.control(MSG.userControl, encodeUserControl({ type: 'setBufferLength', streamId, bufferMs: CLIENT_BUFFER_MS })));
    } else if (cmd.name === 'onStatus') {
      const info = cmd.args[0];
      const code = isAmf0Object(info) && typeof info.code === 'string' ? info.code : '';
      if (/\.(Failed|StreamNotFound|Rejected|BadName)$/.test(code)) throw new Error(`RTMP play refused: ${describeInfo(info)}`);
    }
  }

  private command(csid: number, streamId: number, name: string, txn: number, obj: Amf0Value, ...args: Amf0Value[]): Uint8Array {
    const payload = encodeCommand(name, txn, obj, ...args);
    return encodeMessageChunks({ csid, timestamp: 0, typeId: MSG.commandAmf0, streamId, payload }, MIN_CHUNK_SIZE);
  }

  /** A protocol control message: chunk stream 2, message stream 0 (spec 5.4). */
  private control(typeId: number, payload: Uint8Array): Uint8Array {
    return encodeMessageChunks({ csid: CSID.protocolControl, timestamp: 0, typeId, streamId: 0, payload }, MIN_CHUNK_SIZE);
  }
}

function describeInfo(info: Amf0Value): string {
  if (isAmf0Object(info)) return `${String(info.code ?? '')} ${String(info.description ?? '')}`.trim();
  return String(info);
}
