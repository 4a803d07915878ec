import type { Amf0Value } from '../../format/amf0.ts';
import type { MessageLayer } from './message-layer.ts';
import type { Outbox } from './outbox.ts';
import { CSID, MSG } from './message.ts';
import type { RtmpCommand } from './messages/command.ts';
import { PEER_BANDWIDTH_LIMIT, encodeSetPeerBandwidth } from './messages/set-peer-bandwidth.ts';
import { parseStreamName, type ParsedStreamName } from './stream-name.ts';
import { resolveVhost } from './rtmp-url.ts';
import { parseConnect, type RtmpConnectInfo } from './connect-request.ts';
import type { PublishType, RtmpServerEvent } from './server-events.ts';
import type { NetStreams } from './net-streams.ts';
import { STATUS, errorCommand, statusInfo } from './status.ts';
import * as reply from './server-replies.ts';

/** A valid stream name with its query. */
type ParsedName = Extract<ParsedStreamName, { ok: true }>;

/** FCPublish names remembered for onFCPublish; more than a client needs, bounded against floods. */
const MAX_FC_PUBLISH_NAMES = 8;

/** What the command handling needs from the session that owns it. */
export interface ServerCommandHost {
  readonly layer: MessageLayer;
  readonly streams: NetStreams;
  readonly windowAckSize: number;
  readonly chunkSize: number;
  readonly maxStreams: number;
  /** The time of the call being handled (ms). */
  now(): number;
  /** `connect` was accepted: the session moves to 'connected'. */
  connected(): void;
  /** Stops every stream, emits `close` and ends the session. */
  shutdown(out: Outbox<RtmpServerEvent>, reason: string, message: string): void;
}

/** A NetConnection command message (chunk stream 3, message stream 0). */
export function netConnectionCommand(layer: MessageLayer, payload: Uint8Array): Uint8Array {
  return layer.encode(CSID.command, MSG.commandAmf0, 0, payload);
}

/** A NetStream command message (chunk stream 5) on `streamId`. */
export function netStreamCommand(layer: MessageLayer, streamId: number, payload: Uint8Array): Uint8Array {
  return layer.encode(CSID.streamCommand, MSG.commandAmf0, streamId, payload);
}

/**
 * The server's answers to NetConnection and NetStream commands (connect,
 * createStream, publish, play, FCPublish/FCUnpublish, deleteStream, pause,
 * ...), in SRS's order. Publish and play only become pending here: the
 * session's `acceptX`/`rejectX` decide them.
 */
export class ServerCommands {
  private readonly host: ServerCommandHost;
  private readonly fcPublishNames = new Set<string>();
  private connectInfo: RtmpConnectInfo | null = null;

  constructor(host: ServerCommandHost) {
    this.host = host;
  }

  /** The validated `connect`, or null before it. */
  get info(): RtmpConnectInfo | null {
    return this.connectInfo;
  }

  /** Whether `FCPublish` announced this name (then publish start is preceded by onFCPublish). */
  announced(name: string): boolean {
    return this.fcPublishNames.has(name);
  }

