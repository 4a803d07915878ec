import type { Socket } from 'node:net';
import type { Consumer } from '../../hub/consumer.ts';
import type { MediaKind } from '../../hub/media-message.ts';
import type { PublishHandle, Source } from '../../hub/source.ts';
import { RtmpServerSession } from '../../protocol/rtmp/server-session.ts';
import type { RtmpServerOutput } from '../../protocol/rtmp/server-session.ts';
import { MSG } from '../../protocol/rtmp/message.ts';
import { STATUS } from '../../protocol/rtmp/status.ts';
import type { ClientRecord } from '../clients.ts';
import { newClientId } from '../clients.ts';
import type { PlayerPump } from '../delivery/player-pump.ts';
import { clientLog } from '../log/client-events.ts';
import type { ClientLog, CloseReason } from '../log/client-events.ts';
import { updateStreamInfo } from '../stream-info.ts';
import { closeLogReason, normalizeIp } from './rtmp-close-reason.ts';
import type { RtmpDeps } from './rtmp-deps.ts';
import { RtmpHookCalls } from './rtmp-hooks.ts';
import type { HookStream } from './rtmp-hooks.ts';
import { attachRtmpPlayer } from './rtmp-player.ts';

type PublishEvent = Extract<RtmpServerOutput, { kind: 'publish' }>;
type PlayEvent = Extract<RtmpServerOutput, { kind: 'play' }>;

const KIND_OF_TYPE: Record<number, MediaKind> = { [MSG.audio]: 'audio', [MSG.video]: 'video', [MSG.dataAmf0]: 'data', [MSG.dataAmf3]: 'data' };

interface Publishing {
  readonly streamId: number;
  readonly source: Source;
  readonly handle: PublishHandle;
  readonly name: string;
  readonly hook: HookStream;
  readonly since: number;
  lastMediaAt: number;
  gotMedia: boolean;
}

interface Playing {
  readonly streamId: number;
  readonly source: Source;
  readonly consumer: Consumer;
  readonly pump: PlayerPump;
  readonly name: string;
  readonly hook: HookStream;
}

/** A publish or play waiting for its hook; replaced or cleared when the stream goes away first. */
interface Pending {
  readonly streamId: number;
}

/**
 * One RTMP connection: socket bytes into the sans-IO session, its sends back
 * to the socket, its events into the hub. A publisher pushes into its source
 * through its PublishHandle; a player reads its consumer through a pump that
 * writes the shared chunked form of each frame. Anything the peer does wrong
 * ends in the session's `close` event with a reason code: the connection
 * closes, the log says why, nothing else is affected.
 *
 * Admission is asynchronous (SRS http_hooks, `rtmp-hooks.ts`): on_connect
 * may close the connection; on_publish runs before any source is touched
 * (bad-inputs row 33), then the source is claimed (busy -> refused); on_play
 * runs before the player attaches. The connection may close, or the client
 * delete the stream, while a hook is pending: the answer is then ignored.
 */
export class RtmpConnection {
  readonly id = newClientId();
  private readonly socket: Socket;
  private readonly deps: RtmpDeps;
  private readonly session: RtmpServerSession;
  private readonly clog: ClientLog;
  private readonly record: ClientRecord;
  private readonly connectedAt: number;
  private publishing: Publishing | null = null;
  private playing: Playing | null = null;
  private pending: Pending | null = null;
  private readonly hooks: RtmpHookCalls;
  /** Why admission refused this connection, for its close line (the session only knows it was rejected). */
  private denial: CloseReason | null = null;
  private sent = 0;
  private closed = false;

  constructor(socket: Socket, deps: RtmpDeps) {
    this.socket = socket;
    this.deps = deps;
    const now = deps.now();
    this.connectedAt = now;
    const ip = normalizeIp(socket.remoteAddress);
    this.clog = clientLog(deps.log, { client: this.id, ip, proto: 'rtmp' });
    this.hooks = new RtmpHookCalls(deps.hooks, { clientId: this.id, ip });
    this.session = new RtmpServerSession({
      now,
      handshakeTimeoutMs: deps.config.handshakeTimeoutMs,
      // First-packet and idle timeouts are SRS's two values; tick() below enforces both.
      publishIdleTimeoutMs: 0,
      chunkSize: deps.config.chunkSize,
      limits: { maxMessageBytes: deps.config.maxMessageBytes },
    });
    this.record = {
      id: this.id,
      ip,
      connectedAt: Date.now(),
      type: 'rtmp-play',
      publish: false,
      tcUrl: '',
      pageUrl: '',
      swfUrl: '',
      url: '',
      name: '',
      sourceId: '',
      recvBytes: () => this.session.stats.bytesReceived,
      sendBytes: () => this.sent + (this.playing?.pump.sentBytes ?? 0),
      kick: () => this.apply(this.session.close('kicked', 'kicked by the API')),
    };
    deps.clients.add(this.record);
    socket.setNoDelay(true);
    socket.on('data', (b: Buffer) => this.apply(this.session.receive(b, this.deps.now())));
    socket.on('error', (e) => this.apply(this.session.close('socket_error', e.message)));
    socket.on('close', () => this.apply(this.session.close('client_closed')));
  }

