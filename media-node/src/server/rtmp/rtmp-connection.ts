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
import { PlayerPump } from '../delivery/player-pump.ts';
import { StreamTransport } from '../delivery/transport.ts';
import { clientLog } from '../log/client-events.ts';
import type { ClientLog } from '../log/client-events.ts';
import { updateStreamInfo } from '../stream-info.ts';
import type { RtmpDeps } from './rtmp-deps.ts';
import { rtmpWire } from './rtmp-wire.ts';

const KIND_OF_TYPE: Record<number, MediaKind> = { [MSG.audio]: 'audio', [MSG.video]: 'video', [MSG.dataAmf0]: 'data', [MSG.dataAmf3]: 'data' };

interface Publishing {
  readonly streamId: number;
  readonly source: Source;
  readonly handle: PublishHandle;
  readonly name: string;
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
}

/**
 * One RTMP connection: socket bytes into the sans-IO session, its sends back
 * to the socket, its events into the hub. A publisher pushes into its source
 * through its PublishHandle; a player reads its consumer through a pump that
 * writes the shared chunked form of each frame. Anything the peer does wrong
 * ends in the session's `close` event with a reason code: the connection
 * closes, the log says why, nothing else is affected.
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
  private sent = 0;
  private closed = false;

  constructor(socket: Socket, deps: RtmpDeps) {
    this.socket = socket;
    this.deps = deps;
    const now = deps.now();
    this.connectedAt = now;
    const ip = normalizeIp(socket.remoteAddress);
    this.clog = clientLog(deps.log, { client: this.id, ip, proto: 'rtmp' });
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
        return;
      case 'publish':
        return this.onPublish(e.streamId, e.vhost, e.app, e.streamName);
      case 'play':
        return this.onPlay(e.streamId, e.vhost, e.app, e.streamName);
      case 'media':
        return this.onMedia(e.message.typeId, e.message.timestamp, e.message.payload);
      case 'unpublish':
        return this.endPublish('client_closed');
      case 'play-stop':
        return this.endPlay('client_closed');
      case 'pause':
        return;
      case 'close':
        return this.onClose(e.reason, e.message);
    }
  }

  private onPublish(streamId: number, vhost: string, app: string, stream: string): void {
    const name = `${app}/${stream}`;
    if (this.publishing !== null || this.playing !== null) {
      this.clog.reject('protocol_error', { stream: name, why: 'second publish or play on one connection' });
      this.apply(this.session.rejectPublish(streamId, 'one publish or play per connection'));
      return;
    }
    const source = this.deps.streams.getOrCreate({ vhost, app, stream });
    const result = source.publish({ clientId: this.id, protocol: 'rtmp' });
    if (!result.ok) {
      this.clog.reject('stream_busy', { stream: name, publisher: result.current.clientId });
      this.apply(this.session.rejectPublish(streamId, `stream ${name} is already being published`, STATUS.publishBadName));
      return;
    }
    const now = this.deps.now();
    this.publishing = { streamId, source, handle: result.publisher, name, since: now, lastMediaAt: now, gotMedia: false };
    Object.assign(this.record, { type: 'fmle-publish', publish: true, url: `/${name}`, name: stream, sourceId: source.id });
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

  private endPublish(reason: 'client_closed' | 'kicked' | 'timeout' | 'server_stopping' | 'protocol_error' | 'socket_error'): void {
    const p = this.publishing;
    if (p === null) return;
    this.publishing = null;
    p.handle.unpublish();
    this.clog.unpublish(p.name, reason);
  }

  private onPlay(streamId: number, vhost: string, app: string, stream: string): void {
    const name = `${app}/${stream}`;
    if (this.publishing !== null || this.playing !== null) {
      this.clog.reject('protocol_error', { stream: name, why: 'second publish or play on one connection' });
      this.apply(this.session.rejectPlay(streamId, 'one publish or play per connection'));
      return;
    }
    const source = this.deps.streams.getOrCreate({ vhost, app, stream });
    const chunkSize = this.session.outChunkSize;
    const shared = this.deps.config.chunkSize;
    let pump: PlayerPump | null = null;
    const consumer = source.addConsumer({
      ...this.deps.play,
      clientId: this.id,
      listener: {
        onReadable: () => pump?.readable(),
        onUnpublish: () => {
          pump?.flushNow();
          this.apply(this.session.sendUnpublishNotify(streamId));
        },
        onPublish: () => this.apply(this.session.sendPublishNotify(streamId)),
        onClose: (_c, reason) => {
          if (reason === 'slow_consumer') this.apply(this.session.close('slow_consumer', 'player fell behind'));
        },
      },
    });
    pump = new PlayerPump(consumer, new StreamTransport(this.socket), (m) => rtmpWire(m, chunkSize, streamId, shared), this.deps.now);
    this.playing = { streamId, source, consumer, pump, name };
    Object.assign(this.record, { type: 'rtmp-play', publish: false, url: `/${name}`, name: stream, sourceId: source.id });
    this.apply(this.session.acceptPlay(streamId));
    this.clog.play(name);
    pump.flushNow();
  }

  private endPlay(reason: 'client_closed' | 'kicked' | 'timeout' | 'server_stopping' | 'protocol_error' | 'socket_error' | 'slow_consumer'): void {
    const p = this.playing;
    if (p === null) return;
    this.playing = null;
    p.pump.stop();
    p.consumer.close();
    this.sent += p.pump.sentBytes;
    this.clog.stop(p.name, reason);
  }

  private onClose(reason: string, message: string): void {
    if (this.closed) return;
    this.closed = true;
    const logReason = LOG_REASON[reason] ?? 'protocol_error';
    this.endPublish(logReason === 'slow_consumer' ? 'protocol_error' : logReason);
    this.endPlay(logReason);
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

type LogReason = 'client_closed' | 'kicked' | 'timeout' | 'server_stopping' | 'protocol_error' | 'socket_error' | 'slow_consumer';

/** Session close reasons -> the log's closed list; anything else is a protocol error code. */
const LOG_REASON: Record<string, LogReason> = {
  client_closed: 'client_closed',
  closed: 'client_closed',
  kicked: 'kicked',
  handshake_timeout: 'timeout',
  publish_timeout: 'timeout',
  server_stopping: 'server_stopping',
  socket_error: 'socket_error',
  slow_consumer: 'slow_consumer',
};

function normalizeIp(a: string | undefined): string {
  if (a === undefined) return '';
  return a.startsWith('::ffff:') ? a.slice(7) : a;
}
