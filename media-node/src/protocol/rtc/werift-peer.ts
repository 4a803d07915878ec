import { RTCPeerConnection, RTCRtpCodecParameters } from 'werift';
import type { RTCRtpTransceiver } from 'werift';
import { useKeyObjectsForSrtp } from './srtp-keys.ts';
import { isStunRequest, localUfragOf, stunBindingUsername, stunIntegrityValid } from './stun-message.ts';
import { guardWeriftUdp, withWeriftTransport } from './udp-guard.ts';
import type { MuxTransport, UdpMux } from './udp-mux.ts';

// werift's sockets get an error listener before any session binds one (udp-guard.ts).
guardWeriftUdp();

/**
 * The one place werift is used (dependency rule `werift-only-in-rtc`): a
 * peer connection that answers a WHIP/WHEP offer and moves RTP/RTCP as
 * bytes. Everything about payloads (H.264, Opus, RTCP feedback) is done by
 * the caller with protocol/rtp; werift does ICE, DTLS, SRTP, NACK
 * retransmission and sender reports.
 */

/** The codec of one m-section, exactly as the offer named it (werift's answer must keep its payload type). */
export interface RtcCodecChoice {
  readonly mimeType: string;
  readonly clockRate: number;
  readonly channels?: number;
  readonly payloadType: number;
  /** The offer's fmtp value, passed through so werift's H.264 profile/mode match succeeds. */
  readonly fmtp?: string;
  readonly nack: boolean;
  readonly pli: boolean;
  readonly fir: boolean;
}

export interface RtcPeerOptions {
  /** publish: the remote sends media (WHIP); play: we send (WHEP). */
  readonly role: 'publish' | 'play';
  readonly video?: RtcCodecChoice;
  readonly audio?: RtcCodecChoice;
  /** Local address the UDP socket binds to (undefined: every interface). */
  readonly bindAddress?: string;
  /** The only host candidate werift announces (IPv4). */
  readonly candidateAddress: string;
  /** Ports werift may bind, [min, max] with min < max (werift's rule); undefined: an OS-chosen port. */
  readonly portRange?: readonly [number, number];
  /** Every session on this one socket (udp-mux.ts) instead of a socket of its own; portRange and bindAddress are then unused. */
  readonly mux?: UdpMux;
  /** ICE may pair with this remote address (peer-reflexive ones included); false blocks the pair. */
  readonly allowRemote: (address: string) => boolean;
  /** Called for every error werift reports through its events (never thrown to the process). */
  readonly onError: (error: unknown) => void;
  /** How long ICE gathering may take before the answer fails (default GATHER_TIMEOUT_MS). */
  readonly gatherTimeoutMs?: number;
}

export type RtcPeerState = 'connected' | 'failed' | 'closed';
export type RtcMediaKind = 'audio' | 'video';

export interface RtcPeerEvents {
  /** Decrypted RTP from the remote (publish), one packet's bytes. */
  rtp?(kind: RtcMediaKind, bytes: Uint8Array): void;
  /**
   * RTCP from the remote, one packet's bytes: for play about what we send (PLI, FIR, NACK, RR); for
   * publish the sender reports of its tracks (RFC 3550 6.4.1, for A/V sync).
   */
  rtcp?(kind: RtcMediaKind, bytes: Uint8Array): void;
  state?(state: RtcPeerState): void;
}

export interface RtcPeer {
  readonly stats: RtcPeerStats;
  /** The SDP answer with its candidate (gathering is complete: WHIP/WHEP do not need trickle). */
  readonly answer: string;
  /** The UDP port of the session's host candidate. */
  readonly port: number;
  /**
   * Sends one RTP packet (werift rewrites its SSRC and payload type to the negotiated ones and keeps it
   * for NACK retransmission). Resolves when it left the socket; never rejects (errors go to onError).
   */
  send(kind: RtcMediaKind, rtp: Uint8Array): Promise<void>;
  /** RFC 4585 6.3.1 PLI to the remote's media source of `kind` (publish). */
  requestKeyframe(kind: RtcMediaKind): void;
  on(events: RtcPeerEvents): void;
  close(): Promise<void>;
}