  /** Time passing (called about once a second): handshake deadline and SRS's publish timeouts. */
  tick(now: number): void {
    this.apply(this.session.tick(now));
    const p = this.publishing;
    if (p === null) return;
    if (!p.gotMedia && now - p.since >= this.deps.config.firstPacketTimeoutMs) {
      this.apply(this.session.close('publish_timeout', `no media within ${this.deps.config.firstPacketTimeoutMs} ms of publish`));
    } else if (p.gotMedia && now - p.lastMediaAt >= this.deps.config.normalTimeoutMs) {
      this.apply(this.session.close('publish_timeout', `no media for ${this.deps.config.normalTimeoutMs} ms`));
    }
  }

  /** The node is stopping. */
  stop(): void {
    this.apply(this.session.close('server_stopping'));
  }

  get isClosed(): boolean {
    return this.closed;
  }

  private apply(outputs: readonly RtmpServerOutput[]): void {
    for (const o of outputs) {
      if (o.kind === 'send') this.write(o.bytes);
      else this.onEvent(o);
    }
  }

  private write(bytes: Uint8Array): void {
    if (this.socket.destroyed || this.socket.writableEnded) return;
    this.sent += bytes.length;
    this.socket.write(bytes);
  }

  private onEvent(e: Exclude<RtmpServerOutput, { kind: 'send' }>): void {
    switch (e.kind) {
      case 'handshake':
        return;
      case 'connect':
        this.record.tcUrl = e.tcUrl;
        this.record.pageUrl = e.pageUrl;
        this.record.swfUrl = e.swfUrl;
        this.clog.connect({ tcUrl: e.tcUrl, app: e.app });
        return this.guard(this.admitConnect(e));
      case 'publish':
        return this.guard(this.onPublish(e));
      case 'play':
        return this.guard(this.onPlay(e));
      case 'media':
        return this.onMedia(e.message.typeId, e.message.timestamp, e.message.payload);
      case 'unpublish':
        if (this.pending?.streamId === e.streamId) this.pending = null;
        return this.endPublish('client_closed');
      case 'play-stop':
        if (this.pending?.streamId === e.streamId) this.pending = null;
        return this.endPlay('client_closed');
      case 'pause':
        return;
      case 'close':
        return this.onClose(e.reason, e.message);
    }
  }

  /** Runs an admission step; a bug in it closes this connection instead of escaping as an unhandled rejection. */
  private guard(step: Promise<void>): void {
    step.catch((error: unknown) => {
      this.clog.log.error('rtmp_admission_failed', { error: error as Error });
      this.apply(this.session.close('internal_error', 'admission failed'));
    });
  }

  /** on_connect: the session already answered `connect`, so a refusal closes the connection (as SRS does). */
  private async admitConnect(info: Extract<RtmpServerOutput, { kind: 'connect' }>): Promise<void> {
    const verdict = await this.hooks.connect(info);
    if (verdict.ok || this.closed) return;
    this.denial = verdict.reason;
    this.clog.reject(verdict.reason, { stream: info.app, hook: 'on_connect', hook_url: verdict.url, detail: verdict.detail });
    this.apply(this.session.close(verdict.reason, `on_connect refused: ${verdict.detail}`));
  }

  /**
   * on_publish / on_play: the stream name to use when the hook admitted the
   * stream and it is still wanted (the connection may close, or the client
   * delete the stream, while the hook runs), else null. The name is the
   * client's unless the verdict renames it (a control plane's playback name).
   * A refusal is logged and sent to the client.
   */
  private async admitStream(e: PublishEvent | PlayEvent, hook: HookStream): Promise<{ readonly name: string; readonly record?: boolean } | null> {
    const name = `${e.app}/${e.streamName}`;
    if (this.publishing !== null || this.playing !== null || this.pending !== null) {
      this.clog.reject('protocol_error', { stream: name, why: 'second publish or play on one connection' });
      return this.refuseStream(e, 'one publish or play per connection');
    }
    const ticket: Pending = { streamId: e.streamId };
    this.pending = ticket;
    const verdict = await (e.kind === 'publish' ? this.hooks.publish(hook) : this.hooks.play(hook));
    if (this.closed || this.pending !== ticket) return null;
    this.pending = null;
    if (verdict.ok) return { name: verdict.streamName ?? e.streamName, ...(verdict.record === undefined ? {} : { record: verdict.record }) };
    const action = e.kind === 'publish' ? 'on_publish' : 'on_play';
    this.denial = verdict.reason;
    this.clog.reject(verdict.reason, { stream: name, hook: action, hook_url: verdict.url, detail: verdict.detail });
    return this.refuseStream(e, verdict.reason === 'hook_rejected' ? `${e.kind} refused by the ${action} hook` : `${e.kind} authorization unavailable`);
  }

  private refuseStream(e: PublishEvent | PlayEvent, why: string): null {
    this.apply(e.kind === 'publish' ? this.session.rejectPublish(e.streamId, why) : this.session.rejectPlay(e.streamId, why, STATUS.playFailed));
    return null;
  }

