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

/** Until DTLS is up a session holds a port and maybe a publish claim; past this it is dropped. */
export const CONNECT_TIMEOUT_MS = 15_000;

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
