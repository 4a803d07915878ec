/**
 * Test helper (tests only; the node's SRT server belongs in server/): the
 * sans-IO listener, connections and caller wired to real UDP sockets, so a
 * test can put libsrt (srt-live-transmit, ffmpeg) on the other end.
 *
 * Routing is what the server will do: a datagram for socket id 0 goes to the
 * listener unless it repeats the conclusion of a caller we already accepted
 * (then its connection answers again); any other id goes to the connection
 * with that id, if the peer address matches.
 */
import { createSocket, type RemoteInfo, type Socket } from 'node:dgram';
import { SrtCaller, type SrtCallerOptions } from '../caller.ts';
import type { SrtConnection, SrtConnectionOutput } from '../connection/connection.ts';
import { SrtListener, type SrtConnectRequest, type SrtListenerOptions } from '../listener.ts';
import { decodePacket, peekDestSocketId } from '../packets/packet.ts';

export interface HarnessConnection {
  readonly request: SrtConnectRequest;
  readonly connection: SrtConnection;
  readonly received: Uint8Array[];
  closed: string | null;
}

export interface ListenerHarness {
  readonly port: number;
  readonly connections: HarnessConnection[];
  /** Results of listener.handle other than accepted requests (rejects, ignores), for assertions. */
  readonly refusals: { kind: string; reason: string; code?: number }[];
  /** Sends a message on every open connection. */
  broadcast(payload: Uint8Array): void;
  close(): Promise<void>;
}

const now = () => performance.now();

/** Sends each output; `send` outputs go to `to`. Returns the rest. */
function apply(socket: Socket, to: RemoteInfo | { address: string; port: number }, outs: readonly SrtConnectionOutput[], c?: HarnessConnection): void {
  for (const o of outs) {
    if (o.kind === 'send') socket.send(o.bytes, to.port, to.address);
    else if (o.kind === 'data') c?.received.push(o.payload);
    else if (c) c.closed = o.reason;
  }
}

export async function startListenerHarness(
  opts: Partial<SrtListenerOptions> & { decide?: (r: SrtConnectRequest) => number | null } = {},
): Promise<ListenerHarness> {
  const socket = createSocket('udp4');
  const listener = new SrtListener({ now: now(), ...opts });
  const connections: HarnessConnection[] = [];
  const bySocketId = new Map<number, HarnessConnection>();
  const byKey = new Map<string, HarnessConnection>();
  const refusals: ListenerHarness['refusals'] = [];

  socket.on('message', (m, rinfo) => {
    const datagram = new Uint8Array(m);
    const dest = peekDestSocketId(datagram);
    if (dest === null) return;
    if (dest !== 0) {
      const c = bySocketId.get(dest);
      if (c && c.request.peer.port === rinfo.port && c.request.peer.address === rinfo.address) apply(socket, rinfo, c.connection.receive(datagram, now()), c);
      return;
    }
    try {
      const p = decodePacket(datagram);
      const known = p.kind === 'handshake' ? byKey.get(`${rinfo.address}|${rinfo.port}|${p.socketId}`) : undefined;
      if (known) return apply(socket, rinfo, known.connection.receive(datagram, now()), known);
    } catch {
      // The listener decides what to do with malformed datagrams.
    }
    const r = listener.handle(datagram, { address: rinfo.address, port: rinfo.port }, now());
    if (r.kind === 'reply') socket.send(r.bytes, rinfo.port, rinfo.address);
    else if (r.kind === 'reject') {
      refusals.push({ kind: r.kind, reason: r.reason, code: r.code });
      socket.send(r.bytes, rinfo.port, rinfo.address);
    } else if (r.kind === 'ignore') refusals.push({ kind: r.kind, reason: r.reason });
    else {
      const code = opts.decide?.(r.request) ?? null;
      if (code !== null) {
        refusals.push({ kind: 'reject', reason: 'decided', code });
        socket.send(listener.reject(r.request, code, now()), rinfo.port, rinfo.address);
        return;
      }
      const { connection, bytes } = listener.accept(r.request, now());
      const c: HarnessConnection = { request: r.request, connection, received: [], closed: null };
      connections.push(c);
      bySocketId.set(connection.localSocketId, c);
      byKey.set(r.request.key, c);
      socket.send(bytes, rinfo.port, rinfo.address);
    }
  });
  const timer = setInterval(() => {
    for (const c of connections) {
      if (c.closed === null) apply(socket, c.request.peer, c.connection.tick(now()), c);
    }
  }, 2);
  await new Promise<void>((resolve) => socket.bind(0, '127.0.0.1', resolve));
  return {
    port: socket.address().port,
    connections,
    refusals,
    broadcast(payload) {
      for (const c of connections) if (c.closed === null) apply(socket, c.request.peer, c.connection.send(payload, now()), c);
    },
    async close() {
      clearInterval(timer);
      for (const c of connections) if (c.closed === null) apply(socket, c.request.peer, c.connection.close(now()), c);
      // Let the shutdown datagrams leave before the socket closes.
      await new Promise((resolve) => setTimeout(resolve, 20));
      await new Promise<void>((resolve) => socket.close(() => resolve()));
    },
  };
}

export interface CallerHarness {
  readonly received: Uint8Array[];
  /** Resolves when connected; rejects with the failure. */
  readonly connected: Promise<SrtConnection>;
  send(payload: Uint8Array): void;
  close(): Promise<void>;
  closed(): string | null;
}

/** Our caller against a listener on 127.0.0.1:`port`. */
export async function startCallerHarness(port: number, opts: Partial<SrtCallerOptions> = {}): Promise<CallerHarness> {
  const socket = createSocket('udp4');
  await new Promise<void>((resolve) => socket.bind(0, '127.0.0.1', resolve));
  const caller = new SrtCaller({ now: now(), peerAddress: '127.0.0.1', ...opts });
  const received: Uint8Array[] = [];
  let connection: SrtConnection | null = null;
  let closedReason: string | null = null;
  let resolve!: (c: SrtConnection) => void;
  let reject!: (e: Error) => void;
  const connected = new Promise<SrtConnection>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  const handle = (outs: ReturnType<SrtCaller['receive']>): void => {
    for (const o of outs) {
      if (o.kind === 'send') socket.send(o.bytes, port, '127.0.0.1');
      else if (o.kind === 'connected') {
        connection = o.connection;
        resolve(o.connection);
      } else reject(new Error(`caller failed: ${o.reason} ${o.rejectCode ?? ''}`));
    }
  };
  const onConnection = (outs: readonly SrtConnectionOutput[]): void => {
    for (const o of outs) {
      if (o.kind === 'send') socket.send(o.bytes, port, '127.0.0.1');
      else if (o.kind === 'data') received.push(o.payload);
      else closedReason = o.reason;
    }
  };
  socket.on('message', (m) => {
    const d = new Uint8Array(m);
    if (connection) onConnection(connection.receive(d, now()));
    else handle(caller.receive(d, now()));
  });
  const timer = setInterval(() => {
    if (connection) {
      if (closedReason === null) onConnection(connection.tick(now()));
    } else handle(caller.tick(now()));
  }, 2);
  handle(caller.start(now()));
  return {
    received,
    connected,
    send(payload) {
      if (connection && closedReason === null) onConnection(connection.send(payload, now()));
    },
    async close() {
      clearInterval(timer);
      if (connection && closedReason === null) onConnection(connection.close(now()));
      await new Promise((r) => setTimeout(r, 20));
      await new Promise<void>((r) => socket.close(() => r()));
    },
    closed: () => closedReason,
  };
}
