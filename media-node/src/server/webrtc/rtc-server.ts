import { randomBytes } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { ProtocolError } from '@runnel/shared';
import { UdpMux } from '../../protocol/rtc/udp-mux.ts';
import type { UdpMuxStats } from '../../protocol/rtc/udp-mux.ts';
import { answerOffer, serialized } from '../../protocol/rtc/werift-peer.ts';
import type { RtcPeer } from '../../protocol/rtc/werift-peer.ts';
import { classifyAddress, MAX_SDP_CHARS } from '../../protocol/sdp/index.ts';
import { readBody } from '../api/request-body.ts';
import { DEFAULT_VHOST } from '../../hub/stream-registry.ts';
import { admitRtcClient, rtcStreamRequest } from './rtc-admission.ts';
import type { RtcStreamRequest } from './rtc-admission.ts';
import type { RtcAdmitted } from './rtc-admission.ts';
import type { RtcDeps } from './rtc-deps.ts';
import { prepareOffer } from './rtc-offer.ts';
import type { PreparedOffer, VideoChoice } from './rtc-offer.ts';
import { RtcProblem, sendProblem } from './rtc-problem.ts';
import type { OpenedSession, RtcSession } from './rtc-session.ts';
import { serveSrsRtcApi } from './srs-rtc-api.ts';
import { OpusFeeds } from './audio-bridge/opus-feeds.ts';
import { HubRtpFeeds } from './hub-rtp-feeds.ts';
import { passthroughCodecOf, RtpRelay } from './rtp-relay.ts';
import { hubFeed } from './whep-hub-feed.ts';
import type { FeedOutput } from './whep-feed.ts';
import { startWhepPlayer } from './whep-player.ts';
import { relayFeed } from './whep-relay-feed.ts';
import { startWhipPublisher } from './whip-publisher.ts';
import type { WhipSession } from './whip-publisher.ts';

/** The WebRTC signalling of a node: WHIP/WHEP (and SRS's paths for them) on the node HTTP server. */
export interface RtcServer {
  /** Serves `/rtc/v1/...`; false (nothing written) for any other path. */
  handle(req: IncomingMessage, res: ServerResponse): boolean;
  /** Live sessions (players + publishers). */
  readonly sessionCount: number;
  /** The UDP port every session shares (rtc.udp_mux), or null with a port per session. */
  readonly muxPort: number | null;
  /** The shared port's counters (datagrams no session claimed), or null with a port per session. */
  readonly muxStats: Readonly<UdpMuxStats> | null;
  /** Ends every session ('server_stopping'). */
  close(): Promise<void>;
}

type Role = 'publish' | 'play';

/** The offer text; RTC refuses bytes that are not UTF-8 rather than guessing. */
function decodeUtf8(body: Uint8Array): string {
  try {
    return new TextDecoder('utf-8', { fatal: true }).decode(body);
  } catch {
    throw new RtcProblem(400, 'sdp_bad_encoding', 'the offer is not UTF-8');
  }
}

/** SRS paths (srs.md 2.8): whip = publish, whep and 4.0's whip-play = play. */
const ROUTES: Readonly<Record<string, Role>> = {
  '/rtc/v1/whip/': 'publish',
  '/rtc/v1/whep/': 'play',
  '/rtc/v1/whip-play/': 'play',
};

/** SRS 4's JSON signalling (srs.md 2.7). */
const SRS_API_ROUTES: Readonly<Record<string, Role>> = {
  '/rtc/v1/publish/': 'publish',
  '/rtc/v1/play/': 'play',
};

const CORS = {
  'Access-Control-Allow-Origin': '*',
  'Access-Control-Allow-Methods': 'POST, DELETE, PATCH, OPTIONS',
  'Access-Control-Allow-Headers': 'Authorization, Content-Type, If-Match',
  'Access-Control-Expose-Headers': 'Location, ETag',
};

function peerIp(req: IncomingMessage): string {
  const a = req.socket.remoteAddress ?? '';
  return a.startsWith('::ffff:') ? a.slice(7) : a;
}

/** Every video codec a WHIP publisher may send: H.264 first (it bridges to RTMP/FLV/HLS), the rest pass through. */
const PUBLISH_VIDEO_CODECS = ['H264', 'VP8', 'VP9', 'AV1'] as const;

