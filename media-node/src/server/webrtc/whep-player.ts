import type { Source } from '../../hub/source.ts';
import type { RtcPeer } from '../../protocol/rtc/werift-peer.ts';
import { decodeRtcpCompound } from '../../protocol/rtp/index.ts';
import type { ClientRecord } from '../clients.ts';
import type { CloseReason } from '../log/client-events.ts';
import type { RtcAdmitted } from './rtc-admission.ts';
import type { RtcDeps } from './rtc-deps.ts';
import type { PreparedOffer } from './rtc-offer.ts';
import { CONNECT_TIMEOUT_MS, PLAYER_IDLE_TIMEOUT_MS, RateGate } from './rtc-session.ts';
import type { RtcSession } from './rtc-session.ts';
import type { FeedOutput, WhepFeed } from './whep-feed.ts';

/**
 * RTP packets handed to werift and not yet on the socket. UDP has no
 * backpressure of its own, so this is the player's send window: ~1.2 MB,
 * about 3 s of a 3 Mbit/s stream. Past it the player skips to the next
 * keyframe (the stream's shared feed behind it does not wait for players).
 */
export const MAX_INFLIGHT_PACKETS = 1000;

/** What a WHEP player may ask of the stream's publisher. */
export interface KeyframeRouter {
  /** A player lost a picture (PLI/FIR): ask the WebRTC publisher of `streamKey`, rate-limited there. */
  request(streamKey: string): void;
}

/**
 * One WHEP player: the session (client record, hooks, connect and RTCP idle
 * timeouts, DELETE) around a feed that makes its RTP (whep-feed.ts: from the
 * hub, or a WebRTC publisher's relay), with the send window both share.
 * PLI/FIR from the player are logged (rate-limited) and passed to the
 * keyframe router.
 */
export function startWhepPlayer(
  deps: RtcDeps,
  peer: RtcPeer,
  who: RtcAdmitted,
  offer: PreparedOffer,
  token: string,
  keyframes: KeyframeRouter,
  makeFeed: (source: Source, out: FeedOutput) => WhepFeed,
  onEnded: (s: RtcSession) => void,
): RtcSession {
  const { id, clog } = who;
  const source: Source = deps.streams.getOrCreate(who.key);
  const name = `${who.key.app}/${who.key.stream}`;
  const since = deps.now();
  const pliLog = new RateGate(deps.settings.pliIntervalMs);
  let inflight = 0;
  let sentBytes = 0;
  let keyframeRequests = 0;
  let done = false;

  const feed = makeFeed(source, {
    send(kind, packet) {
      if (done || inflight >= MAX_INFLIGHT_PACKETS) return false;
      inflight++;
      sentBytes += packet.length;
      void peer.send(kind, packet).then(() => {
        inflight--;
      });
      return true;
    },
    requestKeyframe: () => keyframes.request(source.key),
    end: (reason) => session.end(reason),
  });
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
        lastRtcpAt = deps.now();
        idleTimer = setInterval(() => {
          if (deps.now() - lastRtcpAt < PLAYER_IDLE_TIMEOUT_MS) return;
          clog.log.warn('play_timeout', { stream: name, why: `no RTCP for ${PLAYER_IDLE_TIMEOUT_MS} ms` });
          session.end('timeout');
        }, 1000);
        idleTimer.unref();
        feed.connected();
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
      feed.close();
      void peer.close();
      deps.clients.remove(id);
      clog.stop(name, reason);
      clog.log.info('rtc_play_stats', {
        stream: name, ...feed.stats(),
        unverified_datagrams: peer.stats.unverifiedDatagrams, unauthenticated_stun: peer.stats.unauthenticatedStun, address_guard: peer.stats.guarded, srtp_key_objects: peer.stats.srtpKeyObjects,
      });
      void deps.hooks.notify('on_stop', { ...who.hook, streamId: source.id });
      clog.close({ reason, durationMs: deps.now() - since, recvBytes: 0, sendBytes: sentBytes });
      onEnded(session);
    },
  };
  return session;
}
