import { randomBytes } from 'node:crypto';
import { ProtocolError } from '@runnel/shared';
import type { ChunkReaderLimits } from './chunk-reader.ts';
import type { RandomBytes } from './handshake-digest.ts';
import { ServerHandshake } from './server-handshake.ts';
import { MessageLayer } from './message-layer.ts';
import { Outbox } from './outbox.ts';
import { CSID, MSG, type RtmpMessage } from './message.ts';
import {
  DEFAULT_OUT_CHUNK_SIZE,
  DEFAULT_WINDOW_ACK_SIZE,
  HANDSHAKE_TIMEOUT_MS,
  MAX_CHUNK_SIZE,
  MAX_STREAMS_PER_CONNECTION,
  MAX_UNKNOWN_MESSAGES,
  MIN_CHUNK_SIZE,
  PUBLISH_IDLE_TIMEOUT_MS,
} from './limits.ts';
import { decodeCommand } from './messages/command.ts';
import { amf0DataPayload, stripSetDataFrame } from './messages/data.ts';
import { splitAggregate } from './messages/aggregate.ts';
import type { RtmpConnectInfo } from './connect-request.ts';
import type { RtmpServerEvent, RtmpServerOutput, RtmpServerStats } from './server-events.ts';
import { NetStreams, type NetStream, type NetStreamState } from './net-streams.ts';
import { ServerCommands, netStreamCommand } from './server-commands.ts';
import { readInput, type SessionInput } from './session-input.ts';

export type { RtmpConnectInfo } from './connect-request.ts';
export type { PublishType, RtmpServerEvent, RtmpServerOutput, RtmpServerStats } from './server-events.ts';
import { STATUS, type StatusLevel } from './status.ts';
import * as reply from './server-replies.ts';

export interface RtmpServerSessionOptions {
  /** Time the connection was accepted (ms); the handshake deadline counts from here. */
  readonly now: number;
  /** Deadline for handshake + `connect` (default HANDSHAKE_TIMEOUT_MS). */
  readonly handshakeTimeoutMs?: number;
  /**
   * Deadline for a connected session without an active stream to publish or
   * play: counted from accept, then from the end of its last stream (default:
   * handshakeTimeoutMs, one value for "say who you are", like SRS's recv
   * timeout while it identifies a client).
   */
  readonly identifyTimeoutMs?: number;
  /** Close a publisher that sends no media for this long; 0 disables (default PUBLISH_IDLE_TIMEOUT_MS). */
  readonly publishIdleTimeoutMs?: number;
  /** Our outgoing chunk size, announced after connect (default 60000 like SRS). */
  readonly chunkSize?: number;
  /** Window acknowledgement size and peer bandwidth we announce (default 2 500 000). */
  readonly windowAckSize?: number;
  readonly maxStreams?: number;
  readonly maxUnknownMessages?: number;
  readonly limits?: Partial<ChunkReaderLimits>;
  /** Random bytes for the handshake (default node:crypto). */
  readonly random?: RandomBytes;
}

/**
 * The server side of one RTMP connection, sans-IO (see README.md for the full
 * contract). Bytes and time go in, `RtmpServerOutput[]` comes out: `send`
 * outputs in order with events. Admission is the caller's: on `publish` /
 * `play` it calls `acceptPublish` / `rejectPublish` / `acceptPlay` /
 * `rejectPlay` (after a hook, maybe much later). Malformed input never throws:
 * it ends in a `close` event whose `reason` is the ProtocolError code.
 *
 * @example
 * const session = new RtmpServerSession({ now: Date.now() });
 * socket.on('data', (b) => apply(session.receive(b, Date.now())));
 * setInterval(() => apply(session.tick(Date.now())), 1000);
 */
export class RtmpServerSession {
  private readonly opts: Required<Omit<RtmpServerSessionOptions, 'limits' | 'random' | 'now'>>;
  private readonly createdAt: number;
  private readonly handshake: ServerHandshake;
  private readonly layer: MessageLayer;
  private readonly streams: NetStreams;
  private readonly commands: ServerCommands;
  private readonly input: SessionInput<RtmpServerEvent> = {
    handshake: (bytes, now, out) => this.onHandshake(bytes, now, out),
    onMessage: (msg, out) => this.onMessage(msg, out),
    isClosed: () => this.phase === 'closed',
    shutdown: (out, reason, message) => this.shutdown(out, reason, message),
  };
  private phase: 'handshake' | 'connecting' | 'connected' | 'closed' = 'handshake';
  private lastNow: number;
  private dropped = 0;
  private unknown = 0;

