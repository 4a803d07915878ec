import { createSocket, type Socket } from 'node:dgram';
import { isIP } from 'node:net';
import { SrtCaller, CONNECT_TIMEOUT_MS } from '../../protocol/srt/index.ts';
import type { SrtCallerOutput, SrtConnection, SrtConnectionOutput, SrtConnectionStats } from '../../protocol/srt/index.ts';
import type { Logger } from '../log/logger.ts';
import { Backoff, reconnectOptions } from '../rtmp-client/backoff.ts';
import type { ReconnectOptions } from '../rtmp-client/backoff.ts';
import { rejectReason } from './reject-reason.ts';
import { SrtClientError, type SrtClientErrorCode } from './srt-client-error.ts';
import { parseSrtUrl, redactSrtUrl, type SrtUrl } from './srt-url.ts';
import { TS_PACKET_BYTES, TS_PACKETS_PER_MESSAGE, TsPacker } from './ts-packer.ts';

export type SrtClientMode = 'publish' | 'play';

/** `idle` before the first dial; `connecting` (handshake) -> `connected`; `disconnected` while a retry waits; `closed` for good. */
export type SrtClientState = 'idle' | 'connecting' | 'connected' | 'disconnected' | 'closed';

export interface SrtClientOptions {
  /** Backoff between attempts (defaults: the RTMP client's DEFAULT_RECONNECT); `false`: one connection only. */
  readonly reconnect?: ReconnectOptions | false;
  /** Handshake deadline (ms); default the URL's `connect_timeout`/`conntimeo`, else 3000 (SRTO_CONNTIMEO). */
  readonly connectTimeoutMs?: number;
  /** Play: reconnect when no data arrives for this long (ms); 0 (default) waits (keepalives hold the link). */
  readonly idleTimeoutMs?: number;
  /** Publish: unacknowledged packets beyond which `write` returns false and `drain()` waits. */
  readonly maxSendBufferedPackets?: number;
  /** Play without `onData`: messages queued for the async iterator before the oldest are dropped (counted). */
  readonly maxQueuedMessages?: number;
  /** Publish: how long close() waits for the peer to acknowledge and release (TSBPD) what was sent (ms). */
  readonly lingerMs?: number;
  readonly logger?: Logger;
  readonly onState?: (state: SrtClientState, reason: string) => void;
  /** Play: every message (MPEG-TS, normally 1316 bytes), in order, TSBPD-released. Without it, iterate the client. */
  readonly onData?: (payload: Uint8Array) => void;
  readonly onError?: (error: SrtClientError) => void;
  /** Test seams: the clock (ms, monotonic) and the jitter source. */
  readonly now?: () => number;
  readonly random?: () => number;
}

export interface SrtClientStats {
  readonly attempts: number;
  /** Connections that completed the handshake. */
  readonly sessions: number;
  readonly messagesSent: number;
  readonly bytesSent: number;
  /** Publish: messages written while not connected (dropped, not buffered: live data replayed late is useless). */
  readonly droppedDisconnected: number;
  readonly messagesReceived: number;
  readonly bytesReceived: number;
  /** Play: messages dropped because the iterator was not reading. */
  readonly droppedSlowReader: number;
  /** Publish: input bytes skipped to find a TS sync byte. */
  readonly skippedBytes: number;
  /** The current (or last) connection's engine counters. */
  readonly connection: SrtConnectionStats | null;
}

/** The engine's timers (ACK every 10 ms, TSBPD release, NAK) need a tick every few ms; the node's endpoint uses 5 ms too. */
const TICK_MS = 5;
/** 2048 x 1316 bytes = 2.7 MB unacknowledged, over 4 s of a 5 Mbit/s stream: as the node's SRT players (SRT_PLAYER_HIGH_WATER_PACKETS). */
export const DEFAULT_MAX_SEND_BUFFERED_PACKETS = 2048;
/** 8192 x 1316 bytes = 10.8 MB: the engine's receive buffer again, so a reader that stalls costs at most twice that. */
export const DEFAULT_MAX_QUEUED_MESSAGES = 8192;
/** close() waits at most 2 s: enough for a retransmission round and a 120-1000 ms TSBPD latency on a sane link. */
export const DEFAULT_LINGER_MS = 2000;

interface Attempt {
  readonly socket: Socket;
  readonly caller: SrtCaller;
  connection: SrtConnection | null;
  lastDataAt: number;
}