/** Per-session counters the caller may log. */
export interface RtcPeerStats {
  /** Non-STUN datagrams (DTLS, RTP) from addresses no ICE check came from, dropped (bad-inputs). */
  unverifiedDatagrams: number;
  /** STUN requests not signed with our ice-pwd or not naming our ufrag, dropped (werift answers any). */
  unauthenticatedStun: number;
  /** False if werift's internals were not as expected and the address guard could not be installed. */
  guarded: boolean;
  /** SRTP keys made KeyObjects at DTLS connect (srtp-keys.ts; ~3x cheaper per packet); false before or if werift's internals changed. */
  srtpKeyObjects: boolean;
}

/** How long ICE gathering of one host candidate may take before the answer is given up. */
const GATHER_TIMEOUT_MS = 5000;

function codecParameters(c: RtcCodecChoice): RTCRtpCodecParameters {
  const rtcpFeedback = [
    ...(c.nack ? [{ type: 'nack' }] : []),
    ...(c.pli ? [{ type: 'nack', parameter: 'pli' }] : []),
    ...(c.fir ? [{ type: 'ccm', parameter: 'fir' }] : []),
  ];
  return new RTCRtpCodecParameters({
    mimeType: c.mimeType,
    clockRate: c.clockRate,
    payloadType: c.payloadType,
    rtcpFeedback,
    ...(c.channels === undefined ? {} : { channels: c.channels }),
    ...(c.fmtp === undefined ? {} : { parameters: c.fmtp }),
  });
}

/** RFC 4585 6.1: transport-layer (NACK) and payload-specific (PLI, FIR) feedback packet types. */
const RTCP_RTPFB = 205;
const RTCP_PSFB = 206;

/** werift's CandidatePairState.SUCCEEDED (ice/src/iceBase.ts). */
const PAIR_SUCCEEDED = 3;

/** The parts of werift's ICE internals the guard touches (not in its public types). */
interface StunProtocolLike {
  datagramReceived?: (data: Buffer, addr: readonly [string, number]) => void;
}
interface CandidatePairLike {
  readonly state: number;
  readonly requestsReceived: number;
  readonly remoteAddr: readonly [string, number];
}

/** Our ICE credentials, from the answer (RFC 8839 5.4: a=ice-ufrag, a=ice-pwd). */
interface IceCredentials {
  readonly ufrag: string;
  readonly pwd: Buffer;
}

function iceCredentials(sdp: string): IceCredentials | undefined {
  const ufrag = /^a=ice-ufrag:(\S+)/m.exec(sdp)?.[1];
  const pwd = /^a=ice-pwd:(\S+)/m.exec(sdp)?.[1];
  return ufrag === undefined || pwd === undefined ? undefined : { ufrag, pwd: Buffer.from(pwd, 'utf8') };
}

/**
 * werift hands every non-STUN datagram of a session's socket to DTLS/SRTP,
 * whoever sent it, and answers every STUN Binding request without checking
 * its MESSAGE-INTEGRITY (a request from anyone would make a pair).
 * RFC 8445 7.3: a request must name our ufrag and be signed with our ice-pwd,
 * else it is dropped here (`unauthenticatedStun`). RFC 7983: media and DTLS
 * belong to a candidate pair; a datagram whose first byte is not STUN's
 * (0-3) is dropped unless its source is the remote of a pair that passed a
 * check or sent us an authenticated binding request (so a ClientHello
 * racing the triggered check still gets through). Patches werift's
 * StunProtocol instances (internal API: checked structurally; if absent,
 * `guarded` stays false and nothing changes).
 */
function guardUnverifiedData(pc: RTCPeerConnection, stats: RtcPeerStats, allowRemote: (address: string) => boolean, creds: IceCredentials): void {
  for (const t of pc.iceTransports) {
    const conn = t.connection as unknown as { protocols?: StunProtocolLike[]; checkList?: CandidatePairLike[] };
    const protocols = conn.protocols;
    if (!Array.isArray(protocols) || !Array.isArray(conn.checkList)) return;
    for (const p of protocols) {
      const original = p.datagramReceived;
      if (typeof original !== 'function') return;
      p.datagramReceived = (data, addr) => {
        if (isStunRequest(data)) {
          const username = stunBindingUsername(data);
          if (username === undefined || localUfragOf(username) !== creds.ufrag || !stunIntegrityValid(data, creds.pwd)) {
            stats.unauthenticatedStun++;
            return;
          }
        } else if (data.length > 0 && data[0] > 3) {
          const verified = (conn.checkList ?? []).some(
            (pair) => (pair.state === PAIR_SUCCEEDED || pair.requestsReceived > 0) && pair.remoteAddr[0] === addr[0] && pair.remoteAddr[1] === addr[1],
          );
          if (!verified || !allowRemote(addr[0])) {
            stats.unverifiedDatagrams++;
            return;
          }
        }
        original.call(p, data, addr);
      };
    }
  }
  stats.guarded = true;
}