  constructor(options: RtmpServerSessionOptions) {
    const chunkSize = options.chunkSize ?? DEFAULT_OUT_CHUNK_SIZE;
    if (!Number.isInteger(chunkSize) || chunkSize < MIN_CHUNK_SIZE || chunkSize > MAX_CHUNK_SIZE) {
      throw new RangeError(`chunkSize ${chunkSize} outside ${MIN_CHUNK_SIZE}..${MAX_CHUNK_SIZE}`);
    }
    const handshakeTimeoutMs = options.handshakeTimeoutMs ?? HANDSHAKE_TIMEOUT_MS;
    this.opts = {
      handshakeTimeoutMs,
      identifyTimeoutMs: options.identifyTimeoutMs ?? handshakeTimeoutMs,
      publishIdleTimeoutMs: options.publishIdleTimeoutMs ?? PUBLISH_IDLE_TIMEOUT_MS,
      chunkSize,
      windowAckSize: options.windowAckSize ?? DEFAULT_WINDOW_ACK_SIZE,
      maxStreams: options.maxStreams ?? MAX_STREAMS_PER_CONNECTION,
      maxUnknownMessages: options.maxUnknownMessages ?? MAX_UNKNOWN_MESSAGES,
    };
    this.createdAt = options.now;
    this.lastNow = options.now;
    this.handshake = new ServerHandshake(options.random ?? ((n) => new Uint8Array(randomBytes(n))));
    this.layer = new MessageLayer(options.limits);
    this.streams = new NetStreams(options.now);
    const { layer, streams } = this;
    this.commands = new ServerCommands({
      layer,
      streams,
      windowAckSize: this.opts.windowAckSize,
      chunkSize,
      maxStreams: this.opts.maxStreams,
      now: () => this.lastNow,
      connected: () => {
        this.phase = 'connected';
      },
      shutdown: (out, reason, message) => this.shutdown(out, reason, message),
    });
  }

  /** 'handshake' -> 'connecting' (waiting for connect) -> 'connected' -> 'closed'. */
  get state(): 'handshake' | 'connecting' | 'connected' | 'closed' {
    return this.phase;
  }

  /** Chunk size for media written to this peer with `chunkMessageParts` (valid once connected). */
  get outChunkSize(): number {
    return this.layer.outChunkSize;
  }

  /** The validated `connect`, or null before it. */
  get connectInfo(): RtmpConnectInfo | null {
    return this.commands.info;
  }

  get stats(): RtmpServerStats {
    return {
      bytesReceived: this.layer.bytesReceived,
      droppedMessages: this.dropped,
      unknownMessages: this.unknown,
      bufferedBytes: this.layer.bufferedBytes,
    };
  }

  /** Bytes from the socket. */
  receive(bytes: Uint8Array, now: number): RtmpServerOutput[] {
    if (this.phase === 'closed') return [];
    this.lastNow = now;
    return readInput(this.layer, bytes, now, this.input);
  }

  /** Time passing: closes at the handshake/connect and publish/play deadlines and on idle publishers. */
  tick(now: number): RtmpServerOutput[] {
    if (this.phase === 'closed') return [];
    this.lastNow = now;
    const out = new Outbox<RtmpServerEvent>();
    if (this.phase !== 'connected' && now - this.createdAt >= this.opts.handshakeTimeoutMs) {
      this.shutdown(out, 'handshake_timeout', `no connect within ${this.opts.handshakeTimeoutMs} ms`);
    } else if (this.phase === 'connected' && !this.streams.hasActive() && now - this.streams.idleSince >= this.opts.identifyTimeoutMs) {
      // bad-inputs row 8 "then stall": a connection that neither publishes nor
      // plays would otherwise hold its socket and partial messages forever
      this.shutdown(out, 'identify_timeout', `no publish or play within ${this.opts.identifyTimeoutMs} ms`);
    } else if (this.opts.publishIdleTimeoutMs > 0) {
      for (const s of this.streams.values()) {
        if (s.state === 'publishing' && now - s.lastMediaAt >= this.opts.publishIdleTimeoutMs) {
          this.shutdown(out, 'publish_timeout', `no media on ${s.name} for ${this.opts.publishIdleTimeoutMs} ms`);
          break;
        }
      }
    }
    return out.finish();
  }

