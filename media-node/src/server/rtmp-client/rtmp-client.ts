import { classifyAudio, classifyVideo, FLV_KEYFRAME, FLV_SEQUENCE_HEADER, metadataBody } from '../../hub/flv-classify.ts';
import { RTMP_TYPE_OF_KIND } from '../../hub/media-message.ts';
import type { MediaKind } from '../../hub/media-message.ts';
import { RtmpClientSession } from '../../protocol/rtmp/client-session.ts';
import type { RtmpClientOutput } from '../../protocol/rtmp/client-session.ts';
import { HANDSHAKE_TIMEOUT_MS } from '../../protocol/rtmp/limits.ts';
import { MSG } from '../../protocol/rtmp/message.ts';
import type { RtmpMessage } from '../../protocol/rtmp/message.ts';
import { parseRtmpUrl } from '../../protocol/rtmp/rtmp-url.ts';
import type { RtmpUrl } from '../../protocol/rtmp/rtmp-url.ts';
import type { Logger } from '../log/logger.ts';
import { Backoff, reconnectOptions } from './backoff.ts';
import type { ReconnectOptions } from './backoff.ts';
import { PublishGate } from './publish-gate.ts';
import type { PublishGateStats } from './publish-gate.ts';
import { tcpDialer } from './transport.ts';
import type { ClientTransport, Dialer } from './transport.ts';

export type RtmpClientMode = 'publish' | 'play';

/**
 * `idle` until start(); `connecting` (TCP + handshake) -> `connected` (the
 * server accepted `connect`) -> `publishing` | `playing`; `disconnected`
 * while a retry waits; `closed` for good (close(), or retries used up).
 */
export type RtmpClientState = 'idle' | 'connecting' | 'connected' | 'publishing' | 'playing' | 'disconnected' | 'closed';

/** A frame from the server (play): an FLV tag body, as the hub's MediaMessage carries it. */
export interface RtmpClientMedia {
  readonly kind: MediaKind;
  /** Milliseconds, 32-bit, as the server stamped it. */
  readonly timestamp: number;
  /** AUDIODATA / VIDEODATA / SCRIPTDATA body (onMetaData without `@setDataFrame`); a fresh buffer the callee may keep. */
  readonly payload: Uint8Array;
  readonly keyframe: boolean;
  readonly sequenceHeader: boolean;
}

/** Any onStatus other than Publish.Start / Play.Start (Play.UnpublishNotify, errors, ...). */
export interface RtmpClientStatus {
  readonly level: string;
  readonly code: string;
  readonly description: string;
}

/**
 * Why a connection ended: a snake_case `code` (`socket_error`,
 * `socket_closed`, `connect_timeout`, `idle_timeout`, `connect_rejected`,
 * `error_status`, `call_failed`, `reconnect_exhausted`, `internal_error`, or a
 * ProtocolError code of the RTMP engine) and whether a retry follows.
 */
export class RtmpClientError extends Error {
  readonly code: string;
  readonly willRetry: boolean;

  constructor(code: string, message: string, willRetry: boolean) {
    super(message === '' ? code : `${code}: ${message}`);
    this.name = 'RtmpClientError';
    this.code = code;
    this.willRetry = willRetry;
  }
}

export interface RtmpClientOptions {
  /** `rtmp://host[:port]/app/stream[?query]` (the query travels with the stream name: tokens go there). */
  readonly url: string;
  readonly mode: RtmpClientMode;
  /** Backoff between attempts (defaults in DEFAULT_RECONNECT); `false`: one connection only. */
  readonly reconnect?: ReconnectOptions | false;
  /** TCP connect + handshake + connect + publish/play start must fit in this (ms). */
  readonly connectTimeoutMs?: number;
  /** Play: reconnect when nothing arrives for this long (ms); 0 (default) waits forever, as players of an idle stream must. */
  readonly idleTimeoutMs?: number;
  /** Publish: socket buffer bound before frames are shed (see PublishGate). */
  readonly maxBufferedBytes?: number;
  readonly logger?: Logger;
  /** Every state change, with why (`reason` is '' when there is nothing to say). */
  readonly onState?: (state: RtmpClientState, reason: string) => void;
  /** Play: every audio/video/data message, in order. */
  readonly onMedia?: (media: RtmpClientMedia) => void;
  readonly onStatus?: (status: RtmpClientStatus) => void;
  /** A connection failed or ended unexpectedly; `willRetry` says whether another attempt follows. */
  readonly onError?: (error: RtmpClientError) => void;
  /** Test seams: the transport, the clock (ms) and the jitter source. */
  readonly dial?: Dialer;
  readonly now?: () => number;
  readonly random?: () => number;
}

