import { randomBytes } from 'node:crypto';
import { ProtocolError } from '@runnel/shared';
import { isAmf0Object, type Amf0Value } from '../../format/amf0.ts';
import type { ChunkReaderLimits } from './chunk-reader.ts';
import { chunkMessageParts } from './chunk-writer.ts';
import { ClientHandshake } from './client-handshake.ts';
import type { RandomBytes } from './handshake-digest.ts';
import { MessageLayer } from './message-layer.ts';
import { Outbox, type SendOutput } from './outbox.ts';
import { CSID, MSG, csidForType, type RtmpMessage } from './message.ts';
import { DEFAULT_OUT_CHUNK_SIZE, HANDSHAKE_TIMEOUT_MS, MAX_CHUNK_SIZE, MAX_UNKNOWN_MESSAGES, MIN_CHUNK_SIZE } from './limits.ts';
import { decodeCommand, encodeCommand, type RtmpCommand } from './messages/command.ts';
import { amf0DataPayload, dataName } from './messages/data.ts';
import { splitAggregate } from './messages/aggregate.ts';
import { parseRtmpUrl, type RtmpUrl } from './rtmp-url.ts';
import { STATUS } from './status.ts';
import { readInput, type SessionInput } from './session-input.ts';

export interface RtmpClientSessionOptions {
  /** `rtmp://host[:port]/app/stream[?query]`; the query travels with the stream name. */
  readonly url: string;
  readonly mode: 'publish' | 'play';
  /** Time the TCP connection opened (ms); the deadline counts from here. */
  readonly now: number;
  /** Deadline to reach publishing/playing (default HANDSHAKE_TIMEOUT_MS). */
  readonly timeoutMs?: number;
  /** Our outgoing chunk size, announced before connect (default 60000). */
  readonly chunkSize?: number;
  /** Play: buffer length announced after `play` (ffmpeg sends 3000 ms). */
  readonly bufferMs?: number;
  readonly flashVer?: string;
  readonly limits?: Partial<ChunkReaderLimits>;
  readonly random?: RandomBytes;
}

export type RtmpClientEvent =
  /** The server accepted `connect`; `info` is its status object. */
  | { readonly kind: 'connected'; readonly info: Amf0Value }
  | { readonly kind: 'publishing'; readonly streamId: number }
  | { readonly kind: 'playing'; readonly streamId: number }
  /** Any other onStatus (Play.Reset, Play.UnpublishNotify, ...). Error statuses are followed by `close`. */
  | { readonly kind: 'status'; readonly streamId: number; readonly level: string; readonly code: string; readonly description: string }
  /** Audio, video or data from the server while playing (aggregates split). */
  | { readonly kind: 'media'; readonly message: RtmpMessage }
  | { readonly kind: 'close'; readonly reason: string; readonly message: string };

export type RtmpClientOutput = SendOutput | RtmpClientEvent;

type ClientState = 'handshake' | 'connecting' | 'creating' | 'starting' | 'publishing' | 'playing' | 'closed';

/** Transaction ids of our NetConnection calls (the numbers ffmpeg uses). */
const TX = { connect: 1, releaseStream: 2, fcPublish: 3, createStream: 4, publish: 5, fcUnpublish: 6, deleteStream: 7 } as const;

/** ffmpeg's connect properties for a player (capabilities, codecs it can take). */
const PLAYER_CONNECT = { fpad: false, capabilities: 15, audioCodecs: 4071, videoCodecs: 252, videoFunction: 1 };

