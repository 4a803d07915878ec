import type { CloseReason } from '../log/client-events.ts';

/** Session close reasons -> the log's closed list; anything else is a protocol error code. */
const LOG_REASON: Readonly<Record<string, CloseReason>> = {
  client_closed: 'client_closed',
  closed: 'client_closed',
  kicked: 'kicked',
  handshake_timeout: 'timeout',
  identify_timeout: 'timeout',
  publish_timeout: 'timeout',
  server_stopping: 'server_stopping',
  socket_error: 'socket_error',
  slow_consumer: 'slow_consumer',
  hook_rejected: 'hook_rejected',
  auth_unavailable: 'auth_unavailable',
};

/**
 * Why an RTMP connection ended, for its `close` line. `denial` wins: when we
 * refused a publish or play (hook, busy stream), the session only knows it
 * sent a rejection (`publish_rejected`), not why.
 */
export function closeLogReason(sessionReason: string, denial: CloseReason | null): CloseReason {
  return denial ?? LOG_REASON[sessionReason] ?? 'protocol_error';
}

/** `::ffff:127.0.0.1` (IPv4 on a dual-stack socket) -> `127.0.0.1`, as SRS reports peers. */
export function normalizeIp(a: string | undefined): string {
  if (a === undefined) return '';
  return a.startsWith('::ffff:') ? a.slice(7) : a;
}
