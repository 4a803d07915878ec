import type { LogFields, Logger } from './logger.ts';

/**
 * The lifecycle lines of one client connection: exactly one line per step,
 * all carrying the client id and peer ip, so `grep client=o6q55g32` tells
 * the whole story of a connection (the ids are the SRS API's client ids):
 *
 * ```
 * INFO  connect   client=o6q55g32 ip=127.0.0.1 proto=rtmp tc_url=rtmp://127.0.0.1:1935/live
 * INFO  publish   client=o6q55g32 ip=127.0.0.1 proto=rtmp stream=live/livestream
 * INFO  unpublish client=o6q55g32 ip=127.0.0.1 proto=rtmp stream=live/livestream reason=client_closed
 * INFO  close     client=o6q55g32 ip=127.0.0.1 proto=rtmp reason=client_closed duration_ms=61234 recv_bytes=9120344 send_bytes=3512
 * ```
 *
 * Players write `play` and `stop` instead of `publish` and `unpublish`;
 * a refused request writes `reject` (warn). Field names are snake_case.
 */
export type ClientEvent = 'connect' | 'publish' | 'play' | 'unpublish' | 'stop' | 'reject' | 'close';

/** Why a connection, publish or play ended: a closed list, so logs and metrics can count them. */
export type CloseReason =
  /** The peer closed the socket or sent deleteStream/closeStream. */
  | 'client_closed'
  /** DELETE /api/v1/clients/{id}. */
  | 'kicked'
  /** Handshake, first packet or idle timeout. */
  | 'timeout'
  /** The node is shutting down (SIGTERM). */
  | 'server_stopping'
  /** An on_connect/on_publish/on_play hook said no. */
  | 'hook_rejected'
  /** An on_connect/on_publish/on_play hook gave no usable answer (down, timeout, 5xx, garbage): we fail closed. */
  | 'auth_unavailable'
  /** The stream is already being published. */
  | 'stream_busy'
  /** The peer sent bytes that are not the protocol (a ProtocolError); pass it as `error`. */
  | 'protocol_error'
  /** The socket failed (ECONNRESET, EPIPE ...); pass it as `error`. */
  | 'socket_error'
  /** A player fell too far behind and was closed instead of growing its queue. */
  | 'slow_consumer'
  /** The publisher of the stream a player was watching went away. */
  | 'source_gone';

/** The protocol a client speaks; `proto` on every line. */
export type ClientProto = 'rtmp' | 'flv' | 'ws-flv' | 'http-ts' | 'hls' | 'srt' | 'rtc' | 'api';

export interface ClientIdentity {
  /** The 8-char connection id, as the API shows it. */
  readonly client: string;
  readonly ip: string;
  readonly proto: ClientProto;
}

/** What a connection handler calls; every method writes exactly one line. */
export interface ClientLog {
  /** The child logger with client/ip/proto bound, for any other line of this connection. */
  readonly log: Logger;
  connect(fields?: { tcUrl?: string; app?: string }): void;
  /** `stream` is `app/stream` (`vhost/app/stream` for a non-default vhost). */
  publish(stream: string, fields?: LogFields): void;
  play(stream: string, fields?: LogFields): void;
  unpublish(stream: string, reason: CloseReason): void;
  stop(stream: string, reason: CloseReason): void;
  /** A refused connect/publish/play (warn). */
  reject(reason: CloseReason, fields?: LogFields): void;
  /** The connection is gone. Warn when it ended with an error. */
  close(end: { reason: CloseReason; durationMs: number; recvBytes: number; sendBytes: number; error?: Error }): void;
}

export function clientLog(root: Logger, id: ClientIdentity): ClientLog {
  const log = root.child({ client: id.client, ip: id.ip, proto: id.proto });
  return {
    log,
    connect: (f = {}) => log.info('connect', { tc_url: f.tcUrl, app: f.app }),
    publish: (stream, fields) => log.info('publish', { stream, ...fields }),
    play: (stream, fields) => log.info('play', { stream, ...fields }),
    unpublish: (stream, reason) => log.info('unpublish', { stream, reason }),
    stop: (stream, reason) => log.info('stop', { stream, reason }),
    reject: (reason, fields) => log.warn('reject', { reason, ...fields }),
    close: (end) => {
      const fields = {
        reason: end.reason,
        duration_ms: Math.round(end.durationMs),
        recv_bytes: end.recvBytes,
        send_bytes: end.sendBytes,
        error: end.error,
      };
      if (end.error === undefined) log.info('close', fields);
      else log.warn('close', fields);
    },
  };
}