/**
 * The client side of one RTMP connection, sans-IO, for publishing to or
 * playing from an RTMP server (ours, SRS, nginx-rtmp, ffmpeg -listen, ...).
 * Flow, as ffmpeg does it: handshake -> Set Chunk Size + connect ->
 * (publish: releaseStream, FCPublish) createStream -> publish | play + Set
 * Buffer Length -> `publishing` | `playing`. Then `mediaParts()` gives the
 * chunked form of each frame to write, and media from the server arrives as
 * `media` events.
 *
 * @example
 * const c = new RtmpClientSession({ url: 'rtmp://h/live/cam', mode: 'publish', now: Date.now() });
 * apply(c.start(Date.now()));
 * socket.on('data', (b) => apply(c.receive(b, Date.now())));
 * // on 'publishing': socket.writev(c.mediaParts({ typeId: 9, timestamp, payload }))
 */
export class RtmpClientSession {
  readonly url: RtmpUrl;
  private readonly mode: 'publish' | 'play';
  private readonly opts: { timeoutMs: number; chunkSize: number; bufferMs: number; flashVer: string };
  private readonly startedAt: number;
  private readonly handshake: ClientHandshake;
  private readonly layer: MessageLayer;
  private phase: ClientState = 'handshake';
  private readonly input: SessionInput<RtmpClientEvent> = {
    handshake: (bytes, now, out) => this.onHandshake(bytes, now, out),
    onMessage: (msg, out) => this.onMessage(msg, out),
    isClosed: () => this.phase === 'closed',
    shutdown: (out, reason, message) => this.shutdown(out, reason, message),
  };
  private sid = 0;
  private unknown = 0;

  constructor(options: RtmpClientSessionOptions) {
    const url = parseRtmpUrl(options.url);
    if (!url || url.stream === '') throw new RangeError(`not an RTMP URL with app and stream: ${options.url}`);
    const chunkSize = options.chunkSize ?? DEFAULT_OUT_CHUNK_SIZE;
    if (!Number.isInteger(chunkSize) || chunkSize < MIN_CHUNK_SIZE || chunkSize > MAX_CHUNK_SIZE) {
      throw new RangeError(`chunkSize ${chunkSize} outside ${MIN_CHUNK_SIZE}..${MAX_CHUNK_SIZE}`);
    }
    this.url = url;
    this.mode = options.mode;
    this.opts = {
      timeoutMs: options.timeoutMs ?? HANDSHAKE_TIMEOUT_MS,
      chunkSize,
      bufferMs: options.bufferMs ?? 3000,
      flashVer: options.flashVer ?? (options.mode === 'publish' ? 'FMLE/3.0 (compatible; Runnel)' : 'LNX 9,0,124,2'),
    };
    this.startedAt = options.now;
    this.handshake = new ClientHandshake(options.random ?? ((n) => new Uint8Array(randomBytes(n))));
    this.layer = new MessageLayer(options.limits);
  }

  get state(): ClientState {
    return this.phase;
  }

  /** Message stream id of our NetStream (0 until createStream answered). */
  get streamId(): number {
    return this.sid;
  }

  get outChunkSize(): number {
    return this.layer.outChunkSize;
  }

  /** C0+C1: call once when the TCP connection is open. */
  start(now: number): RtmpClientOutput[] {
    return [{ kind: 'send', bytes: this.handshake.start(now) }];
  }

  receive(bytes: Uint8Array, now: number): RtmpClientOutput[] {
    if (this.phase === 'closed') return [];
    return readInput(this.layer, bytes, now, this.input);
  }

  /** Closes when publishing/playing was not reached within `timeoutMs`. */
  tick(now: number): RtmpClientOutput[] {
    if (this.phase === 'closed' || this.phase === 'publishing' || this.phase === 'playing') return [];
    if (now - this.startedAt < this.opts.timeoutMs) return [];
    const out = new Outbox<RtmpClientEvent>();
    this.shutdown(out, 'connect_timeout', `not ${this.mode === 'publish' ? 'publishing' : 'playing'} after ${this.opts.timeoutMs} ms`);
    return out.finish();
  }

