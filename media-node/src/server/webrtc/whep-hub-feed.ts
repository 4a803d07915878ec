import type { Source } from '../../hub/source.ts';
import type { HubRtpFeeds } from './hub-rtp-feeds.ts';
import type { FeedOutput, WhepFeed } from './whep-feed.ts';
import { relayFeed } from './whep-relay-feed.ts';

/**
 * A WHEP player fed from the hub: it joins the stream's shared feed
 * (hub-rtp-feeds.ts: one consumer, each frame packetized once, AAC as Opus
 * from the shared bridge when the player has audio) and reads it like any
 * relay (whep-relay-feed.ts: GOP cache first, a full send window skips
 * video to the next key frame).
 */
export function hubFeed(feeds: HubRtpFeeds, source: Source, audio: boolean, out: FeedOutput): WhepFeed {
  const lease = feeds.subscribe(source, audio);
  const feed = relayFeed(lease.relay, out, audio);
  return {
    connected: () => feed.connected(),
    close() {
      feed.close();
      lease.release();
    },
    stats: () => feed.stats(),
  };
}
