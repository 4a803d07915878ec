import type { CloseReason } from '../log/client-events.ts';

/** The log's close reason for an SRT connection's end (SrtCloseReason of the engine). */
export function srtEndReason(reason: string): CloseReason {
  switch (reason) {
    case 'peer_shutdown':
      return 'client_closed';
    case 'peer_idle_timeout':
      return 'timeout';
    case 'peer_error':
      return 'protocol_error';
    case 'closed':
      return 'server_stopping';
    default:
      return 'client_closed';
  }
}