  /** Ends the session (socket closed, kicked, shutting down): stops active streams, then `close`. */
  close(reason = 'closed', message = ''): RtmpServerOutput[] {
    if (this.phase === 'closed') return [];
    const out = new Outbox<RtmpServerEvent>();
    this.shutdown(out, reason, message);
    return out.finish();
  }

  /** Admits a pending publish: onFCPublish (if FCPublish came first) and NetStream.Publish.Start. */
  acceptPublish(streamId: number): RtmpServerOutput[] {
    const s = this.pending(streamId, 'publish-pending');
    if (!s) return [];
    const out = new Outbox<RtmpServerEvent>();
    if (this.commands.announced(s.name)) out.send(this.streamCommand(streamId, reply.onFCPublish()));
    out.send(this.streamCommand(streamId, reply.publishStart()));
    s.state = 'publishing';
    s.lastMediaAt = this.lastNow;
    return out.finish();
  }

  /** Refuses a pending publish with an error status (default BadName, as for a busy stream) and closes. */
  rejectPublish(streamId: number, description: string, code: string = STATUS.publishBadName): RtmpServerOutput[] {
    return this.reject(streamId, 'publish-pending', code, description, 'publish_rejected');
  }

  /** Admits a pending play: StreamBegin, Play.Reset, Play.Start, |RtmpSampleAccess, Data.Start (as SRS). */
  acceptPlay(streamId: number): RtmpServerOutput[] {
    const s = this.pending(streamId, 'play-pending');
    if (!s) return [];
    const out = new Outbox<RtmpServerEvent>();
    out.send(this.layer.userControl({ type: 'streamBegin', streamId }));
    out.send(this.streamCommand(streamId, reply.playReset()));
    out.send(this.streamCommand(streamId, reply.playStart()));
    out.send(this.layer.encode(CSID.data, MSG.dataAmf0, streamId, reply.sampleAccess()));
    out.send(this.layer.encode(CSID.data, MSG.dataAmf0, streamId, reply.dataStart()));
    s.state = 'playing';
    return out.finish();
  }

  /** Refuses a pending play (default StreamNotFound) and closes. */
  rejectPlay(streamId: number, description: string, code: string = STATUS.playStreamNotFound): RtmpServerOutput[] {
    return this.reject(streamId, 'play-pending', code, description, 'play_rejected');
  }

  /** Tells a player its publisher left (StreamEOF + Play.UnpublishNotify); the player stays. */
  sendUnpublishNotify(streamId: number): RtmpServerOutput[] {
    if (this.streams.get(streamId)?.state !== 'playing') return [];
    const out = new Outbox<RtmpServerEvent>();
    out.send(this.layer.userControl({ type: 'streamEof', streamId }));
    out.send(this.streamCommand(streamId, reply.unpublishNotify()));
    return out.finish();
  }

  /** Tells a waiting player a publisher is back (StreamBegin + Play.PublishNotify). */
  sendPublishNotify(streamId: number): RtmpServerOutput[] {
    if (this.streams.get(streamId)?.state !== 'playing') return [];
    const out = new Outbox<RtmpServerEvent>();
    out.send(this.layer.userControl({ type: 'streamBegin', streamId }));
    out.send(this.streamCommand(streamId, reply.publishNotify()));
    return out.finish();
  }

  /** Any other NetStream status (e.g. a warning before a kick). */
  sendStatus(streamId: number, level: StatusLevel, code: string, description: string): RtmpServerOutput[] {
    if (this.phase !== 'connected') return [];
    return [{ kind: 'send', bytes: this.streamCommand(streamId, reply.streamStatus(level, code, description)) }];
  }

