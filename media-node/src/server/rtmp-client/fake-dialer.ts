import { chunkMessageParts } from '../../protocol/rtmp/chunk-writer.ts';
import { csidForType } from '../../protocol/rtmp/message.ts';
import type { RtmpMessage } from '../../protocol/rtmp/message.ts';
import { RtmpServerSession } from '../../protocol/rtmp/server-session.ts';
import type { RtmpServerOutput } from '../../protocol/rtmp/server-session.ts';
import type { ClientTransport, Dialer, TransportHandlers } from './transport.ts';

/** How the fake answers the next dial. */
export type FakeDialMode = 'accept' | 'refuse' | 'silent';

/** One accepted connection: an RtmpServerSession that accepts every publish and play. */
export class FakeServerConnection {
  readonly session: RtmpServerSession;
  /** Media the client published, in order. */
  readonly media: RtmpMessage[] = [];
  /** Server events other than media (connect, publish, play, unpublish, close...). */
  readonly events: string[] = [];
  /** The stream id of an accepted play, 0 before. */
  playStreamId = 0;
  private readonly handlers: TransportHandlers;
  private readonly server: FakeRtmpServer;
  private closed = false;

  constructor(server: FakeRtmpServer, handlers: TransportHandlers, now: number) {
    this.server = server;
    this.handlers = handlers;
    this.session = new RtmpServerSession({ now, publishIdleTimeoutMs: 0 });
  }

  /** Bytes from the client. */
  receive(bytes: Uint8Array): void {
    if (!this.closed) this.apply(this.session.receive(bytes, this.server.now()));
  }

  /** Writes one media message to a playing client. */
  play(typeId: number, timestamp: number, payload: Uint8Array): void {
    const parts = chunkMessageParts({ csid: csidForType(typeId), timestamp, typeId, streamId: this.playStreamId, payload }, this.session.outChunkSize);
    for (const p of parts) this.toClient(p);
  }

  /** Raw bytes to the client (garbage, for error tests). */
  toClient(bytes: Uint8Array): void {
    if (this.closed) return;
    const copy = bytes.slice();
    void Promise.resolve().then(() => {
      if (!this.closed) this.handlers.onData(copy);
    });
  }

  /** The server drops the connection (a kick, a restart). */
  kick(error: Error | null = null): void {
    if (this.closed) return;
    this.closed = true;
    void Promise.resolve().then(() => this.handlers.onClose(error));
  }

  get isClosed(): boolean {
    return this.closed;
  }

  private apply(outs: readonly RtmpServerOutput[]): void {
    for (const o of outs) {
      switch (o.kind) {
        case 'send':
          this.toClient(o.bytes);
          break;
        case 'media':
          this.media.push(o.message);
          break;
        case 'publish':
          this.events.push('publish');
          this.apply(this.session.acceptPublish(o.streamId));
          break;
        case 'play':
          this.events.push('play');
          this.playStreamId = o.streamId;
          this.apply(this.session.acceptPlay(o.streamId));
          break;
        case 'close':
          this.events.push(`close:${o.reason}`);
          this.kick();
          break;
        default:
          this.events.push(o.kind);
      }
    }
  }
}

/**
 * The fake beside `Dialer`: connections go to in-memory RtmpServerSessions.
 * Delivery is asynchronous (a microtask), like a socket; `buffered` is what
 * every transport reports as its send backlog, to simulate a slow link.
 */
export class FakeRtmpServer {
  readonly connections: FakeServerConnection[] = [];
  /** host:port of every dial, in order. */
  readonly dials: string[] = [];
  mode: FakeDialMode = 'accept';
  buffered = 0;
  readonly now: () => number;

  constructor(now: () => number = Date.now) {
    this.now = now;
  }

  get last(): FakeServerConnection {
    const c = this.connections.at(-1);
    if (c === undefined) throw new Error('no connection yet');
    return c;
  }

  readonly dial: Dialer = (host, port, handlers) => {
    this.dials.push(`${host}:${port}`);
    const mode = this.mode;
    const backlog = (): number => this.buffered;
    let done = false;
    let resolveClosed: () => void = () => {};
    const closed = new Promise<void>((r) => (resolveClosed = r));
    const finish = (error: Error | null): void => {
      if (done) return;
      done = true;
      handlers.onClose(error);
      resolveClosed();
    };
    const conn = mode === 'accept' ? new FakeServerConnection(this, { ...handlers, onClose: finish }, this.now()) : null;
    if (conn) this.connections.push(conn);
    void Promise.resolve().then(() => {
      if (mode === 'refuse') finish(Object.assign(new Error(`connect ECONNREFUSED ${host}:${port}`), { code: 'ECONNREFUSED' }));
      else if (mode === 'accept') handlers.onOpen();
    });
    const transport: ClientTransport = {
      write: (parts) => {
        if (done || conn === null) return;
        for (const p of parts) conn.receive(p.slice());
      },
      get bufferedBytes() {
        return backlog();
      },
      end: () => {
        if (conn) conn.kick();
        else void Promise.resolve().then(() => finish(null));
      },
      destroy: () => {
        if (conn) conn.kick();
        else void Promise.resolve().then(() => finish(null));
      },
      closed,
    };
    return transport;
  };
}