  /**
   * The chunked form of one frame on our NetStream (payload slices, no copy).
   * Only while publishing; data messages (onMetaData) go as type 18 with
   * `encodeSetDataFrame`.
   */
  mediaParts(msg: { readonly typeId: number; readonly timestamp: number; readonly payload: Uint8Array }): Uint8Array[] {
    if (this.phase !== 'publishing') throw new Error(`mediaParts while ${this.phase}`);
    return chunkMessageParts({ csid: csidForType(msg.typeId), streamId: this.sid, ...msg }, this.layer.outChunkSize);
  }

  /** Says goodbye politely (FCUnpublish/deleteStream) and emits `close`. */
  close(reason = 'closed', message = ''): RtmpClientOutput[] {
    if (this.phase === 'closed') return [];
    const out = new Outbox<RtmpClientEvent>();
    const name = this.streamArg();
    if (this.phase === 'publishing') out.send(this.command(CSID.command, 0, encodeCommand('FCUnpublish', TX.fcUnpublish, null, name)));
    if (this.sid > 0) out.send(this.command(CSID.command, 0, encodeCommand('deleteStream', TX.deleteStream, null, this.sid)));
    this.shutdown(out, reason, message);
    return out.finish();
  }

  // -------------------------------------------------------------------------

  /** S0S1S2 in, C2 out; then Set Chunk Size and `connect` go with it. */
  private onHandshake(bytes: Uint8Array, now: number, out: Outbox<RtmpClientEvent>): Uint8Array | null {
    if (this.phase !== 'handshake') return bytes;
    const step = this.handshake.receive(bytes, now);
    if (!step.done) return null;
    out.send(step.send!);
    out.send(this.layer.setOutChunkSize(this.opts.chunkSize));
    out.send(this.command(CSID.command, 0, encodeCommand('connect', TX.connect, this.connectObject())));
    this.phase = 'connecting';
    return step.rest;
  }

  private connectObject(): Record<string, Amf0Value> {
    const base = { app: this.url.app, flashVer: this.opts.flashVer, tcUrl: this.url.tcUrl };
    return this.mode === 'publish' ? { app: base.app, type: 'nonprivate', flashVer: base.flashVer, tcUrl: base.tcUrl } : { ...base, ...PLAYER_CONNECT };
  }

  /** The stream name argument: `stream[?query]`. */
  private streamArg(): string {
    return this.url.param ? `${this.url.stream}?${this.url.param}` : this.url.stream;
  }

  private onMessage(msg: RtmpMessage, out: Outbox<RtmpClientEvent>): void {
    switch (msg.typeId) {
      case MSG.acknowledgement:
      case MSG.windowAckSize:
      case MSG.setPeerBandwidth:
      case MSG.userControl:
        this.layer.handleControl(msg, (b) => out.send(b));
        return;
      case MSG.commandAmf0:
      case MSG.commandAmf3:
        this.onCommand(decodeCommand(msg.typeId, msg.payload), msg.streamId, out);
        return;
      case MSG.audio:
      case MSG.video:
        this.onMedia(msg, out);
        return;
      case MSG.dataAmf0:
      case MSG.dataAmf3: {
        const payload = amf0DataPayload(msg.typeId, msg.payload);
        // play-start notices from the server, not stream data
        const name = dataName(payload);
        if (name === '|RtmpSampleAccess' || name === 'onStatus') return;
        this.onMedia({ ...msg, typeId: MSG.dataAmf0, payload }, out);
        return;
      }
      case MSG.aggregate: {
        let subs: RtmpMessage[] = [];
        try {
          subs = splitAggregate(msg);
        } catch (e) {
          if (!(e instanceof ProtocolError)) throw e; // malformed aggregate: dropped, as the server does
        }
        for (const sub of subs) this.onMedia(sub, out);
        return;
      }
      case MSG.sharedObjectAmf0:
      case MSG.sharedObjectAmf3:
        return;
      default:
        if (++this.unknown > MAX_UNKNOWN_MESSAGES) {
          throw new ProtocolError('too_many_unknown_messages', `more than ${MAX_UNKNOWN_MESSAGES} messages of unknown types`);
        }
    }
  }