  // -------------------------------------------------------------------------

  /** C0C1 in, S0S1S2 out, C2 in: then `connect` is awaited. */
  private onHandshake(bytes: Uint8Array, now: number, out: Outbox<RtmpServerEvent>): Uint8Array | null {
    if (this.phase !== 'handshake') return bytes;
    const step = this.handshake.receive(bytes, now);
    if (step.send) out.send(step.send);
    if (!step.done) return null;
    this.phase = 'connecting';
    out.emit({ kind: 'handshake', mode: this.handshake.mode! });
    return step.rest;
  }

  private onMessage(msg: RtmpMessage, out: Outbox<RtmpServerEvent>): void {
    switch (msg.typeId) {
      case MSG.acknowledgement:
      case MSG.windowAckSize:
      case MSG.setPeerBandwidth:
      case MSG.userControl:
        // pings are answered inside; other user control events need nothing from a server
        this.layer.handleControl(msg, (b) => out.send(b));
        return;
      case MSG.commandAmf0:
      case MSG.commandAmf3:
        this.commands.handle(decodeCommand(msg.typeId, msg.payload), msg.streamId, this.phase === 'connecting', out);
        return;
      case MSG.audio:
      case MSG.video:
        this.onMedia(msg, out);
        return;
      case MSG.dataAmf0:
      case MSG.dataAmf3: {
        const payload = stripSetDataFrame(amf0DataPayload(msg.typeId, msg.payload));
        this.onMedia({ ...msg, typeId: MSG.dataAmf0, payload }, out);
        return;
      }
      case MSG.aggregate:
        this.onAggregate(msg, out);
        return;
      case MSG.sharedObjectAmf0:
      case MSG.sharedObjectAmf3:
        this.dropped++; // remote shared objects: FMS-only, not supported
        return;
      default:
        // bad-inputs row 19: ignore, count, close past the limit
        if (++this.unknown > this.opts.maxUnknownMessages) {
          throw new ProtocolError('too_many_unknown_messages', `more than ${this.opts.maxUnknownMessages} messages of unknown types`);
        }
    }
  }

  private onAggregate(msg: RtmpMessage, out: Outbox<RtmpServerEvent>): void {
    let subs: RtmpMessage[];
    try {
      subs = splitAggregate(msg);
    } catch (e) {
      if (!(e instanceof ProtocolError)) throw e;
      this.dropped++; // bad-inputs row 20: drop the message, keep the connection
      return;
    }
    for (const sub of subs) {
      if (sub.typeId === MSG.audio || sub.typeId === MSG.video || sub.typeId === MSG.dataAmf0) this.onMedia(sub, out);
      else this.dropped++;
    }
  }

  private onMedia(msg: RtmpMessage, out: Outbox<RtmpServerEvent>): void {
    const s = this.streams.publisherOf(msg.streamId);
    if (!s) {
      this.dropped++; // before acceptPublish, or from a connection that does not publish
      return;
    }
    s.lastMediaAt = this.lastNow;
    out.emit({ kind: 'media', streamId: s.id, message: msg.streamId === s.id ? msg : { ...msg, streamId: s.id } });
  }

  private pending(streamId: number, state: NetStreamState): NetStream | null {
    return this.phase === 'closed' ? null : this.streams.inState(streamId, state);
  }

  private reject(streamId: number, state: NetStreamState, code: string, description: string, reason: string): RtmpServerOutput[] {
    if (!this.pending(streamId, state)) return [];
    const out = new Outbox<RtmpServerEvent>();
    this.commands.failStream(out, streamId, code, description, reason);
    return out.finish();
  }

  private shutdown(out: Outbox<RtmpServerEvent>, reason: string, message: string): void {
    if (this.phase === 'closed') return;
    this.streams.stopAll(out, this.lastNow);
    this.phase = 'closed';
    this.layer.discardInput();
    out.emit({ kind: 'close', reason, message });
  }

  /** A NetStream command message (chunk stream 5) on `streamId`. */
  private streamCommand(streamId: number, payload: Uint8Array): Uint8Array {
    return netStreamCommand(this.layer, streamId, payload);
  }
}
