import { rejectReason, type RejectReason } from './reject-reason.ts';

/**
 * Why a connection failed or ended:
 * - `rejected`: the listener refused the handshake; `reject` names the code (SRT_REJ_* / SRT_REJX_*) and says what to do;
 * - `connect_timeout`: no answer to the handshake in time (nothing listening, a firewall, a wrong port);
 * - `unsupported_listener`: the peer answered but is not an SRT v5 listener;
 * - `peer_shutdown`, `peer_idle_timeout` (5 s without a packet), `peer_error`: the connection ended from the other side;
 * - `idle_timeout` (play): connected, but no data for `idleTimeoutMs`;
 * - `socket_error`: the UDP socket failed (DNS, no route, ICMP refused);
 * - `reconnect_exhausted`: `maxAttempts` retries failed.
 */
export type SrtClientErrorCode =
  | 'rejected'
  | 'connect_timeout'
  | 'unsupported_listener'
  | 'peer_shutdown'
  | 'peer_idle_timeout'
  | 'peer_error'
  | 'idle_timeout'
  | 'socket_error'
  | 'reconnect_exhausted';

export class SrtClientError extends Error {
  readonly code: SrtClientErrorCode;
  /** Whether the client tries again after this. */
  readonly willRetry: boolean;
  /** For `rejected`: the code, libsrt's name for it, a hint, and whether a retry could help. */
  readonly reject: RejectReason | null;

  constructor(code: SrtClientErrorCode, detail: string, willRetry: boolean, rejectCode?: number) {
    const reject = rejectCode === undefined ? null : rejectReason(rejectCode);
    const what = reject ? `${reject.name} (${reject.code}): ${reject.hint}` : detail;
    super(what === '' ? code : `${code}: ${what}`);
    this.name = 'SrtClientError';
    this.code = code;
    this.willRetry = willRetry;
    this.reject = reject;
  }
}