/**
 * What a session's answer may pick: a publisher any codec above; a player the
 * relayed codec of a passthrough stream, else H.264 with the profile of the
 * stream's sequence header (a legacy AVC one: 5-byte VIDEODATA header, then
 * the avcC record whose byte 1 is AVCProfileIndication, ISO/IEC 14496-15
 * 5.3.3.1).
 */
function videoChoice(role: Role, sequenceHeader: Uint8Array | undefined, relay: RtpRelay | undefined): VideoChoice {
  if (role === 'publish') return { videoCodecs: PUBLISH_VIDEO_CODECS };
  if (relay !== undefined) return { videoCodecs: [relay.codec] };
  const h = sequenceHeader;
  const profile = h !== undefined && h.length > 6 && (h[0]! & 0x0f) === 7 ? h[6] : undefined;
  return profile === undefined ? {} : { h264ProfileIdc: profile };
}

function needsRelayCodec(relay: RtpRelay): RtcProblem {
  return new RtcProblem(400, 'sdp_unsupported_codec', `the stream is ${relay.codec} (passed through from its WebRTC publisher): the offer needs ${relay.codec} video`);
}

function newToken(): string {
  return randomBytes(16).toString('hex');
}

/**
 * WHIP (RFC 9725) and WHEP at SRS's paths (and SRS 4's JSON API, srs-rtc-api.ts): `POST` an SDP offer ->
 * `201 Created` + SDP answer + `Location`, `DELETE` that Location ends the
 * session, `PATCH` (trickle ICE) is answered 405 as RFC 9725 4.3.1 allows
 * a server that gathers everything up front. The offer is checked by
 * protocol/sdp before hooks or werift see it; every refusal is RFC 9457
 * problem JSON with a stable `code`.
 */
/**
 * Binds the shared UDP port when settings.muxPort is set (rtc.udp_mux) and
 * makes the server; rejects with a message naming the key if it cannot.
 */
export async function startRtcServer(deps: Omit<RtcDeps, 'mux'>): Promise<RtcServer> {
  const port = deps.settings.muxPort;
  if (port === undefined) return createRtcServer(deps);
  let mux: UdpMux;
  try {
    mux = await UdpMux.bind(port, deps.settings.bindAddress);
  } catch (error) {
    throw new Error(`cannot bind udp ${deps.settings.bindAddress ?? '0.0.0.0'}:${port} for WebRTC media (listen.rtc or --rtc-port; rtc.udp_mux): ${(error as Error).message}`, { cause: error });
  }
  return createRtcServer({ ...deps, mux });
}