/**
 * An SRT caller (draft-sharabayko-srt 4.3.1.1) on a UDP socket: the socket
 * layer around the sans-IO SrtCaller and SrtConnection, with a 5 ms tick,
 * reconnect with backoff, and typed errors. A publisher takes MPEG-TS bytes
 * and sends whole 188-byte packets in 1316-byte messages; a player hands out
 * the messages it receives, in order, at their TSBPD time.
 *
 * Nothing thrown by the network or the peer escapes: failures become
 * `onError` + a retry (unless the refusal cannot change, e.g. a wrong
 * passphrase), until close() or `maxAttempts`.
 *
 * @example
 * const pub = SrtClient.publish('srt://origin:10080?streamid=#!::r=live/cam,m=publish&latency=200', { logger });
 * await pub.connected();
 * if (!pub.write(tsBytes)) await pub.drain();
 * await pub.close();
 *
 * const player = SrtClient.play('srt://origin:10080?streamid=#!::r=live/cam,m=request');
 * for await (const ts of player) sink.write(ts);
 */
export class SrtClient implements AsyncIterable<Uint8Array> {
  readonly mode: SrtClientMode;
  /** The URL without its query (passphrase, tokens): safe for logs. */
  readonly safeUrl: string;
  readonly url: SrtUrl;
  private readonly opts: SrtClientOptions;
  private readonly connectTimeoutMs: number;
  private readonly idleTimeoutMs: number;
  private readonly highWater: number;
  private readonly maxQueued: number;
  private readonly lingerMs: number;
  private readonly backoff: Backoff | null;
  private readonly packer = new TsPacker();
  private readonly now: () => number;
  private readonly log: Logger | null;
  private phase: SrtClientState = 'idle';
  private attempt: Attempt | null = null;
  private ticker: ReturnType<typeof setInterval> | null = null;
  private retryTimer: ReturnType<typeof setTimeout> | null = null;
  private closing: Promise<void> | null = null;
  private finalError: SrtClientError | null = null;
  /** Called on every tick and state change: connected() / drain() / linger / iterator waiters look again. */
  private watchers = new Set<() => void>();
  private queue: Uint8Array[] = [];
  private counts = { attempts: 0, sessions: 0, messagesSent: 0, bytesSent: 0, droppedDisconnected: 0, messagesReceived: 0, bytesReceived: 0, droppedSlowReader: 0 };
  private lastConnection: SrtConnection | null = null;

  /** Throws RangeError for a URL or options out of range (see parseSrtUrl). Call start() (or use publish()/play()). */
  constructor(url: string, mode: SrtClientMode, options: SrtClientOptions = {}) {
    this.url = parseSrtUrl(url);
    this.safeUrl = redactSrtUrl(url);
    this.mode = mode;
    this.opts = options;
    this.connectTimeoutMs = positive(options.connectTimeoutMs ?? this.url.connectTimeoutMs ?? CONNECT_TIMEOUT_MS, 'connectTimeoutMs');
    this.idleTimeoutMs = nonNegative(options.idleTimeoutMs ?? 0, 'idleTimeoutMs');
    this.highWater = positive(options.maxSendBufferedPackets ?? DEFAULT_MAX_SEND_BUFFERED_PACKETS, 'maxSendBufferedPackets');
    this.maxQueued = positive(options.maxQueuedMessages ?? DEFAULT_MAX_QUEUED_MESSAGES, 'maxQueuedMessages');
    this.lingerMs = nonNegative(options.lingerMs ?? DEFAULT_LINGER_MS, 'lingerMs');
    this.backoff = options.reconnect === false ? null : new Backoff(reconnectOptions(options.reconnect), options.random);
    this.now = options.now ?? (() => performance.now());
    this.log = options.logger?.child({ srt_client: this.safeUrl, mode }) ?? null;
    if (this.url.ignored.length > 0) this.log?.info('url_options_ignored', { keys: this.url.ignored });
  }

  /** A started publisher: write() MPEG-TS to it. */
  static publish(url: string, options?: SrtClientOptions): SrtClient {
    const c = new SrtClient(url, 'publish', options);
    c.start();
    return c;
  }

  /** A started player: iterate it (`for await`) or pass `onData`. */
  static play(url: string, options?: SrtClientOptions): SrtClient {
    const c = new SrtClient(url, 'play', options);
    c.start();
    return c;
  }

  get state(): SrtClientState {
    return this.phase;
  }

  /** The error that closed the client for good (null while running, or after close()). */
  get error(): SrtClientError | null {
    return this.finalError;
  }

  get stats(): SrtClientStats {
    return { ...this.counts, skippedBytes: this.packer.stats.skippedBytes, connection: this.lastConnection?.stats ?? null };
  }

