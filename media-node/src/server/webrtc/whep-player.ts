import type { MediaMessage } from '../../hub/media-message.ts';
import type { Source } from '../../hub/source.ts';
import type { RtcPeer } from '../../protocol/rtc/werift-peer.ts';
import { SOUND_FORMAT_AAC } from '../../format/flv/audio-data.ts';
import { decodeRtcpCompound } from '../../protocol/rtp/index.ts';
import type { ClientRecord } from '../clients.ts';
import type { CloseReason } from '../log/client-events.ts';
import type { OpusFeeds } from './audio-bridge/opus-feeds.ts';
import { HubToRtp } from './hub-to-rtp.ts';
import type { RtcAdmitted } from './rtc-admission.ts';
import type { RtcDeps } from './rtc-deps.ts';
import type { PreparedOffer } from './rtc-offer.ts';
import { CONNECT_TIMEOUT_MS, PLAYER_IDLE_TIMEOUT_MS, RateGate } from './rtc-session.ts';
import type { RtcSession } from './rtc-session.ts';

/**
 * RTP packets handed to werift and not yet on the socket. UDP has no
 * backpressure of its own, so this is the player's send window: ~1.2 MB,
 * about 3 s of a 3 Mbit/s stream. Past it the player skips to the next
 * keyframe (the hub queue behind it is bounded by play.queue_length).
 */
export const MAX_INFLIGHT_PACKETS = 1000;

/** What a WHEP player may ask of the stream's publisher. */
export interface KeyframeRouter {
  /** A player lost a picture (PLI/FIR): ask the WebRTC publisher of `streamKey`, rate-limited there. */
  request(streamKey: string): void;
}

/**
 * One WHEP player: attached to the source at once (its queue starts with the
 * sequence headers and the GOP cache's keyframe), drained through HubToRtp
 * into werift once DTLS is up, min-latency (no merged writes). PLI/FIR from
 * the player are logged (rate-limited) and passed to the keyframe router.
 * AAC audio reaches the player as Opus from the stream's shared AAC -> Opus
 * bridge (OpusFeeds, subscribed when the answer has audio); Opus in the hub
 * (enhanced RTMP) goes out as is.
 */
export function startWhepPlayer(
  deps: RtcDeps,
  peer: RtcPeer,
  who: RtcAdmitted,
  offer: PreparedOffer,
  token: string,
  keyframes: KeyframeRouter,
  opusFeeds: OpusFeeds,
  onEnded: (s: RtcSession) => void,
): RtcSession {
  const { id, clog } = who;
  const source: Source = deps.streams.getOrCreate(who.key);
  const name = `${who.key.app}/${who.key.stream}`;
  const rtp = new HubToRtp({ videoPayloadType: offer.video?.payloadType, audioPayloadType: offer.audio?.payloadType });
  const since = deps.now();
  const pliLog = new RateGate(deps.settings.pliIntervalMs);
  let connected = false;
  let inflight = 0;
  let sentBytes = 0;
  let droppedPackets = 0;
  let keyframeRequests = 0;
  let scheduled = false;
  let done = false;

  const consumer = source.addConsumer({
    ...deps.play,
    minLatency: true,
    clientId: id,
    listener: {
      onReadable: () => schedule(),
      onPublish: () => rtp.resync(),
      onClose: (_c, reason) => {
        if (reason === 'slow_consumer') session.end('slow_consumer');
      },
    },
  });

  const opus = offer.audio === undefined ? null : opusFeeds.subscribe(source, () => schedule());
  const isAac = (p: Uint8Array): boolean => p.length > 0 && p[0]! >>> 4 === SOUND_FORMAT_AAC;

  function send(msgs: readonly MediaMessage[]): void {
    for (const msg of msgs) {
      if (opus !== null && msg.kind === 'audio' && isAac(msg.payload)) continue;
      for (const out of rtp.push(msg)) {
        if (inflight >= MAX_INFLIGHT_PACKETS) {
          droppedPackets++;
          rtp.resync();
          continue;
        }
        inflight++;
        sentBytes += out.packet.length;
        void peer.send(out.kind, out.packet).then(() => {
          inflight--;
        });
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

  const record: ClientRecord = {
    id,
    ip: who.ip,
    connectedAt: Date.now(),
    type: 'rtc-play',
    publish: false,
    tcUrl: who.hook.tcUrl,
    pageUrl: who.hook.pageUrl,
    swfUrl: '',
    url: `/${name}`,
    name: who.key.stream,
    sourceId: source.id,
    recvBytes: () => 0,
    sendBytes: () => sentBytes,
    kick: () => session.end('kicked'),
  };
  deps.clients.add(record);
  clog.play(name, { video_pt: offer.video?.payloadType, audio_pt: offer.audio?.payloadType });

  const connectTimer = setTimeout(() => session.end('timeout'), CONNECT_TIMEOUT_MS);
  connectTimer.unref();
  let lastRtcpAt = since;
  let idleTimer: ReturnType<typeof setInterval> | null = null;

  peer.on({
    state(s) {
      if (s === 'connected') {
        clearTimeout(connectTimer);
        connected = true;
        lastRtcpAt = deps.now();
        idleTimer = setInterval(() => {
          if (deps.now() - lastRtcpAt < PLAYER_IDLE_TIMEOUT_MS) return;
          clog.log.warn('play_timeout', { stream: name, why: `no RTCP for ${PLAYER_IDLE_TIMEOUT_MS} ms` });
          session.end('timeout');
        }, 1000);
        idleTimer.unref();
        schedule();
      } else session.end('client_closed');
    },
    rtcp(_kind, bytes) {
      lastRtcpAt = deps.now();
      let packets;
      try {
        packets = decodeRtcpCompound(bytes);
      } catch {
        return;
      }
      if (!packets.some((p) => p.type === 'pli' || p.type === 'fir')) return;
      keyframeRequests++;
      keyframes.request(source.key);
      if (pliLog.pass(deps.now())) clog.log.info('rtc_keyframe_request', { stream: name, requests: keyframeRequests });
    },
  });

  const session: RtcSession = {
    id,
    token,
    role: 'play',
    end(reason: CloseReason) {
      if (done) return;
      done = true;
      clearTimeout(connectTimer);
      if (idleTimer !== null) clearInterval(idleTimer);
      consumer.close();
      opus?.close();
      void peer.close();
      deps.clients.remove(id);
      const s = rtp.stats;
      clog.stop(name, reason);
      clog.log.info('rtc_play_stats', {
        stream: name, video_frames: s.videoFrames, audio_frames: s.audioFrames, dropped_packets: droppedPackets,
        dropped_frames: s.droppedFrames, audio_not_sent: s.unsupportedAudioFrames, opus_dropped: opus?.dropped ?? 0,
        unverified_datagrams: peer.stats.unverifiedDatagrams, address_guard: peer.stats.guarded, srtp_key_objects: peer.stats.srtpKeyObjects,
      });
      void deps.hooks.notify('on_stop', { ...who.hook, streamId: source.id });
      clog.close({ reason, durationMs: deps.now() - since, recvBytes: 0, sendBytes: sentBytes });
      onEnded(session);
    },
  };
  return session;
}