export interface RtmpClientStats {
  /** Connection attempts made. */
  readonly attempts: number;
  /** Connections that reached publishing/playing. */
  readonly sessions: number;
  readonly bytesSent: number;
  readonly bytesReceived: number;
  /** Play: media messages received. */
  readonly mediaReceived: number;
  /** Publish: what the gate passed and dropped (all zero for players). */
  readonly publish: PublishGateStats;
}

/** How often the session's deadlines and the idle timeout are checked. */
const TICK_MS = 250;
/** After close(), how long the goodbye (FCUnpublish, deleteStream) may take to flush before the socket is cut. */
const CLOSE_GRACE_MS = 2000;
/** `02 000d "@setDataFrame"`: what publishers put before onMetaData (ffmpeg, OBS; servers strip it). */
const SET_DATA_FRAME = new Uint8Array([0x02, 0x00, 0x0d, ...new TextEncoder().encode('@setDataFrame')]);
const KIND_OF_TYPE: Readonly<Record<number, MediaKind>> = { [MSG.audio]: 'audio', [MSG.video]: 'video', [MSG.dataAmf0]: 'data' };

interface Connection {
  readonly session: RtmpClientSession;
  transport: ClientTransport | null;
  open: boolean;
  lastReceiveAt: number;
  established: boolean;
}

/**
 * An RTMP publisher or player on a socket, with reconnect: the socket layer
 * around the sans-IO RtmpClientSession (protocol/rtmp). Nothing thrown by the
 * network or the peer escapes: failures become `onError` + a retry after an
 * exponential, jittered backoff, until close() or `maxAttempts`.
 *
 * Publishing: sendMedia() takes FLV tag bodies. Frames offered while not
 * publishing are dropped, not buffered (counted in `stats.publish`); every
 * new connection first gets the last onMetaData and sequence headers seen,
 * and video resumes at a keyframe, so the remote stream stays decodable.
 *
 * @example
 * const c = new RtmpClient({ url: 'rtmp://origin/live/cam?token=t', mode: 'publish', logger,
 *   onState: (s, why) => console.log(s, why) });
 * c.start();
 * source.onMessage((m) => c.sendMedia(m.kind, m.timestamp, m.payload));
 * await c.close();
 */
export class RtmpClient {
  readonly mode: RtmpClientMode;
  /** The URL without its query (which may hold a token): safe for logs. */
  readonly safeUrl: string;
  private readonly url: RtmpUrl;
  private readonly rawUrl: string;
  private readonly opts: RtmpClientOptions;
  private readonly connectTimeoutMs: number;
  private readonly idleTimeoutMs: number;
  private readonly backoff: Backoff | null;
  private readonly gate: PublishGate;
  private readonly dial: Dialer;
  private readonly now: () => number;
  private readonly log: Logger | null;
  private phase: RtmpClientState = 'idle';
  private conn: Connection | null = null;
  private retryTimer: ReturnType<typeof setTimeout> | null = null;
  private tickTimer: ReturnType<typeof setInterval> | null = null;
  private closing: Promise<void> = Promise.resolve();
  private lastTimestamp = 0;
  private counts = { attempts: 0, sessions: 0, bytesSent: 0, bytesReceived: 0, mediaReceived: 0 };

