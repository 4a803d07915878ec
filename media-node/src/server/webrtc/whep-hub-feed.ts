import type { MediaMessage } from '../../hub/media-message.ts';
import type { Source } from '../../hub/source.ts';
import type { RtcCodecChoice } from '../../protocol/rtc/werift-peer.ts';
import { SOUND_FORMAT_AAC } from '../../format/flv/audio-data.ts';
import type { OpusFeeds } from './audio-bridge/opus-feeds.ts';
import { HubToRtp } from './hub-to-rtp.ts';
import type { RtcDeps } from './rtc-deps.ts';
import type { FeedOutput, WhepFeed } from './whep-feed.ts';

export interface HubFeedOptions {
  readonly clientId: string;
  readonly video?: RtcCodecChoice;
  readonly audio?: RtcCodecChoice;
}

/**
 * A WHEP player fed from the hub: attached to the source at once (its queue
 * starts with the sequence headers and the GOP cache's key frame), drained
 * through HubToRtp once DTLS is up, min-latency (no merged writes). AAC audio
 * reaches the player as Opus from the stream's shared AAC -> Opus bridge
 * (OpusFeeds, subscribed when the answer has audio); Opus in the hub
 * (enhanced RTMP) goes out as is. A full send window skips video to the next
 * key frame.
 */
export function hubFeed(deps: RtcDeps, source: Source, opts: HubFeedOptions, opusFeeds: OpusFeeds, out: FeedOutput): WhepFeed {
  const rtp = new HubToRtp({ videoPayloadType: opts.video?.payloadType, audioPayloadType: opts.audio?.payloadType });
  let connected = false;
  let scheduled = false;
  let done = false;
  let droppedPackets = 0;

  const consumer = source.addConsumer({
    ...deps.play,
    minLatency: true,
    clientId: opts.clientId,
    listener: {
      onReadable: () => schedule(),
      onPublish: () => rtp.resync(),
      onClose: (_c, reason) => {
        if (reason === 'slow_consumer') out.end('slow_consumer');
      },
    },
  });
  const opus = opts.audio === undefined ? null : opusFeeds.subscribe(source, () => schedule());
  const isAac = (p: Uint8Array): boolean => p.length > 0 && p[0]! >>> 4 === SOUND_FORMAT_AAC;

  function send(msgs: readonly MediaMessage[]): void {
    for (const msg of msgs) {
      if (opus !== null && msg.kind === 'audio' && isAac(msg.payload)) continue;
      for (const o of rtp.push(msg)) {
        if (!out.send(o.kind, o.packet)) {
          droppedPackets++;
          rtp.resync();
        }
      }
    }
  }

  function schedule(): void {
    if (scheduled || !connected || done) return;
    scheduled = true;
    setImmediate(flush);
  }

  function flush(): void {
    scheduled = false;
    if (done) return;
    send(consumer.take());
    if (opus !== null) send(opus.take());
  }

  return {
    connected() {
      connected = true;
      schedule();
    },
    close() {
      if (done) return;
      done = true;
      consumer.close();
      opus?.close();
    },
    stats() {
      const s = rtp.stats;
      return {
        video_frames: s.videoFrames, audio_frames: s.audioFrames, dropped_packets: droppedPackets, dropped_frames: s.droppedFrames,
        audio_not_sent: s.unsupportedAudioFrames, opus_dropped: opus?.dropped ?? 0,
      };
    },
  };
}