  /** What the hooks say about the stream of `e`; its stat id only if the source already exists (nothing is created here). */
  private hookStream(e: PublishEvent | PlayEvent): HookStream {
    const existing = this.deps.streams.get({ vhost: e.vhost, app: e.app, stream: e.streamName });
    return { vhost: e.vhost, stream: e.streamName, param: e.param, streamId: existing?.id };
  }

  private async onPublish(e: PublishEvent): Promise<void> {
    // The hook runs before getOrCreate: a refused publisher never creates a source (bad-inputs row 33).
    const admitted = this.hookStream(e);
    const admission = await this.admitStream(e, admitted);
    if (admission === null) return;
    const streamName = admission.name;
    // Later hooks (on_unpublish, on_hls) name the stream as it is published.
    const hook = { ...admitted, stream: streamName };
    const name = `${e.app}/${streamName}`;
    const source = this.deps.streams.getOrCreate({ vhost: e.vhost, app: e.app, stream: streamName });
    const result = source.publish({ clientId: this.id, protocol: 'rtmp', ...(admission.record === undefined ? {} : { record: admission.record }) });
    if (!result.ok) {
      this.denial = 'stream_busy';
      this.clog.reject('stream_busy', { stream: name, publisher: result.current.clientId });
      this.apply(this.session.rejectPublish(e.streamId, `stream ${name} is already being published`, STATUS.publishBadName));
      return;
    }
    const now = this.deps.now();
    const { streamId } = e;
    const handle = result.publisher;
    this.publishing = { streamId, source, handle, name, hook: { ...hook, streamId: source.id }, since: now, lastMediaAt: now, gotMedia: false };
    Object.assign(this.record, { type: 'fmle-publish', publish: true, url: `/${name}`, name: streamName, sourceId: source.id });
    this.apply(this.session.acceptPublish(streamId));
    this.clog.publish(name);
  }

  private onMedia(typeId: number, timestamp: number, payload: Uint8Array): void {
    const p = this.publishing;
    const kind = KIND_OF_TYPE[typeId];
    if (p === null || kind === undefined) return;
    p.gotMedia = true;
    p.lastMediaAt = this.deps.now();
    const msg = p.handle.push(kind, timestamp, payload);
    if (msg !== null && msg.sequenceHeader) {
      const bad = updateStreamInfo(p.source, msg);
      if (bad !== null) this.clog.log.warn('bad_sequence_header', { stream: p.name, code: bad });
    }
  }

  private endPublish(reason: CloseReason): void {
    const p = this.publishing;
    if (p === null) return;
    this.publishing = null;
    p.handle.unpublish();
    this.clog.unpublish(p.name, reason);
    this.hooks.unpublish(p.hook, this.session.stats.bytesReceived);
  }

  private async onPlay(e: PlayEvent): Promise<void> {
    const hook = this.hookStream(e);
    if ((await this.admitStream(e, hook)) === null) return;
    const { streamId } = e;
    const name = `${e.app}/${e.streamName}`;
    const key = { vhost: e.vhost, app: e.app, stream: e.streamName };
    const source = this.deps.streams.getOrCreate(key);
    const apply = (o: readonly RtmpServerOutput[]): void => this.apply(o);
    const { consumer, pump } = attachRtmpPlayer(source, streamId, { clientId: this.id, socket: this.socket, session: this.session, deps: this.deps, apply });
    this.playing = { streamId, source, consumer, pump, name, hook: { ...hook, streamId: source.id } };
    Object.assign(this.record, { type: 'rtmp-play', publish: false, url: `/${name}`, name: e.streamName, sourceId: source.id });
    this.apply(this.session.acceptPlay(streamId));
    this.clog.play(name);
    pump.flushNow();
  }

  private endPlay(reason: CloseReason): void {
    const p = this.playing;
    if (p === null) return;
    this.playing = null;
    p.pump.stop();
    p.consumer.close();
    this.sent += p.pump.sentBytes;
    this.clog.stop(p.name, reason);
    this.hooks.stop(p.hook);
  }

  private onClose(reason: string, message: string): void {
    if (this.closed) return;
    this.closed = true;
    this.pending = null;
    const logReason = closeLogReason(reason, this.denial);
    this.endPublish(logReason === 'slow_consumer' ? 'protocol_error' : logReason);
    this.endPlay(logReason);
    this.hooks.close(this.sent, this.session.stats.bytesReceived);
    this.deps.clients.remove(this.id);
    const fields = {
      reason: logReason,
      code: reason,
      message: message === '' ? undefined : message,
      duration_ms: Math.round(this.deps.now() - this.connectedAt),
      recv_bytes: this.session.stats.bytesReceived,
      send_bytes: this.sent,
    };
    if (logReason === 'protocol_error' || logReason === 'timeout') this.clog.log.warn('close', fields);
    else this.clog.log.info('close', fields);
    // Let the session's last words (an _error or onStatus) reach the peer, then close.
    if (!this.socket.destroyed) this.socket.end();
    setTimeout(() => this.socket.destroy(), 1000).unref();
    this.deps.onClosed(this);
  }
}