  /** Throws RangeError for a URL that is not `rtmp://host/app/stream` or options out of range. */
  constructor(options: RtmpClientOptions) {
    const url = parseRtmpUrl(options.url);
    if (url === null || url.schema !== 'rtmp' || url.app === '' || url.stream === '') {
      throw new RangeError(`not an rtmp:// URL with app and stream: ${redact(options.url)}`);
    }
    this.url = url;
    this.rawUrl = options.url;
    this.safeUrl = redact(options.url);
    this.mode = options.mode;
    this.opts = options;
    this.connectTimeoutMs = positive(options.connectTimeoutMs ?? HANDSHAKE_TIMEOUT_MS, 'connectTimeoutMs');
    this.idleTimeoutMs = options.idleTimeoutMs ?? 0;
    if (!(this.idleTimeoutMs >= 0)) throw new RangeError(`idleTimeoutMs ${this.idleTimeoutMs} must be >= 0`);
    this.backoff = options.reconnect === false ? null : new Backoff(reconnectOptions(options.reconnect), options.random);
    this.gate = new PublishGate(options.maxBufferedBytes);
    this.dial = options.dial ?? tcpDialer;
    this.now = options.now ?? (() => performance.now());
    this.log = options.logger?.child({ rtmp_client: this.safeUrl, mode: this.mode }) ?? null;
  }

  get state(): RtmpClientState {
    return this.phase;
  }

  get stats(): RtmpClientStats {
    return { ...this.counts, publish: this.gate.stats };
  }

  /** Starts connecting (once; later calls do nothing). */
  start(): void {
    if (this.phase !== 'idle') return;
    this.tickTimer = setInterval(() => this.tick(), TICK_MS);
    this.tickTimer.unref();
    this.connect();
  }

  /**
   * Publish one frame: an FLV tag body (AUDIODATA, VIDEODATA, or SCRIPTDATA
   * such as onMetaData, with or without `@setDataFrame`). Returns whether it
   * was written now; false when not publishing, shed for backpressure, or
   * video waiting for a keyframe. Metadata and sequence headers are kept
   * either way and written first on every new connection. The payload is not
   * copied (and headers are kept by reference): do not mutate it.
   */
  sendMedia(kind: MediaKind, timestamp: number, payload: Uint8Array): boolean {
    if (this.mode !== 'publish') throw new Error('sendMedia on a playing RtmpClient');
    this.lastTimestamp = timestamp;
    const conn = this.conn;
    const live = conn !== null && this.phase === 'publishing' && conn.transport !== null;
    if (!this.gate.admit(kind, payload, live, live ? conn.transport!.bufferedBytes : 0)) return false;
    this.writeMedia(conn!, kind, timestamp, payload);
    return true;
  }

  /** Stops for good: says goodbye (FCUnpublish, deleteStream), closes the socket; resolves when it is closed. */
  close(): Promise<void> {
    if (this.phase === 'closed') return this.closing;
    this.stopTimers();
    const conn = this.conn;
    this.conn = null;
    this.setState('closed', 'closed');
    this.log?.info('closed', { sessions: this.counts.sessions, ...this.dropFields() });
    if (conn?.transport) {
      if (conn.open) {
        this.apply(conn, conn.session.close('closed'), true);
        conn.transport.end(CLOSE_GRACE_MS);
      } else {
        conn.transport.destroy(); // still connecting: nothing to say goodbye to
      }
      this.closing = conn.transport.closed;
    }
    return this.closing;
  }

  // -------------------------------------------------------------------------