  /** Publish: packets sent and not yet acknowledged by the peer (0 when not connected). */
  get sendBuffered(): number {
    return this.attempt?.connection?.sendBuffered ?? 0;
  }

  /** Publish: true while more than `maxSendBufferedPackets` are unacknowledged: the link is slower than the writer. */
  get backpressured(): boolean {
    return this.sendBuffered > this.highWater;
  }

  /** Starts connecting (once; later calls do nothing). */
  start(): void {
    if (this.phase !== 'idle') return;
    this.ticker = setInterval(() => this.tick(), TICK_MS);
    this.ticker.unref();
    this.dial();
  }

  /** Resolves when connected (now, or at the next connection); rejects with the error that closes the client first. */
  connected(): Promise<void> {
    return this.waitFor(() => this.phase === 'connected');
  }

  /** Publish: resolves once the backlog is at or under `maxSendBufferedPackets` (or the client is disconnected/closed). */
  drain(): Promise<void> {
    return this.waitFor(() => !this.backpressured).catch(() => undefined);
  }

  /**
   * Publish MPEG-TS bytes, any size, aligned or not: whole 188-byte packets go
   * out in 1316-byte messages; whole packets left over go out, shorter, at
   * the next tick (5 ms), a partial packet waits for its rest. Returns false
   * when the peer is behind (`backpressured`; the bytes are still taken), or
   * when the client is closed (the bytes are dropped). While disconnected,
   * messages are dropped and counted.
   */
  write(bytes: Uint8Array): boolean {
    if (this.mode !== 'publish') throw new Error('SrtClient.write() on a player');
    if (this.phase === 'closed' || this.closing) return false;
    for (const m of this.packer.push(bytes)) this.sendMessage(m);
    return !this.backpressured;
  }

  /**
   * Ends the client: a publisher first sends what is held, waits (at most
   * `lingerMs`) until the peer has acknowledged everything and its TSBPD
   * latency has passed (libsrt and our listener drop what they have not
   * delivered when a shutdown arrives), then sends a shutdown.
   */
  close(): Promise<void> {
    this.closing ??= this.shutdown();
    return this.closing;
  }

  /** Play: the received messages, in order; ends on close(), throws the SrtClientError that closed the client otherwise. */
  async *[Symbol.asyncIterator](): AsyncGenerator<Uint8Array, void, undefined> {
    for (;;) {
      const m = this.queue.shift();
      if (m !== undefined) {
        yield m;
        continue;
      }
      if (this.phase === 'closed') {
        if (this.finalError && this.finalError.code !== 'peer_shutdown') throw this.finalError;
        return;
      }
      await new Promise<void>((resolve) => {
        const w = (): void => {
          if (this.queue.length > 0 || this.phase === 'closed') {
            this.watchers.delete(w);
            resolve();
          }
        };
        this.watchers.add(w);
      });
    }
  }

  private dial(): void {
    this.counts.attempts++;
    this.setState('connecting', '');
    const now = this.now();
    const socket = createSocket(isIP(this.url.host) === 6 ? 'udp6' : 'udp4');
    const caller = new SrtCaller({
      now,
      streamId: this.url.streamId,
      connectTimeoutMs: this.connectTimeoutMs,
      ...(this.url.latencyMs !== undefined ? { latencyMs: this.url.latencyMs } : {}),
      ...(this.url.peerLatencyMs !== undefined ? { peerLatencyMs: this.url.peerLatencyMs } : {}),
      ...(this.url.passphrase !== undefined ? { passphrase: this.url.passphrase } : {}),
      ...(this.url.keyLength !== undefined ? { keyLength: this.url.keyLength } : {}),
    });
    const a: Attempt = { socket, caller, connection: null, lastDataAt: now };
    this.attempt = a;
    this.log?.debug('dial', { attempt: this.counts.attempts });
    socket.on('error', (e: NodeJS.ErrnoException) => {
      const refused = e.code === 'ECONNREFUSED';
      this.lost(a, 'socket_error', refused ? `nothing listens on ${this.url.host}:${this.url.port}/udp (ICMP port unreachable)` : e.message);
    });
    socket.on('message', (m) => this.onDatagram(a, new Uint8Array(m.buffer, m.byteOffset, m.length)));
    // A connected UDP socket only hears from the listener's address and port (and learns ICMP refusals).
    socket.connect(this.url.port, this.url.host, () => {
      if (this.attempt !== a) return;
      this.applyCaller(a, caller.start(this.now()));
    });
  }