export function createRtcServer(deps: RtcDeps): RtcServer {
  const sessions = new Map<string, RtcSession>();
  /** The WHIP publisher of each stream key, for players' keyframe requests. */
  const publishers = new Map<string, WhipSession>();
  /** Streams whose WHIP publisher sends VP8, VP9 or AV1: their WHEP players are fed by the relay. */
  const relays = new Map<string, RtpRelay>();
  let pending = 0;
  let closing = false;
  /** Peer connections are made one at a time (werift's port probing races otherwise; see answerOffer). */
  const oneAtATime = serialized();

  const keyframes = { request: (streamKey: string) => publishers.get(streamKey)?.requestKeyframe() };
  /** AAC -> Opus for players, one transcoder per stream while it has players. */
  const opusFeeds = new OpusFeeds(deps.play, {
    stopped: (stream, s) => deps.log.info('rtc_audio_bridge_stopped', {
      stream, direction: 'aac_to_opus', in_frames: s.inFrames, out_frames: s.outFrames, dropped_frames: s.droppedFrames, bad_configs: s.badConfigs,
    }),
  });

  /** WHEP players of hub streams: one packetizing feed per stream, shared. */
  const hubFeeds = new HubRtpFeeds(deps.play, opusFeeds, {
    stopped: (stream, s) => deps.log.info('rtc_hub_feed_stopped', {
      stream, video_frames: s.videoFrames, audio_frames: s.audioFrames, skipped_video_frames: s.skippedVideoFrames,
      dropped_frames: s.droppedFrames, audio_not_sent: s.unsupportedAudioFrames,
    }),
  });

  const allowRemote = (address: string): boolean => {
    const c = classifyAddress(address);
    return c !== 'metadata' && deps.settings.allowedAddressClasses.has(c);
  };

  async function openPeer(role: Role, prepared: PreparedOffer, who: RtcAdmitted): Promise<RtcPeer> {
    const s = deps.settings;
    let warned = false;
    return oneAtATime(() => answerOffer(prepared.sdp, {
      role,
      ...(prepared.video ? { video: prepared.video } : {}),
      ...(prepared.audio ? { audio: prepared.audio } : {}),
      ...(s.bindAddress === undefined ? {} : { bindAddress: s.bindAddress }),
      candidateAddress: s.candidateAddress,
      ...(deps.mux !== undefined ? { mux: deps.mux } : s.portRange === undefined ? {} : { portRange: s.portRange }),
      allowRemote,
      onError: (error) => {
        // werift's per-session failures (a bad DTLS record, an SRTP auth failure): one line per session.
        if (warned) return;
        warned = true;
        who.clog.log.warn('rtc_peer_error', { error: error as Error });
      },
    }));
  }

  /**
   * One session from an offer, for WHIP/WHEP and the SRS JSON API alike: the
   * offer is checked and the session cap applied before the hook, the stream
   * is claimed (publish) before werift, and only then is a port taken.
   */
  async function open(req: IncomingMessage, role: Role, stream: RtcStreamRequest, text: string): Promise<OpenedSession> {
    if (sessions.size + pending >= deps.settings.maxSessions) throw new RtcProblem(503, 'rtc_too_many_sessions', `at most ${deps.settings.maxSessions} sessions (rtc.port_count)`);
    let prepared: PreparedOffer;
    const streamKey = { vhost: DEFAULT_VHOST, app: stream.app, stream: stream.stream };
    const existing = deps.streams.get(streamKey);
    const relay = role === 'play' && existing !== undefined ? relays.get(existing.key) : undefined;
    try {
      prepared = prepareOffer(text, role, deps.settings.allowedAddressClasses, videoChoice(role, existing?.videoSequenceHeader?.payload, relay));
    } catch (error) {
      if (!(error instanceof ProtocolError)) throw error;
      throw error.code === 'sdp_unsupported_codec' && relay !== undefined ? needsRelayCodec(relay) : new RtcProblem(400, error.code, error.message);
    }
    if (prepared.video === undefined && role === 'play') {
      throw relay === undefined ? new RtcProblem(400, 'sdp_unsupported_codec', 'a play offer needs an H.264 video section') : needsRelayCodec(relay);
    }
    pending++;
    try {
      const who = await admitRtcClient(deps, req, role, stream, peerIp(req));
      if (closing) throw new RtcProblem(503, 'rtc_stopping', 'the node is stopping');
      const token = newToken();
      const source = deps.streams.getOrCreate(who.key);
      let handle = null;
      if (role === 'publish') {
        const claim = source.publish({ clientId: who.id, protocol: 'rtc', ...(who.record === undefined ? {} : { record: who.record }) });
        if (!claim.ok) {
          who.clog.reject('stream_busy', { stream: `${who.key.app}/${who.key.stream}`, publisher: claim.current.clientId });
          throw new RtcProblem(409, 'rtc_stream_busy', 'the stream is already being published');
        }
        handle = claim.publisher;
      }
      let peer: RtcPeer;
      try {
        peer = await openPeer(role, prepared, who);
      } catch (error) {
        handle?.unpublish();
        who.clog.log.warn('rtc_answer_failed', { error: error as Error });
        throw new RtcProblem(503, 'rtc_no_transport', 'no peer connection could be made (ports exhausted or the offer was refused by the ICE/DTLS stack)');
      }
      const relayCodec = handle === null ? undefined : passthroughCodecOf(prepared.offer.video?.codec.name ?? '');
      const publishRelay = relayCodec === undefined ? undefined : new RtpRelay(relayCodec);
      const ended = (s: RtcSession): void => {
        sessions.delete(s.id);
        if (publishers.get(source.key) === s) publishers.delete(source.key);
        if (publishRelay !== undefined && relays.get(source.key) === publishRelay) relays.delete(source.key);
      };
      let session: RtcSession;
      if (handle !== null) {
        const w = startWhipPublisher(deps, peer, who, prepared, token, source, handle, publishRelay, ended);
        publishers.set(source.key, w);
        if (publishRelay !== undefined) relays.set(source.key, publishRelay);
        session = w;
      } else {
        const feed = relay === undefined
          ? (src: typeof source, out: FeedOutput) => hubFeed(hubFeeds, src, prepared.audio !== undefined, out)
          : (_src: typeof source, out: FeedOutput) => relayFeed(relay, out, prepared.audio !== undefined);
        session = startWhepPlayer(deps, peer, who, prepared, token, keyframes, feed, ended);
      }
      sessions.set(session.id, session);
      return { session, answer: peer.answer, key: who.key, clientUfrag: prepared.offer.iceUfrag };
    } finally {
      pending--;
    }
  }

  async function post(req: IncomingMessage, res: ServerResponse, role: Role, url: URL): Promise<void> {
    const type = (req.headers['content-type'] ?? 'application/sdp').split(';', 1)[0].trim().toLowerCase();
    if (type !== 'application/sdp') throw new RtcProblem(415, 'rtc_not_sdp', 'the body must be application/sdp');
    const body = await readBody(req, MAX_SDP_CHARS);
    if (body === 'too_large') throw new RtcProblem(413, 'sdp_too_large', `an offer is at most ${MAX_SDP_CHARS} bytes`);
    const stream = rtcStreamRequest(req, url);
    const { session, answer, key } = await open(req, role, stream, decodeUtf8(body));
    if (res.destroyed) {
      session.end('client_closed');
      return;
    }
    const path = url.pathname === '/rtc/v1/whip-play/' ? '/rtc/v1/whep/' : url.pathname;
    const q = new URLSearchParams({ action: 'delete', token: session.token, app: key.app, stream: key.stream, session: session.id });
    res.writeHead(201, { ...CORS, 'Content-Type': 'application/sdp', 'Content-Length': Buffer.byteLength(answer), Location: `${path}?${q.toString()}`, 'Cache-Control': 'no-store' });
    res.end(answer);
  }

  function remove(res: ServerResponse, url: URL): void {
    const session = sessions.get(url.searchParams.get('session') ?? '');
    if (session === undefined || session.token !== url.searchParams.get('token')) throw new RtcProblem(404, 'rtc_no_session', 'no such session');
    session.end('client_closed');
    res.writeHead(200, { ...CORS, 'Content-Length': 0 });
    res.end();
  }

  function handle(req: IncomingMessage, res: ServerResponse): boolean {
    const raw = req.url ?? '/';
    if (!raw.startsWith('/rtc/v1/')) return false;
    const url = new URL(raw, 'http://node.invalid');
    const role = ROUTES[url.pathname];
    const fail = (error: unknown): void => {
      if (res.headersSent) {
        res.destroy();
        return;
      }
      if (error instanceof RtcProblem) {
        sendProblem(res, error, { ...CORS, ...(error.status === 413 ? { Connection: 'close' } : {}) });
        return;
      }
      deps.log.error('rtc_http_error', { error: error as Error, url: url.pathname });
      sendProblem(res, new RtcProblem(500, 'rtc_internal', 'internal error'), CORS);
    };
    try {
      const api = SRS_API_ROUTES[url.pathname];
      if (api !== undefined && req.method === 'POST') {
        serveSrsRtcApi(req, res, api, deps.serverId, open).catch(fail);
        return true;
      }
      if (api !== undefined && req.method === 'OPTIONS') {
        res.writeHead(204, CORS).end();
        return true;
      }
      if (role === undefined) throw new RtcProblem(404, 'rtc_not_found', 'no such WebRTC endpoint');
      if (req.method === 'OPTIONS') {
        res.writeHead(204, CORS).end();
      } else if (req.method === 'POST' && url.searchParams.get('action') !== 'delete') {
        post(req, res, role, url).catch(fail);
      } else if (req.method === 'DELETE' || (req.method === 'POST' && url.searchParams.get('action') === 'delete')) {
        remove(res, url);
      } else if (req.method === 'PATCH') {
        sendProblem(res, new RtcProblem(405, 'rtc_no_trickle', 'trickle ICE is not supported: the answer carries every candidate'), { ...CORS, Allow: 'POST, DELETE, OPTIONS' });
      } else {
        throw new RtcProblem(405, 'rtc_method', `${req.method ?? ''} is not allowed here`);
      }
    } catch (error) {
      fail(error);
    }
    return true;
  }

  return {
    handle,
    get sessionCount() {
      return sessions.size;
    },
    muxPort: deps.mux?.port ?? null,
    muxStats: deps.mux?.stats ?? null,
    async close() {
      closing = true;
      for (const s of [...sessions.values()]) s.end('server_stopping');
      await deps.mux?.close();
    },
  };
}