  private connect(): void {
    this.retryTimer = null;
    const now = this.now();
    const session = new RtmpClientSession({ url: this.rawUrl, mode: this.mode, now, timeoutMs: this.connectTimeoutMs });
    const conn: Connection = { session, transport: null, open: false, lastReceiveAt: now, established: false };
    this.conn = conn;
    this.counts.attempts++;
    this.setState('connecting', '');
    if (conn !== this.conn) return; // close() from onState
    this.log?.debug('dial', { host: this.url.host, port: this.url.port, attempt: this.counts.attempts });
    try {
      conn.transport = this.dial(this.url.host, this.url.port, {
        onOpen: () => this.guard(conn, () => {
          conn.open = true;
          this.apply(conn, session.start(this.now()));
        }),
        onData: (bytes) => this.guard(conn, () => {
          conn.lastReceiveAt = this.now();
          this.counts.bytesReceived += bytes.length;
          this.apply(conn, session.receive(bytes, conn.lastReceiveAt));
        }),
        onClose: (error) => {
          if (conn !== this.conn) return;
          if (error) this.lost(conn, 'socket_error', error.message);
          else this.lost(conn, 'socket_closed', conn.established ? 'the server closed the connection' : 'closed before publishing/playing');
        },
      });
    } catch (e) {
      this.lost(conn, 'socket_error', (e as Error).message);
    }
  }

  /** Runs `fn` for the current connection; anything it throws (a bug) drops the connection instead of escaping. */
  private guard(conn: Connection, fn: () => void): void {
    if (conn !== this.conn) return;
    try {
      fn();
    } catch (e) {
      this.log?.error('internal_error', { error: e as Error });
      if (conn === this.conn) this.lost(conn, 'internal_error', (e as Error).message ?? String(e));
    }
  }

  private tick(): void {
    const conn = this.conn;
    if (conn === null) return;
    this.guard(conn, () => {
      const now = this.now();
      this.apply(conn, conn.session.tick(now));
      if (conn === this.conn && conn.established && this.idleTimeoutMs > 0 && now - conn.lastReceiveAt >= this.idleTimeoutMs) {
        this.lost(conn, 'idle_timeout', `nothing received for ${this.idleTimeoutMs} ms`);
      }
    });
  }

  /** Acts on the session's outputs in order; stops when the connection is no longer current. */
  private apply(conn: Connection, outs: readonly RtmpClientOutput[], closing = false): void {
    for (const o of outs) {
      if (!closing && conn !== this.conn) return;
      switch (o.kind) {
        case 'send':
          this.counts.bytesSent += o.bytes.length;
          conn.transport?.write([o.bytes]);
          break;
        case 'connected':
          this.setState('connected', '');
          break;
        case 'publishing':
        case 'playing':
          this.onEstablished(conn, o.kind);
          break;
        case 'status':
          this.onStatus(o);
          break;
        case 'media':
          this.onMedia(o.message);
          break;
        case 'close':
          if (!closing) this.lost(conn, o.reason, o.message);
          return;
      }
    }
  }

  private onEstablished(conn: Connection, state: 'publishing' | 'playing'): void {
    conn.established = true;
    this.counts.sessions++;
    this.backoff?.reset();
    this.log?.info(state, { session: this.counts.sessions, stream_id: conn.session.streamId });
    if (state === 'publishing') {
      // The new remote stream starts decodable: metadata and sequence headers first, video at a keyframe.
      for (const h of this.gate.restart()) this.writeMedia(conn, h.kind, this.lastTimestamp, h.payload);
    }
    this.setState(state, '');
  }

  private onStatus(s: { level: string; code: string; description: string }): void {
    const fields = { code: s.code, description: s.description === '' ? undefined : s.description };
    if (s.level === 'error') this.log?.warn('status', fields);
    else this.log?.info('status', fields);
    this.callback(() => this.opts.onStatus?.({ level: s.level, code: s.code, description: s.description }));
  }

