import { randomBytes } from 'node:crypto';
import { ProtocolError } from '@runnel/shared';
import type { Amf0Value } from '../../format/amf0.ts';
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
import { decodeCommand, type RtmpCommand } from './messages/command.ts';
import { amf0DataPayload, stripSetDataFrame } from './messages/data.ts';
import { splitAggregate } from './messages/aggregate.ts';
import { PEER_BANDWIDTH_LIMIT, encodeSetPeerBandwidth } from './messages/set-peer-bandwidth.ts';
import { parseStreamName } from './stream-name.ts';
import { resolveVhost } from './rtmp-url.ts';
import { parseConnect, type RtmpConnectInfo } from './connect-request.ts';
import type { PublishType, RtmpServerEvent, RtmpServerOutput, RtmpServerStats } from './server-events.ts';

export type { RtmpConnectInfo } from './connect-request.ts';
export type { PublishType, RtmpServerEvent, RtmpServerOutput, RtmpServerStats } from './server-events.ts';
import { STATUS, errorCommand, statusInfo, type StatusLevel } from './status.ts';
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

type NetStreamState = 'idle' | 'publish-pending' | 'publishing' | 'play-pending' | 'playing';

interface NetStream {
  readonly id: number;
  state: NetStreamState;
  name: string;
  param: string;
  lastMediaAt: number;
}


