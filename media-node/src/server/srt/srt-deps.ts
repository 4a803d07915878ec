import type { HttpPlayDeps } from '../http/http-play-deps.ts';

/** What SRT publishers and players need from the node: what HTTP players need, and SRS's publish timeouts. */
export interface SrtDeps extends HttpPlayDeps {
  /** SRS publish.firstpkt_timeout / normal_timeout, shared with RTMP: a publisher that sends no media is dropped. */
  readonly publish: { readonly firstPacketTimeoutMs: number; readonly normalTimeoutMs: number };
}