  /** One command; `connecting` while `connect` has not been accepted yet. */
  handle(cmd: RtmpCommand, streamId: number, connecting: boolean, out: Outbox<RtmpServerEvent>): void {
    if (connecting) {
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
        const s = typeof id === 'number' ? this.host.streams.get(id) : undefined;
        if (s) {
          this.host.streams.stop(s, out, this.host.now());
          this.host.streams.delete(s.id);
        }
        return;
      }
      case 'closeStream': {
        const s = this.host.streams.get(streamId);
        if (s) this.host.streams.stop(s, out, this.host.now());
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

  /** An error status on a NetStream, then close (bad-inputs row 29). */
  failStream(out: Outbox<RtmpServerEvent>, streamId: number, code: string, description: string, reason: string): void {
    out.send(netStreamCommand(this.host.layer, streamId, reply.streamStatus('error', code, description)));
    this.host.shutdown(out, reason, description);
  }

  private onConnect(cmd: RtmpCommand, out: Outbox<RtmpServerEvent>): void {
    const req = parseConnect(cmd.commandObject);
    if (!req.ok) return this.rejectConnect(out, cmd.transactionId, req.reason, req.description);
    this.connectInfo = req.info;
    const { layer, windowAckSize } = this.host;
    // SRS service_cycle order: ack window, peer bandwidth, chunk size, _result, onBWDone
    out.send(layer.windowAckSize(windowAckSize));
    out.send(layer.control(MSG.setPeerBandwidth, encodeSetPeerBandwidth({ size: windowAckSize, limitType: PEER_BANDWIDTH_LIMIT.dynamic })));
    out.send(layer.setOutChunkSize(this.host.chunkSize));
    out.send(this.command(reply.connectResult(cmd.transactionId, req.info.objectEncoding)));
    out.send(this.command(reply.onBWDone()));
    this.host.connected();
    out.emit({ kind: 'connect', ...req.info });
  }

  private onCreateStream(cmd: RtmpCommand, out: Outbox<RtmpServerEvent>): void {
    const { streams, maxStreams } = this.host;
    if (streams.size >= maxStreams) {
      return this.refuse(out, cmd.transactionId, 'too_many_streams', `more than ${maxStreams} streams`);
    }
    out.send(this.command(reply.createStreamResult(cmd.transactionId, streams.create())));
  }

  /**
   * Moves the idle stream `streamId` to `state` under the name in the
   * command's first argument. A stream that was not created or is busy, or an
   * invalid name, gets an error status and the connection closes.
   */
  private claim(cmd: RtmpCommand, streamId: number, out: Outbox<RtmpServerEvent>, state: 'publish-pending' | 'play-pending'): ParsedName | null {
    const publish = state === 'publish-pending';
    const verb = publish ? 'publish' : 'play';
    const s = this.host.streams.inState(streamId, 'idle');
    if (!s) {
      const code = publish ? STATUS.publishBadName : STATUS.playFailed;
      this.failStream(out, streamId, code, `${verb} on a stream that was not created or is busy`, `${verb}_invalid_stream`);
      return null;
    }
    const parsed = parseStreamName(cmd.args[0]);
    if (!parsed.ok) {
      const code = publish ? STATUS.publishBadName : STATUS.playStreamNotFound;
      this.failStream(out, streamId, code, `invalid stream name (${parsed.reason})`, 'bad_stream_name');
      return null;
    }
    s.state = state;
    s.name = parsed.name;
    s.param = parsed.param;
    return parsed;
  }

  private onPublish(cmd: RtmpCommand, streamId: number, out: Outbox<RtmpServerEvent>): void {
    const parsed = this.claim(cmd, streamId, out, 'publish-pending');
    if (!parsed) return;
    const t = cmd.args[1];
    const publishType: PublishType = t === 'record' || t === 'append' ? t : 'live';
    out.emit({ kind: 'publish', streamId, streamName: parsed.name, param: parsed.param, publishType, ...this.where(parsed.param) });
  }

  private onPlay(cmd: RtmpCommand, streamId: number, out: Outbox<RtmpServerEvent>): void {
    const parsed = this.claim(cmd, streamId, out, 'play-pending');
    if (!parsed) return;
    const [, start, duration, reset] = cmd.args;
    out.emit({
      kind: 'play',
      streamId,
      streamName: parsed.name,
      param: parsed.param,
      start: finite(start, -2),
      duration: finite(duration, -1),
      reset: typeof reset === 'boolean' ? reset : typeof reset === 'number' ? reset !== 0 : true,
      ...this.where(parsed.param),
    });
  }

  /** The app and vhost of a publish/play, from the connect and the stream's query. */
  private where(param: string): { app: string; vhost: string } {
    const info = this.info!;
    return { app: info.app, vhost: resolveVhost(info.host, param, info.param) };
  }

  private onFCUnpublish(cmd: RtmpCommand, out: Outbox<RtmpServerEvent>): void {
    const parsed = parseStreamName(cmd.args[0]);
    const s = this.host.streams.publishingNamed(parsed.ok ? parsed.name : null);
    if (s) out.send(netStreamCommand(this.host.layer, s.id, reply.onFCUnpublish()));
    out.send(this.command(reply.emptyResult(cmd.transactionId)));
    if (s) {
      out.send(netStreamCommand(this.host.layer, s.id, reply.unpublishSuccess()));
      this.host.streams.stop(s, out, this.host.now());
    }
  }

  private onPause(cmd: RtmpCommand, streamId: number, out: Outbox<RtmpServerEvent>): void {
    if (!this.host.streams.inState(streamId, 'playing')) return;
    const paused = cmd.args[0] === true;
    // SRS: status first, then StreamEOF (pause) or StreamBegin (unpause)
    out.send(netStreamCommand(this.host.layer, streamId, reply.pauseNotify(paused)));
    out.send(this.host.layer.userControl({ type: paused ? 'streamEof' : 'streamBegin', streamId }));
    out.emit({ kind: 'pause', streamId, paused, position: finite(cmd.args[1], 0) });
  }

  /** `_error` NetConnection.Connect.Rejected, then close (bad-inputs row 26). */
  private rejectConnect(out: Outbox<RtmpServerEvent>, transactionId: number, reason: string, description: string): void {
    out.send(this.command(errorCommand(transactionId, statusInfo('error', STATUS.connectRejected, description))));
    this.host.shutdown(out, reason, description);
  }

  /** `_error` NetConnection.Call.Failed for a command the state machine refuses, then close (rows 27-28). */
  private refuse(out: Outbox<RtmpServerEvent>, transactionId: number, reason: string, description: string): void {
    out.send(this.command(errorCommand(transactionId, statusInfo('error', STATUS.callFailed, description))));
    this.host.shutdown(out, reason, description);
  }

  private command(payload: Uint8Array): Uint8Array {
    return netConnectionCommand(this.host.layer, payload);
  }
}

function finite(v: Amf0Value, fallback: number): number {
  return typeof v === 'number' && Number.isFinite(v) ? v : fallback;
}
