import type { RtpRelay } from './rtp-relay.ts';
import type { FeedOutput, WhepFeed } from './whep-feed.ts';

/**
 * A WHEP player fed by a relay (a WHIP publisher's VP8/VP9/AV1, or the hub's
 * packets made once for all players, hub-rtp-feeds.ts): at DTLS up it gets
 * the relay's packets since the last key frame (or asks the publisher for
 * one when there are none), then every packet as it arrives; audio only if
 * its answer has an audio section. After a full send window, video waits for the next key frame
 * start (and asks for one); the player sees a sequence gap followed by a
 * decodable picture, as after loss.
 */
export function relayFeed(relay: RtpRelay, out: FeedOutput, audio = true): WhepFeed {
  let connected = false;
  let waitKeyframe = true;
  let videoPackets = 0;
  let audioPackets = 0;
  let skippedPackets = 0;
  let droppedPackets = 0;

  function video(rtp: Uint8Array, keyframeStart: boolean): void {
    if (waitKeyframe && !keyframeStart) {
      skippedPackets++;
      return;
    }
    waitKeyframe = false;
    if (out.send('video', rtp)) videoPackets++;
    else {
      droppedPackets++;
      waitKeyframe = true;
      out.requestKeyframe();
    }
  }

  const unsubscribe = relay.subscribe({
    packet(kind, rtp, keyframeStart) {
      if (!connected) return;
      if (kind === 'video') video(rtp, keyframeStart);
      else if (!audio) return;
      else if (out.send('audio', rtp)) audioPackets++;
      else droppedPackets++;
    },
    closed() {
      out.end('source_gone');
    },
  });

  return {
    connected() {
      connected = true;
      const gop = relay.currentGop();
      if (gop.length === 0) {
        out.requestKeyframe();
        return;
      }
      gop.forEach((rtp, i) => video(rtp, i === 0));
    },
    close() {
      unsubscribe();
    },
    stats() {
      return { codec: relay.codec, video_packets: videoPackets, audio_packets: audioPackets, skipped_packets: skippedPackets, dropped_packets: droppedPackets };
    },
  };
}
