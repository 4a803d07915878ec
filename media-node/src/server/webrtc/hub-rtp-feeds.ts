import type { Consumer, ConsumerOptions } from '../../hub/consumer.ts';
import type { MediaMessage } from '../../hub/media-message.ts';
import type { Source } from '../../hub/source.ts';
import { SOUND_FORMAT_AAC } from '../../format/flv/audio-data.ts';
import type { OpusFeeds, OpusSubscription } from './audio-bridge/opus-feeds.ts';
import { HubToRtp } from './hub-to-rtp.ts';
import type { HubToRtpStats } from './hub-to-rtp.ts';
import { RtpRelay } from './rtp-relay.ts';

/**
 * Payload types of the shared packets. Any will do: each player's werift
 * sender writes its own negotiated payload type and SSRC into what it sends.
 */
const VIDEO_PT = 96;
const AUDIO_PT = 111;

/** A hub-fed relay a WHEP player holds while it plays. */
export interface HubRtpLease {
  readonly relay: RtpRelay;
  /** Leaves; the last player to leave stops the stream's feed. Idempotent. */
  release(): void;
}

export interface HubRtpFeedEvents {
  /** A stream's feed stopped (its last player left): what its packetizer did. */
  stopped?(streamKey: string, stats: HubToRtpStats): void;
}

interface Feed {
  readonly source: Source;
  consumer: Consumer | null;
  readonly rtp: HubToRtp;
  readonly relay: RtpRelay;
  players: number;
  audioPlayers: number;
  opus: OpusSubscription | null;
  scheduled: boolean;
}

const isAac = (p: Uint8Array): boolean => p.length > 0 && p[0]! >>> 4 === SOUND_FORMAT_AAC;

/**
 * The WHEP players of a stream fed from the hub share one feed: one hub
 * consumer (min-latency, its queue starting with the GOP cache), one HubToRtp
 * that packetizes each frame once (H.264 with SPS/PPS before every IDR; Opus
 * from the stream's shared AAC -> Opus bridge while a player wants audio),
 * and one RtpRelay whose packets, the same bytes, go to every player
 * (serialize once; werift's per-player SRTP is the only copy) and whose GOP
 * cache starts a player that joins at the last key frame. Started by a
 * stream's first WHEP player, stopped by its last.
 */
export class HubRtpFeeds {
  private readonly feeds = new Map<string, Feed>();
  private readonly play: ConsumerOptions;
  private readonly opusFeeds: OpusFeeds;
  private readonly events: HubRtpFeedEvents;

  constructor(play: ConsumerOptions, opusFeeds: OpusFeeds, events: HubRtpFeedEvents = {}) {
    this.play = play;
    this.opusFeeds = opusFeeds;
    this.events = events;
  }

  /** Streams with a running feed. */
  get size(): number {
    return this.feeds.size;
  }

  subscribe(source: Source, audio: boolean): HubRtpLease {
    let feed = this.feeds.get(source.key);
    if (feed === undefined) {
      feed = { source, consumer: null, rtp: new HubToRtp({ videoPayloadType: VIDEO_PT, audioPayloadType: AUDIO_PT }), relay: new RtpRelay('H264'), players: 0, audioPlayers: 0, opus: null, scheduled: false };
      this.feeds.set(source.key, feed);
      feed.consumer = this.attach(feed);
    }
    const f = feed;
    f.players++;
    if (audio && f.audioPlayers++ === 0) f.opus = this.opusFeeds.subscribe(source, () => this.schedule(f));
    let released = false;
    return {
      relay: f.relay,
      release: () => {
        if (released) return;
        released = true;
        if (audio && --f.audioPlayers === 0) {
          f.opus?.close();
          f.opus = null;
        }
        if (--f.players === 0) this.stop(f);
      },
    };
  }

  /** A consumer starts with the sequence headers and the GOP cache already queued: drained at once. */
  private attach(feed: Feed): Consumer {
    feed.rtp.resync();
    feed.relay.resetGop();
    this.schedule(feed);
    return feed.source.addConsumer({
      ...this.play,
      minLatency: true,
      listener: {
        onReadable: () => this.schedule(feed),
        onPublish: () => {
          feed.rtp.resync();
          feed.relay.resetGop();
        },
        onClose: (_c, reason) => {
          // Cut as a slow consumer (the event loop stalled): rejoin at the GOP cache if players remain.
          if (reason === 'slow_consumer' && this.feeds.get(feed.source.key) === feed) feed.consumer = this.attach(feed);
        },
      },
    });
  }

  private schedule(feed: Feed): void {
    if (feed.scheduled) return;
    feed.scheduled = true;
    setImmediate(() => this.drain(feed));
  }

  private drain(feed: Feed): void {
    feed.scheduled = false;
    if (this.feeds.get(feed.source.key) !== feed) return;
    if (feed.consumer !== null) this.send(feed, feed.consumer.take());
    if (feed.opus !== null) this.send(feed, feed.opus.take());
  }

  private send(feed: Feed, msgs: readonly MediaMessage[]): void {
    for (const msg of msgs) {
      // AAC never goes out as is: players that want audio get it as Opus from the bridge.
      if (msg.kind === 'audio' && isAac(msg.payload)) continue;
      for (const o of feed.rtp.push(msg)) feed.relay.pushPacket(o.kind, o.packet, o.keyframeStart);
    }
  }

  private stop(feed: Feed): void {
    if (this.feeds.get(feed.source.key) === feed) this.feeds.delete(feed.source.key);
    feed.consumer?.close();
    feed.consumer = null;
    feed.opus?.close();
    feed.opus = null;
    feed.relay.close();
    this.events.stopped?.(feed.source.key, feed.rtp.stats);
  }
}
