import type { Consumer, ConsumerOptions } from '../../../hub/consumer.ts';
import type { MediaMessage } from '../../../hub/media-message.ts';
import type { Source } from '../../../hub/source.ts';
import { AacToOpus } from './aac-to-opus.ts';
import type { BridgeStats } from './bridge-stats.ts';

/**
 * Opus messages a WebRTC player has not sent yet: 100 x 20 ms = 2 s. A player
 * further behind (werift backlog, a stalled event loop) loses the oldest:
 * late audio is useless to a live player and must not grow memory.
 */
export const MAX_PENDING_OPUS = 100;

/** One WebRTC player's share of a stream's transcoded audio. */
export interface OpusSubscription {
  /** Opus hub messages (enhanced-RTMP Opus bodies) since the last take, oldest first. */
  take(): MediaMessage[];
  /** Messages this player lost to MAX_PENDING_OPUS. */
  readonly dropped: number;
  /** Leaves the feed; the last one to leave stops the transcoder. Idempotent. */
  close(): void;
}

export interface OpusFeedEvents {
  /** A feed stopped (its last player left): what it did. */
  stopped?(streamKey: string, stats: BridgeStats): void;
}

interface Subscriber {
  pending: MediaMessage[];
  dropped: number;
  readonly onReadable: () => void;
}

interface Feed {
  readonly source: Source;
  consumer: Consumer | null;
  bridge: AacToOpus;
  readonly subscribers: Set<Subscriber>;
  scheduled: boolean;
}

/**
 * The AAC -> Opus bridges of a node, one per stream, started lazily: the
 * first WebRTC player of a stream attaches one hub consumer (no GOP replay:
 * audio starts live) whose AAC goes through one AacToOpus; every player of
 * the stream gets the same Opus messages; the last player to leave closes
 * the consumer and frees the codec. Streams whose audio is not AAC cost a
 * consumer and nothing else (AacToOpus opens a codec only on an AAC
 * sequence header).
 */
export class OpusFeeds {
  private readonly feeds = new Map<string, Feed>();
  private readonly play: ConsumerOptions;
  private readonly events: OpusFeedEvents;

  constructor(play: ConsumerOptions, events: OpusFeedEvents = {}) {
    this.play = play;
    this.events = events;
  }

  /** Running feeds (streams with at least one subscribed player). */
  get size(): number {
    return this.feeds.size;
  }

  subscribe(source: Source, onReadable: () => void): OpusSubscription {
    let feed = this.feeds.get(source.key);
    if (feed === undefined) {
      feed = this.start(source);
      this.feeds.set(source.key, feed);
    }
    const sub: Subscriber = { pending: [], dropped: 0, onReadable };
    feed.subscribers.add(sub);
    const f = feed;
    let closed = false;
    return {
      take: () => {
        const out = sub.pending;
        sub.pending = [];
        return out;
      },
      get dropped() {
        return sub.dropped;
      },
      close: () => {
        if (closed) return;
        closed = true;
        f.subscribers.delete(sub);
        if (f.subscribers.size === 0) this.stop(f);
      },
    };
  }

  private start(source: Source): Feed {
    const feed: Feed = { source, consumer: null, bridge: new AacToOpus(), subscribers: new Set(), scheduled: false };
    feed.consumer = this.attach(feed);
    return feed;
  }

  private attach(feed: Feed): Consumer {
    return feed.source.addConsumer({
      ...this.play,
      minLatency: true,
      gopCache: false,
      listener: {
        onReadable: () => {
          if (feed.scheduled) return;
          feed.scheduled = true;
          setImmediate(() => this.drain(feed));
        },
        onPublish: () => {
          // A new publisher: its AAC decoder state and timeline start over.
          feed.bridge.close();
          feed.bridge = new AacToOpus();
        },
        onClose: (_c, reason) => {
          // Cut as a slow consumer (the event loop stalled): rejoin live if players remain.
          if (reason === 'slow_consumer' && this.feeds.get(feed.source.key) === feed) feed.consumer = this.attach(feed);
        },
      },
    });
  }

  private drain(feed: Feed): void {
    feed.scheduled = false;
    if (this.feeds.get(feed.source.key) !== feed) return;
    const out: MediaMessage[] = [];
    for (const m of feed.consumer?.take() ?? []) if (m.kind === 'audio') for (const o of feed.bridge.push(m)) if (!o.sequenceHeader) out.push(o);
    if (out.length === 0) return;
    for (const sub of feed.subscribers) {
      sub.pending.push(...out);
      const over = sub.pending.length - MAX_PENDING_OPUS;
      if (over > 0) {
        sub.pending.splice(0, over);
        sub.dropped += over;
      }
      sub.onReadable();
    }
  }

  private stop(feed: Feed): void {
    if (this.feeds.get(feed.source.key) === feed) this.feeds.delete(feed.source.key);
    feed.consumer?.close();
    feed.bridge.close();
    this.events.stopped?.(feed.source.key, feed.bridge.stats);
  }
}
