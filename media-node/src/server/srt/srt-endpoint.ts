import { createSocket, type RemoteInfo, type Socket } from 'node:dgram';
import {
  decodeHandshake,
  HS_TYPE,
  peekDestSocketId,
  SRT_REJ,
  SRT_REJX,
  SrtListener,
  type SrtConnection,
  type SrtConnectionOutput,
  type SrtConnectRequest,
  type SrtListenerOptions,
} from '../../protocol/srt/index.ts';
import type { Logger } from '../log/logger.ts';

/**
 * The SRT listening socket of a node: one UDP socket, the sans-IO listener
 * for handshakes, one SrtConnection per accepted caller, and the timer that
 * drives them. It routes every datagram by destination socket id (0 ->
 * handshakes, else the connection with that id, if it comes from that
 * connection's address), keeps callers waiting for admission apart (their
 * repeated conclusions are dropped, not handled again), and bounds how many
 * callers may wait or be connected. What a connection carries is the
 * handler's business (publish into the hub, play from it).
 */

/** SRS `max_connections` default: also our cap on SRT connections per endpoint. */
export const DEFAULT_MAX_CONNECTIONS = 1000;
/** Callers waiting for admission (hooks) at once; more are refused with SRT_REJ_BACKLOG, like a full libsrt listen backlog. */
export const DEFAULT_MAX_PENDING = 64;
/**
 * Kernel socket buffers asked for: libsrt sizes its UDP buffers for its 8192-packet
 * flow window (SRTO_UDP_RCVBUF, ~12 MB). With the default (~208 KiB) a node whose
 * event loop is busy for a few ms lets the kernel drop datagrams of every caller at
 * once (measured: `runnel bench srt`, BENCHMARKS.md). Linux caps the value at
 * net.core.rmem_max / wmem_max; the log says what was granted.
 */
export const SOCKET_BUFFER_BYTES = 8 * 1024 * 1024;

/** Timer period: ACKs are due every 10 ms and TSBPD releases data to the millisecond. */
export const DEFAULT_TICK_MS = 5;

export interface SrtSession {
  readonly id: number;
  readonly request: SrtConnectRequest;
  readonly connection: SrtConnection;
  /** Sends one message (at most 1456 bytes; 1316 = 7 TS packets). */
  send(payload: Uint8Array): void;
  /** Closes from our side (shutdown packet); the handler's onClosed follows. */
  close(): void;
}

export interface SrtSessionHandler {
  onData(payload: Uint8Array): void;
  onClosed(reason: string): void;
  /** Every timer tick (5 ms), after the connection's own timers: time-based work of the handler. */
  onTick?(now: number): void;
}

/**
 * What admission decided. With `listener.keysAfterAdmission`, `passphrase` is
 * the one this caller must have encrypted with (undefined: the listener's own,
 * if any); its keys are checked before the accept, a mismatch is refused as
 * libsrt does (SRT_REJ_BADSECRET / SRT_REJ_UNSECURE).
 */
export type SrtAdmission =
  | { readonly reject: number }
  | {
      readonly accept: true;
      readonly passphrase?: string;
      /** Called if the caller is not accepted after all (its keys do not match, or the endpoint is closing): release what admission took. */
      readonly release?: () => void;
    };

export const ADMIT: SrtAdmission = { accept: true };

export interface SrtEndpointOptions {
  readonly host: string;
  readonly port: number;
  readonly listener?: Omit<SrtListenerOptions, 'now'>;
  /** Monotonic ms (performance.now in production, a fake in tests). */
  readonly now: () => number;
  readonly log: Logger;
  /** Admission (hooks, a busy stream): accept (with the caller's passphrase, see below) or the reject code the caller gets. */
  readonly admit: (request: SrtConnectRequest) => Promise<SrtAdmission>;
  /** An accepted caller; the handler gets its messages and its end. */
  readonly onSession: (session: SrtSession) => SrtSessionHandler;
  readonly maxConnections?: number;
  readonly maxPending?: number;
  readonly tickMs?: number;
}

export interface SrtEndpointStats {
  /** Datagrams not for us: malformed, forged cookies, unknown socket ids, wrong addresses. */
  readonly ignored: Readonly<Record<string, number>>;
  /** Handshakes refused, by reason. */
  readonly rejected: Readonly<Record<string, number>>;
  readonly inductions: number;
}