/** FCPublish names remembered for onFCPublish; more than a client needs, bounded against floods. */
const MAX_FC_PUBLISH_NAMES = 8;

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
  /** Since when no stream has been publishing or playing (pending included). */
  private idleSince: number;
  private readonly handshake: ServerHandshake;
  private readonly layer: MessageLayer;
  private readonly streams = new Map<number, NetStream>();
  private readonly fcPublishNames = new Set<string>();
  private phase: 'handshake' | 'connecting' | 'connected' | 'closed' = 'handshake';
  private info: RtmpConnectInfo | null = null;
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
    this.idleSince = options.now;
    this.lastNow = options.now;
    this.handshake = new ServerHandshake(options.random ?? ((n) => new Uint8Array(randomBytes(n))));
    this.layer = new MessageLayer(options.limits);
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
    return this.info;
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
    const out = new Outbox<RtmpServerEvent>();
    try {
      this.layer.count(bytes.length);
      let rest = bytes;
      if (this.phase === 'handshake') {
        const step = this.handshake.receive(bytes, now);
        if (step.send) out.send(step.send);
        if (!step.done) return out.finish();
        this.phase = 'connecting';
        out.emit({ kind: 'handshake', mode: this.handshake.mode! });
        rest = step.rest;
      }
      for (const msg of this.layer.read(rest)) {
        this.onMessage(msg, out);
        if (this.isClosed()) return out.finish();
      }
      const ack = this.layer.takeAck();
      if (ack) out.send(ack);
    } catch (e) {
      if (!(e instanceof ProtocolError)) throw e;
      this.shutdown(out, e.code, e.message);
    }
    return out.finish();
  }

  /** Time passing: closes at the handshake/connect and publish/play deadlines and on idle publishers. */
  tick(now: number): RtmpServerOutput[] {
    if (this.phase === 'closed') return [];
    this.lastNow = now;
    const out = new Outbox<RtmpServerEvent>();
    if (this.phase !== 'connected' && now - this.createdAt >= this.opts.handshakeTimeoutMs) {
      this.shutdown(out, 'handshake_timeout', `no connect within ${this.opts.handshakeTimeoutMs} ms`);
    } else if (this.phase === 'connected' && !this.hasActiveStream() && now - this.idleSince >= this.opts.identifyTimeoutMs) {
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
    if (this.fcPublishNames.has(s.name)) out.send(this.streamCommand(streamId, reply.onFCPublish()));
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

  /** A method, not a field read, so the check after a call is not narrowed away. */
  private isClosed(): boolean {
    return this.phase === 'closed';
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
        this.onCommand(decodeCommand(msg.typeId, msg.payload), msg.streamId, out);
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
    const s = this.publisherOf(msg.streamId);
    if (!s) {
      this.dropped++; // before acceptPublish, or from a connection that does not publish
      return;
    }
    s.lastMediaAt = this.lastNow;
    out.emit({ kind: 'media', streamId: s.id, message: msg.streamId === s.id ? msg : { ...msg, streamId: s.id } });
  }

  /** The publishing stream for a message stream id; a single publisher also owns stray ids (SRS ignores them). */
  private publisherOf(streamId: number): NetStream | null {
    const exact = this.streams.get(streamId);
    if (exact) return exact.state === 'publishing' ? exact : null;
    let only: NetStream | null = null;
    for (const s of this.streams.values()) {
      if (s.state !== 'publishing') continue;
      if (only) return null;
      only = s;
    }
    return only;
  }

  private onCommand(cmd: RtmpCommand, streamId: number, out: Outbox<RtmpServerEvent>): void {
    if (this.phase === 'connecting') {
      if (cmd.name === 'connect') this.onConnect(cmd, out);
      else this.refuse(out, cmd.transactionId, 'command_before_connect', `${cmd.name} before connect`);
      return;
    }
    switch (cmd.name) {
      case 'connect':
        return this.refuse(out, cmd.transactionId, 'connect_twice', 'connect on a connected session');
      case 'createStream':
        return this.onCreateStream(cmd, out);
      case 'releaseStream':
        return out.send(this.command(reply.emptyResult(cmd.transactionId)));
      case 'FCPublish': {
        const parsed = parseStreamName(cmd.args[0]);
        if (parsed.ok && this.fcPublishNames.size < MAX_FC_PUBLISH_NAMES) this.fcPublishNames.add(parsed.name);
        return out.send(this.command(reply.emptyResult(cmd.transactionId)));
      }
      case 'publish':
        return this.onPublish(cmd, streamId, out);
      case 'play':
        return this.onPlay(cmd, streamId, out);
      case 'FCUnpublish':
        return this.onFCUnpublish(cmd, out);
      case 'deleteStream': {
        const id = cmd.args[0];
        const s = typeof id === 'number' ? this.streams.get(id) : undefined;
        if (s) {
          this.stopStream(s, out);
          this.streams.delete(s.id);
        }
        return;
      }
      case 'closeStream': {
        const s = this.streams.get(streamId);
        if (s) this.stopStream(s, out);
        return;
      }
      case 'pause':
        return this.onPause(cmd, streamId, out);
      case 'getStreamLength':
        // ffmpeg reads a number here (read_number_result) as the duration; 0 = live
        return out.send(this.command(reply.streamLengthResult(cmd.transactionId)));
      case '_result':
      case '_error':
        return; // answers to our onBWDone etc.: nothing to do
      default:
        // checkBandwidth, _checkbw, FCSubscribe and unknown calls:
        // SRS answers any call that expects a result with an empty _result (#106);
        // seek, receiveAudio, receiveVideo (transaction 0) are ignored on live streams.
        if (cmd.transactionId > 0) out.send(this.command(reply.emptyResult(cmd.transactionId)));
    }
  }

  private onConnect(cmd: RtmpCommand, out: Outbox<RtmpServerEvent>): void {
    const req = parseConnect(cmd.commandObject);
    if (!req.ok) return this.rejectConnect(out, cmd.transactionId, req.reason, req.description);
    this.info = req.info;
    // SRS service_cycle order: ack window, peer bandwidth, chunk size, _result, onBWDone
    out.send(this.layer.windowAckSize(this.opts.windowAckSize));
    out.send(
      this.layer.control(
        MSG.setPeerBandwidth,
        encodeSetPeerBandwidth({ size: this.opts.windowAckSize, limitType: PEER_BANDWIDTH_LIMIT.dynamic }),
      ),
    );
    out.send(this.layer.setOutChunkSize(this.opts.chunkSize));
    out.send(this.command(reply.connectResult(cmd.transactionId, req.info.objectEncoding)));
    out.send(this.command(reply.onBWDone()));
    this.phase = 'connected';
    out.emit({ kind: 'connect', ...this.info });
  }

  private onCreateStream(cmd: RtmpCommand, out: Outbox<RtmpServerEvent>): void {
    if (this.streams.size >= this.opts.maxStreams) {
      return this.refuse(out, cmd.transactionId, 'too_many_streams', `more than ${this.opts.maxStreams} streams`);
    }
    let id = 1;
    while (this.streams.has(id)) id++; // lowest free id: players share one chunked form per stream id
    this.streams.set(id, { id, state: 'idle', name: '', param: '', lastMediaAt: 0 });
    out.send(this.command(reply.createStreamResult(cmd.transactionId, id)));
  }

  private onPublish(cmd: RtmpCommand, streamId: number, out: Outbox<RtmpServerEvent>): void {
    const s = this.streams.get(streamId);
    if (!s || s.state !== 'idle') {
      return this.failStream(out, streamId, STATUS.publishBadName, 'publish on a stream that was not created or is busy', 'publish_invalid_stream');
    }
    const parsed = parseStreamName(cmd.args[0]);
    if (!parsed.ok) {
      return this.failStream(out, streamId, STATUS.publishBadName, `invalid stream name (${parsed.reason})`, 'bad_stream_name');
    }
    const t = cmd.args[1];
    const publishType: PublishType = t === 'record' || t === 'append' ? t : 'live';
    s.state = 'publish-pending';
    s.name = parsed.name;
    s.param = parsed.param;
    const info = this.info!;
    out.emit({
      kind: 'publish',
      streamId,
      streamName: parsed.name,
      param: parsed.param,
      publishType,
      app: info.app,
      vhost: resolveVhost(info.host, parsed.param, info.param),
    });
  }

  private onPlay(cmd: RtmpCommand, streamId: number, out: Outbox<RtmpServerEvent>): void {
    const s = this.streams.get(streamId);
    if (!s || s.state !== 'idle') {
      return this.failStream(out, streamId, STATUS.playFailed, 'play on a stream that was not created or is busy', 'play_invalid_stream');
    }
    const parsed = parseStreamName(cmd.args[0]);
    if (!parsed.ok) {
      return this.failStream(out, streamId, STATUS.playStreamNotFound, `invalid stream name (${parsed.reason})`, 'bad_stream_name');
    }
    const [, start, duration, reset] = cmd.args;
    s.state = 'play-pending';
    s.name = parsed.name;
    s.param = parsed.param;
    const info = this.info!;
    out.emit({
      kind: 'play',
      streamId,
      streamName: parsed.name,
      param: parsed.param,
      start: finite(start, -2),
      duration: finite(duration, -1),
      reset: typeof reset === 'boolean' ? reset : typeof reset === 'number' ? reset !== 0 : true,
      app: info.app,
      vhost: resolveVhost(info.host, parsed.param, info.param),
    });
  }

  private onFCUnpublish(cmd: RtmpCommand, out: Outbox<RtmpServerEvent>): void {
    const parsed = parseStreamName(cmd.args[0]);
    const name = parsed.ok ? parsed.name : null;
    const s = [...this.streams.values()].find(
      (x) => x.name === name && (x.state === 'publishing' || x.state === 'publish-pending'),
    );
    if (s) out.send(this.streamCommand(s.id, reply.onFCUnpublish()));
    out.send(this.command(reply.emptyResult(cmd.transactionId)));
    if (s) {
      out.send(this.streamCommand(s.id, reply.unpublishSuccess()));
      this.stopStream(s, out);
    }
  }

  private onPause(cmd: RtmpCommand, streamId: number, out: Outbox<RtmpServerEvent>): void {
    const s = this.streams.get(streamId);
    if (!s || s.state !== 'playing') return;
    const paused = cmd.args[0] === true;
    // SRS: status first, then StreamEOF (pause) or StreamBegin (unpause)
    out.send(this.streamCommand(streamId, reply.pauseNotify(paused)));
    out.send(this.layer.userControl({ type: paused ? 'streamEof' : 'streamBegin', streamId }));
    out.emit({ kind: 'pause', streamId, paused, position: finite(cmd.args[1], 0) });
  }

  /** Ends publishing/playing on a stream, emitting the matching event; the stream stays allocated. */
  private stopStream(s: NetStream, out: Outbox<RtmpServerEvent>): void {
    if (s.state === 'publishing' || s.state === 'publish-pending') {
      out.emit({ kind: 'unpublish', streamId: s.id, streamName: s.name });
    } else if (s.state === 'playing' || s.state === 'play-pending') {
      out.emit({ kind: 'play-stop', streamId: s.id, streamName: s.name });
    }
    const wasActive = s.state !== 'idle';
    s.state = 'idle';
    // the publish/play deadline starts again when the last stream ends
    if (wasActive && !this.hasActiveStream()) this.idleSince = this.lastNow;
  }

  private hasActiveStream(): boolean {
    for (const s of this.streams.values()) if (s.state !== 'idle') return true;
    return false;
  }

  private pending(streamId: number, state: NetStreamState): NetStream | null {
    if (this.phase === 'closed') return null;
    const s = this.streams.get(streamId);
    return s && s.state === state ? s : null;
  }

  private reject(streamId: number, state: NetStreamState, code: string, description: string, reason: string): RtmpServerOutput[] {
    if (!this.pending(streamId, state)) return [];
    const out = new Outbox<RtmpServerEvent>();
    this.failStream(out, streamId, code, description, reason);
    return out.finish();
  }

  /** An error status on a NetStream, then close (bad-inputs row 29). */
  private failStream(out: Outbox<RtmpServerEvent>, streamId: number, code: string, description: string, reason: string): void {
    out.send(this.streamCommand(streamId, reply.streamStatus('error', code, description)));
    this.shutdown(out, reason, description);
  }

  /** `_error` NetConnection.Connect.Rejected, then close (bad-inputs row 26). */
  private rejectConnect(out: Outbox<RtmpServerEvent>, transactionId: number, reason: string, description: string): void {
    out.send(this.command(errorCommand(transactionId, statusInfo('error', STATUS.connectRejected, description))));
    this.shutdown(out, reason, description);
  }

  /** `_error` NetConnection.Call.Failed for a command the state machine refuses, then close (rows 27-28). */
  private refuse(out: Outbox<RtmpServerEvent>, transactionId: number, reason: string, description: string): void {
    out.send(this.command(errorCommand(transactionId, statusInfo('error', STATUS.callFailed, description))));
    this.shutdown(out, reason, description);
  }

  private shutdown(out: Outbox<RtmpServerEvent>, reason: string, message: string): void {
    if (this.phase === 'closed') return;
    for (const s of this.streams.values()) this.stopStream(s, out);
    this.phase = 'closed';
    this.layer.discardInput();
    out.emit({ kind: 'close', reason, message });
  }

  /** A NetConnection command message (chunk stream 3, message stream 0). */
  private command(payload: Uint8Array): Uint8Array {
    return this.layer.encode(CSID.command, MSG.commandAmf0, 0, payload);
  }

  /** A NetStream command message (chunk stream 5) on `streamId`. */
  private streamCommand(streamId: number, payload: Uint8Array): Uint8Array {
    return this.layer.encode(CSID.streamCommand, MSG.commandAmf0, streamId, payload);
  }
}

function finite(v: Amf0Value, fallback: number): number {
  return typeof v === 'number' && Number.isFinite(v) ? v : fallback;
}
