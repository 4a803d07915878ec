import type { StreamKey } from '../../hub/stream-registry.ts';
import type { CloseReason } from '../log/client-events.ts';

/** A live WHIP/WHEP session as the server's registry sees it. */
export interface RtcSession {
  /** The client id (API, logs) and the `session=` of its Location URL. */
  readonly id: string;
  /** Secret of the Location URL: DELETE must name it (SRS 5.0.164 #3595). */
  readonly token: string;
  readonly role: 'publish' | 'play';
  /** Ends the session (idempotent): peer closed, hooks told, client removed. */
  end(reason: CloseReason): void;
}

/** A session made from an offer: what the signalling answers with. */
export interface OpenedSession {
  readonly session: RtcSession;
  readonly answer: string;
  readonly key: StreamKey;
  /** The offer's ice-ufrag (SRS's JSON API answers `sessionid: "<ours>:<theirs>"`). */
  readonly clientUfrag: string;
}

/** Until DTLS is up a session holds a port and maybe a publish claim; past this it is dropped. */
export const CONNECT_TIMEOUT_MS = 15_000;

/**
 * A player that sends no RTCP for this long is gone (browsers send receiver
 * reports about once a second, RFC 3550 6.2 allows 5 s): the session is
 * ended, which is how SRS JSON API sessions (no DELETE) and vanished tabs end.
 */
export const PLAYER_IDLE_TIMEOUT_MS = 20_000;

/** Rate limit for log lines and keyframe requests: true at most once per `intervalMs`. */
export class RateGate {
  private last = -Infinity;
  private readonly intervalMs: number;
  constructor(intervalMs: number) {
    this.intervalMs = intervalMs;
  }
  pass(now: number): boolean {
    if (now - this.last < this.intervalMs) return false;
    this.last = now;
    return true;
  }
}