/** SDP candidate line address and port (RFC 8839 5.1: foundation comp transport priority address port typ ...). */
function candidatePort(sdp: string): number {
  const m = /^a=candidate:\S+ \d+ udp \d+ \S+ (\d+) typ host/im.exec(sdp);
  return m === null ? 0 : Number(m[1]);
}

/**
 * Answers `offer` (already validated and with refused candidates removed by
 * the caller). Resolves once the answer has its host candidate; rejects if
 * werift refuses the offer or no port could be bound.
 *
 * Call it for one session at a time when `portRange` is set: werift probes a
 * free port, closes it and binds it again later, so two concurrent calls can
 * pick the same port, and its socket has no 'error' listener, so the losing
 * bind would be an uncaught exception (`serialized()` below does the queueing).
 */
export async function answerOffer(offer: string, opts: RtcPeerOptions): Promise<RtcPeer> {
  const pc = new RTCPeerConnection({
    codecs: {
      ...(opts.video ? { video: [codecParameters(opts.video)] } : {}),
      ...(opts.audio ? { audio: [codecParameters(opts.audio)] } : {}),
    },
    // One host candidate at the announced address; no interface enumeration (a node with many NICs
    // would otherwise announce all of them) and no STUN/TURN.
    iceUseIpv4: false,
    iceUseIpv6: false,
    iceAdditionalHostAddresses: [opts.candidateAddress],
    ...(opts.bindAddress === undefined ? {} : { iceInterfaceAddresses: { udp4: opts.bindAddress, udp6: undefined } }),
    ...(opts.portRange === undefined ? {} : { icePortRange: [opts.portRange[0], opts.portRange[1]] as [number, number] }),
    // Signalled candidates are filtered at pairing, peer-reflexive ones (learnt from an incoming check)
    // here: a check from an address the policy refuses gets no answer and makes no pair.
    iceFilterCandidatePair: (pair) => opts.allowRemote(pair.remoteCandidate.host),
    iceFilterStunResponse: (_message, addr) => opts.allowRemote(addr[0]),
    bundlePolicy: 'max-bundle',
  });
  const events: RtcPeerEvents = {};
  const byKind = new Map<RtcMediaKind, RTCRtpTransceiver>();
  const remoteSsrc = new Map<RtcMediaKind, number>();
  let closed = false;
  const guard = <A extends unknown[]>(f: (...a: A) => void) => (...a: A): void => {
    try {
      f(...a);
    } catch (error) {
      opts.onError(error);
    }
  };

  pc.connectionStateChange.subscribe(guard((s) => {
    if (s === 'connected') events.state?.('connected');
    else if (s === 'failed') events.state?.('failed');
    else if (s === 'closed' || s === 'disconnected') events.state?.('closed');
  }));
  pc.onTrack.subscribe(guard((track) => {
    const kind: RtcMediaKind = track.kind === 'audio' ? 'audio' : 'video';
    if (track.ssrc !== undefined) remoteSsrc.set(kind, track.ssrc);
    track.onReceiveRtp.subscribe(guard((rtp) => {
      remoteSsrc.set(kind, rtp.header.ssrc);
      events.rtp?.(kind, rtp.serialize());
    }));
    track.onReceiveRtcp.subscribe(guard((p) => events.rtcp?.(kind, p.serialize())));
  }));

  const stats: RtcPeerStats = { unverifiedDatagrams: 0, unauthenticatedStun: 0, guarded: false, srtpKeyObjects: false };
  let muxTransport: MuxTransport | undefined;
  try {
    await pc.setRemoteDescription({ type: 'offer', sdp: offer });
    for (const d of pc.dtlsTransports) useKeyObjectsForSrtp(d, (fields) => (stats.srtpKeyObjects = fields > 0));
    for (const t of pc.getTransceivers()) {
      const kind: RtcMediaKind = t.kind === 'audio' ? 'audio' : 'video';
      if (byKind.has(kind)) continue;
      byKind.set(kind, t);
      t.setDirection(opts.role === 'play' ? 'sendonly' : 'recvonly');
      if (opts.role === 'play') {
        t.sender.onRtcp.subscribe(guard((p) => events.rtcp?.(kind, p.serialize())));
        // werift routes a PLI/FIR by its *sender* SSRC first: from a player whose offer listed its own
        // SSRCs (werift clients do) it reaches this transceiver's receiver, not the sender. Feedback only.
        t.receiver.onRtcp.subscribe(guard((p) => {
          if (p.type === RTCP_RTPFB || p.type === RTCP_PSFB) events.rtcp?.(kind, p.serialize());
        }));
      }
    }
    const answer = await pc.createAnswer();
    if (opts.mux !== undefined) {
      const ufrag = /^a=ice-ufrag:(\S+)/m.exec(answer.sdp)?.[1];
      const remoteUfrag = /^a=ice-ufrag:(\S+)/m.exec(offer)?.[1];
      if (ufrag === undefined || remoteUfrag === undefined) throw new Error('no ice-ufrag in the offer or in werift\'s answer');
      muxTransport = opts.mux.open(ufrag, remoteUfrag);
    }
    const gathered = new Promise<void>((resolve, reject) => {
      if (pc.iceGatheringState === 'complete') return resolve();
      const timer = setTimeout(() => reject(new Error('ICE gathering timed out')), opts.gatherTimeoutMs ?? GATHER_TIMEOUT_MS);
      pc.iceGatheringStateChange.subscribe((s) => {
        if (s === 'complete') {
          clearTimeout(timer);
          resolve();
        }
      });
    });
    // Handled now: on a saturated node the timer can fire while setLocalDescription is still running,
    // and a rejection nobody awaits yet is an unhandled rejection that ends the process.
    gathered.catch(() => {});
    const mux = muxTransport;
    if (mux === undefined) {
      await pc.setLocalDescription(answer);
      await gathered;
    } else {
      await withWeriftTransport(() => mux, async () => {
        await pc.setLocalDescription(answer);
        await gathered;
      });
    }
  } catch (error) {
    await pc.close().catch(() => {});
    await muxTransport?.close();
    throw error;
  }
  const sdp = pc.localDescription?.sdp ?? '';
  const port = candidatePort(sdp);
  if (port === 0) {
    // werift logs and swallows a failed bind (e.g. every port of the range taken): no candidate, no session.
    await pc.close().catch(() => {});
    await muxTransport?.close();
    throw new Error('no UDP port for the session (the rtc port range is exhausted or the address cannot be bound)');
  }
  const creds = iceCredentials(sdp);
  if (creds !== undefined) guardUnverifiedData(pc, stats, opts.allowRemote, creds);
  return {
    stats,
    answer: sdp,
    port,
    send(kind, rtp) {
      const t = byKind.get(kind);
      if (closed || t === undefined) return Promise.resolve();
      return t.sender.sendRtp(Buffer.from(rtp.buffer, rtp.byteOffset, rtp.byteLength)).catch(opts.onError);
    },
    requestKeyframe(kind) {
      const t = byKind.get(kind);
      const ssrc = remoteSsrc.get(kind);
      if (closed || t === undefined || ssrc === undefined) return;
      t.receiver.sendRtcpPLI(ssrc).catch(opts.onError);
    },
    on(e) {
      Object.assign(events, e);
    },
    async close() {
      if (closed) return;
      closed = true;
      await pc.close().catch(opts.onError);
      await muxTransport?.close();
    },
  };
}

/**
 * A queue that runs one task at a time, in call order (for answerOffer with
 * a port range; see there). A failed task does not stop the ones after it.
 */
export function serialized(): <T>(task: () => Promise<T>) => Promise<T> {
  let tail: Promise<unknown> = Promise.resolve();
  return <T>(task: () => Promise<T>): Promise<T> => {
    const run = tail.then(task, task);
    tail = run.catch(() => {});
    return run;
  };
}