export interface SrtEndpoint {
  readonly port: number;
  readonly sessions: number;
  readonly pending: number;
  readonly stats: SrtEndpointStats;
  close(): Promise<void>;
}

interface Live {
  readonly session: SrtSession;
  readonly peer: { readonly address: string; readonly port: number };
  handler: SrtSessionHandler | null;
  closed: boolean;
}

const count = (m: Record<string, number>, k: string): void => {
  m[k] = (m[k] ?? 0) + 1;
};

export async function startSrtEndpoint(opts: SrtEndpointOptions): Promise<SrtEndpoint> {
  const socket: Socket = createSocket({ type: opts.host.includes(':') ? 'udp6' : 'udp4' });
  const listener = new SrtListener({ ...opts.listener, now: opts.now() });
  const maxConnections = opts.maxConnections ?? DEFAULT_MAX_CONNECTIONS;
  const maxPending = opts.maxPending ?? DEFAULT_MAX_PENDING;
  const bySocketId = new Map<number, Live>();
  const byKey = new Map<string, Live>();
  const pending = new Set<string>();
  const ignored: Record<string, number> = {};
  const rejected: Record<string, number> = {};
  let inductions = 0;
  let stopping = false;

  const sendTo = (bytes: Uint8Array, peer: { address: string; port: number }): void => {
    socket.send(bytes, peer.port, peer.address, (e) => {
      if (e) opts.log.debug('srt_send_failed', { error: e });
    });
  };

  const apply = (live: Live, outs: readonly SrtConnectionOutput[]): void => {
    for (const o of outs) {
      if (o.kind === 'send') sendTo(o.bytes, live.peer);
      else if (o.kind === 'data') live.handler?.onData(o.payload);
      else {
        live.closed = true;
        bySocketId.delete(live.session.id);
        byKey.delete(live.session.request.key);
        live.handler?.onClosed(o.reason);
      }
    }
  };

  const refuse = (request: SrtConnectRequest, code: number, reason: string): void => {
    count(rejected, reason);
    sendTo(listener.reject(request, code, opts.now()), request.peer);
  };

  const admit = (request: SrtConnectRequest): void => {
    if (bySocketId.size + pending.size >= maxConnections) return refuse(request, SRT_REJX.overload, 'max_connections');
    if (pending.size >= maxPending) return refuse(request, SRT_REJ.backlog, 'backlog');
    pending.add(request.key);
    opts.admit(request).then(
      (verdict) => decided(request, verdict),
      (error: unknown) => {
        opts.log.error('srt_admit_failed', { error: error as Error });
        decided(request, { reject: SRT_REJX.internalError });
      },
    );
  };

  const decided = (admitted: SrtConnectRequest, verdict: SrtAdmission): void => {
    pending.delete(admitted.key);
    if ('reject' in verdict) return stopping ? undefined : refuse(admitted, verdict.reject, 'admission');
    if (stopping) return verdict.release?.();
    let request = admitted;
    if (opts.listener?.keysAfterAdmission) {
      const keyed = listener.withKeys(admitted, verdict.passphrase);
      if (!keyed.ok) {
        verdict.release?.();
        return refuse(admitted, keyed.code, keyed.reason);
      }
      request = keyed.request;
    }
    let id = listener.newSocketId();
    while (bySocketId.has(id)) id = listener.newSocketId();
    const { connection, bytes } = listener.accept(request, opts.now(), id);
    const live: Live = {
      peer: request.peer,
      handler: null,
      closed: false,
      session: {
        id,
        request,
        connection,
        send: (payload) => {
          if (!live.closed) apply(live, connection.send(payload, opts.now()));
        },
        close: () => {
          if (!live.closed) apply(live, connection.close(opts.now()));
        },
      },
    };
    bySocketId.set(id, live);
    byKey.set(request.key, live);
    sendTo(bytes, request.peer);
    live.handler = opts.onSession(live.session);
  };

  /** A datagram for socket id 0: a repeated conclusion of a known or pending caller, or the listener's. */
  const handshake = (datagram: Uint8Array, peer: { address: string; port: number }): void => {
    let callerSocketId = -1;
    try {
      const hs = decodeHandshake(datagram.subarray(0, 64));
      if (hs.type === HS_TYPE.conclusion) callerSocketId = hs.socketId;
    } catch {
      // Not even a handshake's fixed part: the listener says why.
    }
    if (callerSocketId >= 0) {
      const key = `${peer.address}|${peer.port}|${callerSocketId}`;
      const known = byKey.get(key);
      if (known) return apply(known, known.session.connection.receive(datagram, opts.now()));
      if (pending.has(key)) return count(ignored, 'admission_pending');
    }
    const r = listener.handle(datagram, peer, opts.now());
    switch (r.kind) {
      case 'reply':
        inductions++;
        sendTo(r.bytes, peer);
        break;
      case 'reject':
        count(rejected, r.reason);
        sendTo(r.bytes, peer);
        break;
      case 'ignore':
        count(ignored, r.reason);
        break;
      case 'request':
        if (stopping) return;
        admit(r.request);
        break;
    }
  };

  socket.on('message', (m: Buffer, rinfo: RemoteInfo) => {
    const datagram = new Uint8Array(m.buffer, m.byteOffset, m.byteLength);
    const id = peekDestSocketId(datagram);
    if (id === null) return count(ignored, 'srt_truncated');
    const peer = { address: rinfo.address, port: rinfo.port };
    if (id === 0) return handshake(datagram, peer);
    const live = bySocketId.get(id);
    if (!live) return count(ignored, 'unknown_socket');
    if (live.peer.address !== peer.address || live.peer.port !== peer.port) return count(ignored, 'wrong_peer');
    apply(live, live.session.connection.receive(datagram, opts.now()));
  });
  socket.on('error', (error) => opts.log.error('srt_socket_error', { error }));

  await new Promise<void>((resolve, reject) => {
    const onError = (e: NodeJS.ErrnoException): void => {
      const why = e.code === 'EADDRINUSE' ? 'the port is in use (is another server running?)' : e.code === 'EACCES' ? 'permission denied' : e.message;
      reject(new Error(`srt: cannot listen on ${opts.host}:${opts.port}/udp: ${why}; choose another with --srt-port or listen.srt, or turn SRT off with srt.enabled: false`));
    };
    socket.once('error', onError);
    socket.bind(opts.port, opts.host, () => {
      socket.off('error', onError);
      resolve();
    });
  });
  growBuffers(socket, opts.log);

  const ticker = setInterval(() => {
    const now = opts.now();
    for (const live of [...bySocketId.values()]) {
      if (!live.closed) apply(live, live.session.connection.tick(now));
      if (!live.closed) live.handler?.onTick?.(now);
    }
  }, opts.tickMs ?? DEFAULT_TICK_MS);
  ticker.unref();

  return {
    port: socket.address().port,
    get sessions() {
      return bySocketId.size;
    },
    get pending() {
      return pending.size;
    },
    stats: { ignored, rejected, get inductions() { return inductions; } },
    async close() {
      stopping = true;
      clearInterval(ticker);
      for (const live of [...bySocketId.values()]) live.session.close();
      // Let the shutdown datagrams leave before the socket goes.
      await new Promise((r) => setTimeout(r, 20));
      await new Promise<void>((r) => socket.close(() => r()));
    },
  };
}

/** Asks for SOCKET_BUFFER_BYTES both ways; what the kernel grants is logged (a small grant is a tuning hint, not an error). */
function growBuffers(socket: Socket, log: Logger): void {
  try {
    socket.setRecvBufferSize(SOCKET_BUFFER_BYTES);
    socket.setSendBufferSize(SOCKET_BUFFER_BYTES);
  } catch (error) {
    log.warn('srt_socket_buffers', { error: error as Error });
  }
  const recv = socket.getRecvBufferSize();
  const send = socket.getSendBufferSize();
  const fields = { recv_buffer_bytes: recv, send_buffer_bytes: send };
  // Linux reports twice what it grants (bookkeeping overhead): less than the ask means net.core.rmem_max / wmem_max capped it.
  if (recv < SOCKET_BUFFER_BYTES || send < SOCKET_BUFFER_BYTES) {
    log.info('srt_socket_buffers', { ...fields, hint: 'raise net.core.rmem_max / wmem_max (sysctl) for many SRT streams' });
  } else log.debug('srt_socket_buffers', fields);
}
