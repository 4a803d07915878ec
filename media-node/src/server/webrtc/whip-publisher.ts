import type { PublishHandle, Source } from '../../hub/source.ts';
import type { RtcPeer } from '../../protocol/rtc/werift-peer.ts';
import { h264SpropParameterSets } from '../../protocol/sdp/index.ts';
import type { ClientRecord } from '../clients.ts';
import type { CloseReason } from '../log/client-events.ts';
import { updateStreamInfo } from '../stream-info.ts';
import type { RtcAdmitted } from './rtc-admission.ts';
import type { RtcDeps } from './rtc-deps.ts';
import type { PreparedOffer } from './rtc-offer.ts';
import { CONNECT_TIMEOUT_MS, RateGate } from './rtc-session.ts';
import type { RtcSession } from './rtc-session.ts';
import { OpusToAac } from './audio-bridge/opus-to-aac.ts';
import type { RtpRelay } from './rtp-relay.ts';
import { RtpToHub } from './rtp-to-hub.ts';
import type { HubFrame } from './rtp-to-hub.ts';

/** A publisher whose media stop this long after DTLS was up is dropped (SRS publish normal_timeout, 5 s for RTMP). */
export const MEDIA_TIMEOUT_MS = 10_000;

/** A WHIP session that publishes; the server asks it for keyframes on behalf of players. */
export interface WhipSession extends RtcSession {
  /** A player lost a picture: PLI to the browser/encoder, at most once per rtc.pli_interval_ms. */
  requestKeyframe(): void;
}

/**
 * One WHIP publisher: RTP from werift through RtpToHub (H.264 -> AVCC +
 * sequence header, Opus -> enhanced-RTMP Opus) then OpusToAac (the hub gets
 * AAC-LC, as SRS's rtc_to_rtmp does, so FFmpeg-5-era RTMP/FLV players and HLS
 * hear it; WebRTC players get Opus back through the AAC -> Opus bridge) into the source it claimed
 * before the answer, so RTMP, HTTP-FLV, HTTP-TS, HLS and DVR see it like any
 * publish. PLI is sent while the depacketizer waits for a keyframe (start,
 * loss) and when players ask, rate-limited.
 *
 * With a `relay` (the offer's video is VP8, VP9 or AV1, which the hub does
 * not carry) video and Opus also go to the relay for WHEP players as they
 * came, and only the audio reaches the hub (as AAC): RTMP, FLV, HLS and DVR
 * get the sound of such a stream, WebRTC players get both.
 */