  private onMedia(m: RtmpMessage): void {
    const kind = KIND_OF_TYPE[m.typeId];
    if (kind === undefined) return;
    this.counts.mediaReceived++;
    const onMedia = this.opts.onMedia;
    if (onMedia === undefined) return;
    let flags = 0;
    let payload = m.payload;
    if (kind === 'video') flags = classifyVideo(payload);
    else if (kind === 'audio') flags = classifyAudio(payload);
    else {
      const meta = metadataBody(payload);
      if (meta !== null) {
        payload = meta;
        flags = FLV_SEQUENCE_HEADER;
      }
    }
    const media: RtmpClientMedia = {
      kind,
      timestamp: m.timestamp,
      payload,
      keyframe: (flags & FLV_KEYFRAME) !== 0,
      sequenceHeader: (flags & FLV_SEQUENCE_HEADER) !== 0,
    };
    this.callback(() => onMedia(media));
  }

  private writeMedia(conn: Connection, kind: MediaKind, timestamp: number, payload: Uint8Array): void {
    const body = kind === 'data' && metadataBody(payload) === payload ? withSetDataFrame(payload) : payload;
    const parts = conn.session.mediaParts({ typeId: RTMP_TYPE_OF_KIND[kind], timestamp, payload: body });
    for (const p of parts) this.counts.bytesSent += p.length;
    conn.transport!.write(parts);
  }

  /** The current connection is gone: close its socket, report, and retry or give up. */
  private lost(conn: Connection, code: string, message: string): void {
    if (conn !== this.conn) return;
    this.conn = null;
    conn.transport?.end(CLOSE_GRACE_MS);
    const delay = this.backoff?.next() ?? null;
    const retry = delay !== null;
    const fields = { reason: code, message: message === '' ? undefined : message, established: conn.established };
    let error = new RtmpClientError(code, message, retry);
    if (retry) {
      this.log?.warn('disconnected', { ...fields, retry_in_ms: delay, failures: this.backoff!.failures });
    } else {
      this.log?.warn('disconnected', { ...fields, retry: false });
      if (this.backoff !== null) {
        error = new RtmpClientError('reconnect_exhausted', `${error.message} (gave up after ${this.backoff.failures} retries)`, false);
      }
    }
    this.callback(() => this.opts.onError?.(error));
    if (this.phase === 'closed') return; // close() from inside onError
    if (retry) {
      this.setState('disconnected', code);
      if (this.phase === 'disconnected') this.retryTimer = setTimeout(() => this.connect(), delay);
      return;
    }
    this.stopTimers();
    this.setState('closed', error.code);
    this.log?.info('closed', { reason: error.code, sessions: this.counts.sessions, ...this.dropFields() });
  }

  private setState(state: RtmpClientState, reason: string): void {
    if (this.phase === state) return;
    this.phase = state;
    this.callback(() => this.opts.onState?.(state, reason));
  }

  /** A throwing user callback is a bug of the caller: logged, never allowed to break the connection. */
  private callback(fn: () => void): void {
    try {
      fn();
    } catch (e) {
      this.log?.error('callback_error', { error: e as Error });
    }
  }

  private stopTimers(): void {
    if (this.retryTimer !== null) clearTimeout(this.retryTimer);
    if (this.tickTimer !== null) clearInterval(this.tickTimer);
    this.retryTimer = null;
    this.tickTimer = null;
  }

  private dropFields(): Record<string, number> {
    if (this.mode !== 'publish') return { media_received: this.counts.mediaReceived };
    const s = this.gate.stats;
    return {
      sent: s.sent,
      dropped_disconnected: s.droppedDisconnected,
      dropped_video: s.droppedVideo,
      dropped_audio: s.droppedAudio,
      dropped_data: s.droppedData,
    };
  }
}

function withSetDataFrame(body: Uint8Array): Uint8Array {
  const out = new Uint8Array(SET_DATA_FRAME.length + body.length);
  out.set(SET_DATA_FRAME, 0);
  out.set(body, SET_DATA_FRAME.length);
  return out;
}

/** `rtmp://host:port/app/stream` without `?query` (tokens live there). */
function redact(url: string): string {
  const q = url.indexOf('?');
  return q < 0 ? url : url.slice(0, q);
}

function positive(v: number, name: string): number {
  if (!(v > 0) || !Number.isFinite(v)) throw new RangeError(`${name} ${v} must be > 0`);
  return v;
}