  private onDatagram(a: Attempt, d: Uint8Array): void {
    if (this.attempt !== a) return;
    const now = this.now();
    if (a.connection) this.applyConnection(a, a.connection.receive(d, now));
    else this.applyCaller(a, a.caller.receive(d, now));
  }

  private tick(): void {
    const a = this.attempt;
    if (a) {
      const now = this.now();
      if (!a.connection) this.applyCaller(a, a.caller.tick(now));
      else {
        if (this.mode === 'publish' && this.packer.pending >= TS_PACKET_BYTES) {
          const held = this.packer.flush();
          if (held) this.sendMessage(held);
        }
        if (this.attempt === a && a.connection) this.applyConnection(a, a.connection.tick(now));
        if (this.attempt === a && a.connection && this.mode === 'play' && this.idleTimeoutMs > 0 && now - a.lastDataAt >= this.idleTimeoutMs) {
          this.transmit(a, a.connection.close(now).filter((o) => o.kind === 'send'));
          this.lost(a, 'idle_timeout', `no data for ${this.idleTimeoutMs} ms`);
        }
      }
    }
    this.wakeWatchers();
  }

  private applyCaller(a: Attempt, outs: readonly SrtCallerOutput[]): void {
    for (const o of outs) {
      if (this.attempt !== a) return;
      if (o.kind === 'send') this.sendDatagram(a, o.bytes);
      else if (o.kind === 'connected') this.onConnected(a, o.connection);
      else if (o.reason === 'rejected') this.lost(a, 'rejected', '', o.rejectCode ?? 0);
      else if (o.reason === 'timeout') this.lost(a, 'connect_timeout', `no handshake answer in ${this.connectTimeoutMs} ms`);
      else this.lost(a, 'unsupported_listener', 'the peer is not an SRT v5 listener');
    }
  }

  private onConnected(a: Attempt, connection: SrtConnection): void {
    a.connection = connection;
    a.lastDataAt = this.now();
    this.lastConnection = connection;
    this.counts.sessions++;
    this.backoff?.reset();
    this.log?.info('connected', { encrypted: connection.encrypted, max_payload: connection.maxPayload, attempt: this.counts.attempts });
    this.setState('connected', '');
  }

  private applyConnection(a: Attempt, outs: readonly SrtConnectionOutput[]): void {
    for (const o of outs) {
      if (o.kind === 'send') this.sendDatagram(a, o.bytes);
      else if (o.kind === 'data') this.deliver(a, o.payload);
      else if (o.reason !== 'closed') this.lost(a, o.reason, '');
    }
  }

  private transmit(a: Attempt, outs: readonly SrtConnectionOutput[]): void {
    for (const o of outs) if (o.kind === 'send') this.sendDatagram(a, o.bytes);
  }

  private sendDatagram(a: Attempt, bytes: Uint8Array): void {
    // A send fails only when the socket is going away; its 'error' event reports why.
    a.socket.send(bytes, () => undefined);
  }

  private sendMessage(m: Uint8Array): void {
    const a = this.attempt;
    const c = a?.connection;
    if (!a || !c || c.state === 'closed') {
      this.counts.droppedDisconnected++;
      return;
    }
    // A listener with a small MSS takes fewer TS packets per message.
    const size = Math.min(m.length, Math.max(1, Math.floor(Math.min(c.maxPayload, TS_PACKETS_PER_MESSAGE * TS_PACKET_BYTES) / TS_PACKET_BYTES)) * TS_PACKET_BYTES);
    const now = this.now();
    for (let off = 0; off < m.length; off += size) {
      const part = m.subarray(off, off + size);
      this.counts.messagesSent++;
      this.counts.bytesSent += part.length;
      this.applyConnection(a, c.send(part, now));
    }
  }

  private deliver(a: Attempt, payload: Uint8Array): void {
    a.lastDataAt = this.now();
    this.counts.messagesReceived++;
    this.counts.bytesReceived += payload.length;
    if (this.opts.onData) {
      this.callback(() => this.opts.onData!(payload));
      return;
    }
    if (this.queue.length >= this.maxQueued) {
      this.queue.shift();
      this.counts.droppedSlowReader++;
    }
    this.queue.push(payload);
  }