  private onMedia(msg: RtmpMessage, out: Outbox<RtmpClientEvent>): void {
    if (this.mode === 'play' && (this.phase === 'starting' || this.phase === 'playing')) out.emit({ kind: 'media', message: msg });
  }

  private onCommand(cmd: RtmpCommand, streamId: number, out: Outbox<RtmpClientEvent>): void {
    if (cmd.name === '_error') return this.onError(cmd, out);
    if (cmd.name === 'onStatus') return this.onStatus(cmd, streamId, out);
    if (cmd.name !== '_result') return; // onBWDone, onFCPublish, |RtmpSampleAccess...: nothing to do
    if (cmd.transactionId === TX.connect && this.phase === 'connecting') {
      out.emit({ kind: 'connected', info: cmd.args[0] ?? null });
      const name = this.streamArg();
      if (this.mode === 'publish') {
        out.send(this.command(CSID.command, 0, encodeCommand('releaseStream', TX.releaseStream, null, name)));
        out.send(this.command(CSID.command, 0, encodeCommand('FCPublish', TX.fcPublish, null, name)));
      }
      out.send(this.command(CSID.command, 0, encodeCommand('createStream', TX.createStream, null)));
      this.phase = 'creating';
    } else if (cmd.transactionId === TX.createStream && this.phase === 'creating') {
      const id = cmd.args[0];
      if (typeof id !== 'number' || !Number.isInteger(id) || id < 0 || id > 0xffffffff) {
        throw new ProtocolError('create_stream_failed', 'createStream result without a stream id');
      }
      this.sid = id;
      this.phase = 'starting';
      const name = this.streamArg();
      if (this.mode === 'publish') {
        out.send(this.command(CSID.streamCommand, id, encodeCommand('publish', TX.publish, null, name, 'live')));
      } else {
        out.send(this.command(CSID.streamCommand, id, encodeCommand('play', 0, null, name, -2000)));
        out.send(this.layer.userControl({ type: 'setBufferLength', streamId: id, bufferMs: this.opts.bufferMs }));
      }
    }
  }

  private onStatus(cmd: RtmpCommand, streamId: number, out: Outbox<RtmpClientEvent>): void {
    const info = cmd.args[0];
    if (!isAmf0Object(info)) return;
    const code = typeof info.code === 'string' ? info.code : '';
    const level = typeof info.level === 'string' ? info.level : 'status';
    const description = typeof info.description === 'string' ? info.description : '';
    if (code === STATUS.publishStart && this.mode === 'publish' && this.phase === 'starting') {
      this.phase = 'publishing';
      return out.emit({ kind: 'publishing', streamId: this.sid });
    }
    if (code === STATUS.playStart && this.mode === 'play' && this.phase === 'starting') {
      this.phase = 'playing';
      return out.emit({ kind: 'playing', streamId: this.sid });
    }
    out.emit({ kind: 'status', streamId, level, code, description });
    if (level === 'error') this.shutdown(out, 'error_status', `${code}: ${description}`);
  }

  private onError(cmd: RtmpCommand, out: Outbox<RtmpClientEvent>): void {
    const info = cmd.args[0];
    const code = isAmf0Object(info) && typeof info.code === 'string' ? info.code : '';
    const description = isAmf0Object(info) && typeof info.description === 'string' ? info.description : '';
    out.emit({ kind: 'status', streamId: 0, level: 'error', code, description });
    this.shutdown(out, cmd.transactionId === TX.connect ? 'connect_rejected' : 'call_failed', `${code}: ${description}`);
  }

  private shutdown(out: Outbox<RtmpClientEvent>, reason: string, message: string): void {
    if (this.phase === 'closed') return;
    this.phase = 'closed';
    out.emit({ kind: 'close', reason, message });
  }

  private command(csid: number, streamId: number, payload: Uint8Array): Uint8Array {
    return this.layer.encode(csid, MSG.commandAmf0, streamId, payload);
  }
}