export function startWhipPublisher(
  deps: RtcDeps,
  peer: RtcPeer,
  who: RtcAdmitted,
  offer: PreparedOffer,
  token: string,
  source: Source,
  handle: PublishHandle,
  relay: RtpRelay | undefined,
  onEnded: (s: RtcSession) => void,
): WhipSession {
  const { id, clog } = who;
  const name = `${who.key.app}/${who.key.stream}`;
  const video = offer.offer.video;
  const sprop = video === undefined ? [] : h264SpropParameterSets(video.codec.parameters);
  const toHub = new RtpToHub({
    videoPayloadType: relay === undefined ? offer.video?.payloadType : undefined,
    audioPayloadType: offer.audio?.payloadType,
    ...(sprop.length > 0 ? { parameterSets: sprop } : {}),
  });
  const toAac = new OpusToAac(2);
  const since = deps.now();
  const pli = new RateGate(deps.settings.pliIntervalMs);
  let recvBytes = 0;
  let lastMediaAt = since;
  let warnedInfo = false;
  let relayKeyframeSeen = false;
  let done = false;

  const record: ClientRecord = {
    id,
    ip: who.ip,
    connectedAt: Date.now(),
    type: 'rtc-publish',
    publish: true,
    tcUrl: who.hook.tcUrl,
    pageUrl: who.hook.pageUrl,
    swfUrl: '',
    url: `/${name}`,
    name: who.key.stream,
    sourceId: source.id,
    recvBytes: () => recvBytes,
    sendBytes: () => 0,
    kick: () => session.end('kicked'),
  };
  deps.clients.add(record);
  clog.publish(name, { video_codec: offer.video?.mimeType, video_pt: offer.video?.payloadType, audio_pt: offer.audio?.payloadType });

  const connectTimer = setTimeout(() => session.end('timeout'), CONNECT_TIMEOUT_MS);
  connectTimer.unref();
  let idleTimer: ReturnType<typeof setInterval> | null = null;
  let keyframeTimer: ReturnType<typeof setInterval> | null = null;

  function toSource(f: HubFrame): void {
    const msg = handle.push(f.kind, f.timestamp, f.payload);
    if (msg !== null && msg.sequenceHeader) {
      const bad = updateStreamInfo(source, msg);
      if (bad !== null && !warnedInfo) {
        warnedInfo = true;
        clog.log.warn('bad_sequence_header', { stream: name, code: bad });
      }
    }
  }

  const requestKeyframe = (): void => {
    if (!done && pli.pass(deps.now())) peer.requestKeyframe('video');
  };

  peer.on({
    state(s) {
      if (s === 'connected') {
        clearTimeout(connectTimer);
        lastMediaAt = deps.now();
        idleTimer = setInterval(() => {
          if (deps.now() - lastMediaAt >= MEDIA_TIMEOUT_MS) {
            clog.log.warn('publish_timeout', { stream: name, why: `no media for ${MEDIA_TIMEOUT_MS} ms` });
            session.end('timeout');
          }
        }, 1000);
        idleTimer.unref();
        // SRS pli_for_rtmp: WebRTC encoders send key frames only when asked; HLS/DVR segments and
        // RTMP players joining need them now and then (passthrough players ask for themselves).
        if (relay === undefined && offer.video !== undefined && deps.settings.pliForRtmpMs > 0) {
          keyframeTimer = setInterval(requestKeyframe, deps.settings.pliForRtmpMs);
          keyframeTimer.unref();
        }
      } else session.end('client_closed');
    },
    rtp(kind, bytes) {
      if (done) return;
      recvBytes += bytes.length;
      lastMediaAt = deps.now();
      if (relay !== undefined) {
        if (relay.push(kind, bytes)) relayKeyframeSeen = true;
        if (kind === 'video') {
          // Players joining find the GOP cache filled from the first key frame on: ask until it came.
          if (!relayKeyframeSeen) requestKeyframe();
          return;
        }
      }
      for (const f of toHub.push(kind, bytes, deps.now() - since)) {
        if (f.kind === 'audio') for (const a of toAac.pushFlv(f.payload, f.timestamp)) toSource({ kind: 'audio', timestamp: a.timestamp, payload: a.payload });
        else toSource(f);
      }
      if (kind === 'video' && toHub.keyframeWanted) requestKeyframe();
    },
    rtcp(kind, bytes) {
      if (!done) toHub.pushRtcp(kind, bytes, deps.now() - since);
    },
  });

  const session: WhipSession = {
    id,
    token,
    role: 'publish',
    requestKeyframe,
    end(reason: CloseReason) {
      if (done) return;
      done = true;
      clearTimeout(connectTimer);
      if (idleTimer !== null) clearInterval(idleTimer);
      if (keyframeTimer !== null) clearInterval(keyframeTimer);
      void peer.close();
      handle.unpublish();
      relay?.close();
      toAac.close();
      deps.clients.remove(id);
      const d = toHub.depacketizerStats;
      clog.unpublish(name, reason);
      clog.log.info('rtc_publish_stats', {
        stream: name, video_packets: toHub.stats.videoPackets, audio_packets: toHub.stats.audioPackets, dropped_packets: toHub.stats.droppedPackets,
        access_units: d.accessUnits, lost_packets: d.lostPackets, late_packets: d.latePackets, dropped_access_units: d.droppedAccessUnits,
        unverified_datagrams: peer.stats.unverifiedDatagrams, unauthenticated_stun: peer.stats.unauthenticatedStun, address_guard: peer.stats.guarded, srtp_key_objects: peer.stats.srtpKeyObjects,
        opus_to_aac_in: toAac.stats.inFrames, aac_out: toAac.stats.outFrames, opus_dropped: toAac.stats.droppedFrames,
        ...(relay === undefined ? {} : { relay_codec: relay.codec, relay_keyframes: relay.stats.keyframes, relay_dropped: relay.stats.droppedPackets, relay_gop_overflows: relay.stats.gopOverflows }),
      });
      void deps.hooks.notify('on_unpublish', { ...who.hook, streamId: source.id, publishedBytes: recvBytes });
      clog.close({ reason, durationMs: deps.now() - since, recvBytes, sendBytes: 0 });
      onEnded(session);
    },
  };
  return session;
}
