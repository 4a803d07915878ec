import type { RtcMediaKind } from '../../protocol/rtc/werift-peer.ts';
import type { LogFields } from '../log/logger.ts';
import type { CloseReason } from '../log/client-events.ts';

/** What a feed may do with its WHEP player. */
export interface FeedOutput {
  /** Hands one RTP packet to the player's peer; false if its send window is full (the packet was not sent). */
  send(kind: RtcMediaKind, rtp: Uint8Array): boolean;
  /** Ask the stream's publisher for a key frame (rate-limited by the publisher). */
  requestKeyframe(): void;
  end(reason: CloseReason): void;
}

/**
 * Where a WHEP player's RTP comes from: the hub (whep-hub-feed.ts: H.264 and
 * AAC/Opus of any publish, packetized per player) or a WebRTC publisher's
 * relay (whep-relay-feed.ts: VP8/VP9/AV1 and Opus as they came).
 */
export interface WhepFeed {
  /** DTLS is up: start sending (from a key frame). */
  connected(): void;
  close(): void;
  /** Counters for the session's stats line. */
  stats(): LogFields;
}