  /** The attempt `a` ended with `code`: retry after the backoff, or close for good. */
  private lost(a: Attempt, code: SrtClientErrorCode, detail: string, rejectCode?: number): void {
    if (this.attempt !== a) return;
    this.attempt = null;
    closeSocket(a.socket);
    if (this.closing) return;
    const permanent = rejectCode !== undefined && rejectReason(rejectCode).permanent;
    const delay = this.backoff && !permanent ? this.backoff.next() : null;
    if (delay === null) {
      const exhausted = this.backoff !== null && !permanent;
      const err = exhausted
        ? new SrtClientError('reconnect_exhausted', `after ${this.backoff!.failures} retries; last: ${new SrtClientError(code, detail, false, rejectCode).message}`, false)
        : new SrtClientError(code, detail, false, rejectCode);
      this.log?.warn('failed', errorFields(err));
      this.finish(err);
      return;
    }
    const err = new SrtClientError(code, detail, true, rejectCode);
    this.log?.warn('disconnected', { ...errorFields(err), retry_in_ms: delay });
    this.callback(() => this.opts.onError?.(err));
    this.setState('disconnected', code);
    this.retryTimer = setTimeout(() => {
      this.retryTimer = null;
      if (!this.closing && this.phase !== 'closed') this.dial();
    }, delay);
  }

  private async shutdown(): Promise<void> {
    if (this.retryTimer) clearTimeout(this.retryTimer);
    this.retryTimer = null;
    const a = this.attempt;
    if (a?.connection && this.mode === 'publish') {
      const held = this.packer.flush();
      if (held) this.sendMessage(held);
      const c = a.connection;
      const start = this.now();
      await this.waitFor(() => this.attempt !== a || c.sendBuffered === 0 || this.now() - start >= this.lingerMs).catch(() => undefined);
      // Acknowledged is received, not yet delivered: the peer releases each packet `latency` after it was sent.
      const release = Math.min(c.sendLatencyMs, this.lingerMs - (this.now() - start));
      if (release > 0 && this.attempt === a) await new Promise((resolve) => setTimeout(resolve, release));
    }
    if (this.attempt === a && a) {
      this.attempt = null;
      if (a.connection) {
        for (const o of a.connection.close(this.now())) if (o.kind === 'send') await sendAndWait(a.socket, o.bytes);
      }
      closeSocket(a.socket);
    }
    this.finish(null);
  }

  private finish(err: SrtClientError | null): void {
    if (this.phase === 'closed') return;
    this.finalError = err;
    if (this.ticker) clearInterval(this.ticker);
    this.ticker = null;
    if (err) this.callback(() => this.opts.onError?.(err));
    this.log?.info('closed', { reason: err?.code ?? 'closed', sessions: this.counts.sessions, sent: this.counts.messagesSent, received: this.counts.messagesReceived, dropped_disconnected: this.counts.droppedDisconnected, dropped_slow_reader: this.counts.droppedSlowReader });
    this.setState('closed', err?.code ?? '');
  }

  private setState(state: SrtClientState, reason: string): void {
    if (this.phase === state) return;
    this.phase = state;
    this.callback(() => this.opts.onState?.(state, reason));
    this.wakeWatchers();
  }

  /** A promise that resolves when `cond` holds (checked on every tick and state change); rejects if the client closes first. */
  private waitFor(cond: () => boolean): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      const w = (): void => {
        if (cond()) resolve();
        else if (this.phase === 'closed') reject(this.finalError ?? new Error('SRT client closed'));
        else return;
        this.watchers.delete(w);
      };
      this.watchers.add(w);
      w();
    });
  }

  private wakeWatchers(): void {
    for (const w of [...this.watchers]) w();
  }

  private callback(f: () => void): void {
    try {
      f();
    } catch (e) {
      this.log?.error('callback_error', { error: e as Error });
    }
  }
}

function errorFields(err: SrtClientError): Record<string, string | number | boolean | undefined> {
  return { reason: err.code, reject_code: err.reject?.code, reject_name: err.reject?.name, error: err.message, will_retry: err.willRetry };
}

function closeSocket(socket: Socket): void {
  try {
    socket.close();
  } catch {
    // Already closed (an 'error' event closes nothing, but close() twice throws).
  }
}

/** Sends the last datagram and waits for it to leave: closing at once could cancel the queued send. */
function sendAndWait(socket: Socket, bytes: Uint8Array): Promise<void> {
  return new Promise<void>((resolve) => socket.send(bytes, () => resolve()));
}

function positive(v: number, name: string): number {
  if (!(v > 0) || !Number.isFinite(v)) throw new RangeError(`${name} ${v} must be > 0`);
  return v;
}

function nonNegative(v: number, name: string): number {
  if (!(v >= 0) || !Number.isFinite(v)) throw new RangeError(`${name} ${v} must be >= 0`);
  return v;
}
