import { ProtocolError } from '@runnel/shared';
import type { AddressClass } from './address.ts';
import { DEFAULT_ALLOWED_ADDRESS_CLASSES, candidateRefusal, parseCandidate } from './candidate.ts';
import type { SdpCandidate } from './candidate.ts';
import { ICE_PWD_CHARS, ICE_UFRAG_CHARS, MAX_MID_CHARS, MAX_SDP_CANDIDATES } from './limits.ts';
import { chooseAudioCodec, chooseVideoCodec, rtxFor } from './codec-choice.ts';
import type { VideoCodecName } from './codec-choice.ts';
import { sectionCodecs, sectionExtmaps } from './rtp-parameters.ts';
import type { SdpCodec, SdpExtmap } from './rtp-parameters.ts';
import { attributeValue, attributeValues, hasAttribute, parseSdp } from './session-description.ts';
import type { SdpAttribute, SdpMediaSection, SessionDescription } from './session-description.ts';

/** WHIP/SRS publish (the client sends media) or WHEP/SRS play (the client receives). */
export type OfferRole = 'publish' | 'play';
export type MediaDirection = 'sendrecv' | 'sendonly' | 'recvonly' | 'inactive';

export interface OfferPolicy {
  readonly role: OfferRole;
  /** Video codecs we take, in our order of preference; default ['H264']. */
  readonly videoCodecs?: readonly VideoCodecName[];
  /** For play: profile_idc of the stream's SPS; an H.264 payload type of that profile wins. */
  readonly h264ProfileIdc?: number;
  /** Candidate address classes we may send ICE checks to; default `DEFAULT_ALLOWED_ADDRESS_CLASSES`. */
  readonly allowedAddressClasses?: ReadonlySet<AddressClass>;
}

/** What we need from the offer's RTCP feedback lines (RFC 4585 4.2, RFC 5104 7.1). */
export interface FeedbackSupport {
  readonly nack: boolean;
  readonly pli: boolean;
  readonly fir: boolean;
  readonly remb: boolean;
  readonly transportCc: boolean;
}

/** The audio or video m-section we accept, with the codec chosen for the answer. */
export interface ChosenMedia {
  /** Index of the m-section (the answer keeps the offer's order, RFC 3264 6). */
  readonly index: number;
  readonly kind: 'audio' | 'video';
  readonly mid: string;
  /** The offerer's direction; the answer's is the opposite. */
  readonly direction: MediaDirection;
  readonly codec: SdpCodec;
  /** RFC 4588 retransmission payload type bound to the codec by `apt`, if offered. */
  readonly rtxPayloadType?: number;
  readonly feedback: FeedbackSupport;
  readonly extmaps: readonly SdpExtmap[];
  /** SSRCs the offerer announced (a=ssrc); a publisher's media arrive with these. */
  readonly ssrcs: readonly number[];
}

export interface RejectedMedia {
  readonly index: number;
  readonly mid?: string;
  readonly reason: 'kind' | 'port_zero' | 'transport' | 'direction' | 'codec' | 'duplicate_kind';
}

/** A WHIP/WHEP offer that passed every check, and the choices for the answer. */
export interface ValidatedOffer {
  readonly sdp: SessionDescription;
  readonly iceUfrag: string;
  readonly icePwd: string;
  readonly iceLite: boolean;
  /** The offerer's sha-256 certificate fingerprint, upper-case hex with colons. */
  readonly fingerprint: string;
  readonly setup: 'actpass' | 'active' | 'passive';
  readonly video?: ChosenMedia;
  readonly audio?: ChosenMedia;
  readonly rejected: readonly RejectedMedia[];
  /** Candidates whose address class the policy allows. */
  readonly candidates: readonly SdpCandidate[];
  /** Candidates to leave out of ICE, with their address class (bad-inputs: metadata/private targets). */
  readonly refusedCandidates: readonly { readonly candidate: SdpCandidate; readonly reason: AddressClass }[];
}

function bad(code: string, why: string): never {
  throw new ProtocolError(code, why);
}

/** RFC 8829 5.1.2: WebRTC media go over DTLS-SRTP with RTCP feedback. */
const WEBRTC_PROTOCOL = 'UDP/TLS/RTP/SAVPF';
const ICE_CHARS = /^[A-Za-z0-9+/]+$/;
const MID = /^[A-Za-z0-9_.+-]+$/;
/** RFC 8122 5: a sha-256 fingerprint is 32 upper- or lower-case hex pairs joined by colons. */
const SHA256_FINGERPRINT = /^[0-9A-Fa-f]{2}(:[0-9A-Fa-f]{2}){31}$/;

/** Media-level value, else session-level (RFC 8866 5: media attributes override session ones). */
function scoped(m: SdpMediaSection, session: readonly SdpAttribute[], name: string): string | undefined {
  return attributeValue(m.attributes, name) ?? attributeValue(session, name);
}

function direction(m: SdpMediaSection, session: readonly SdpAttribute[]): MediaDirection {
  for (const d of ['sendrecv', 'sendonly', 'recvonly', 'inactive'] as const) if (hasAttribute(m.attributes, d)) return d;
  for (const d of ['sendrecv', 'sendonly', 'recvonly', 'inactive'] as const) if (hasAttribute(session, d)) return d;
  return 'sendrecv'; // RFC 8866 6.7
}

function feedbackOf(codec: SdpCodec): FeedbackSupport {
  const has = (type: string, parameter?: string): boolean => codec.feedback.some((f) => f.type === type && f.parameter === parameter);
  return { nack: has('nack'), pli: has('nack', 'pli'), fir: has('ccm', 'fir'), remb: has('goog-remb'), transportCc: has('transport-cc') };
}

/**
 * Parses and checks a WHIP/WHEP (or SRS /rtc/v1) offer before any peer
 * connection exists (issue 6: "offers are validated ... before any peer
 * connection is made"). The first usable audio and video m-sections are
 * accepted: audio/video kind, a port (or bundle-only), UDP/TLS/RTP/SAVPF, a
 * direction that fits the role, a codec we take (H.264 modes 0/1 or the
 * allowed video codecs; opus/48000/2). Their transport must carry ICE
 * credentials, a sha-256 fingerprint, a setup role, rtcp-mux and one BUNDLE
 * group. Candidates are parsed and sorted into allowed and refused by
 * address class. Failures are `ProtocolError`s with `sdp_*` codes for a 4xx.
 *
 * @example
 * const offer = validateOffer(body, { role: 'publish' });
 * // offer.video?.codec.payloadType goes into the answer werift writes
 */
export function validateOffer(text: string, policy: OfferPolicy): ValidatedOffer {
  const sdp = parseSdp(text);
  const session = sdp.attributes;
  const rejected: RejectedMedia[] = [];
  const chosen: ChosenMedia[] = [];
  const mids = new Set<string>();
  for (const [index, m] of sdp.media.entries()) {
    if (m.kind !== 'audio' && m.kind !== 'video') {
      rejected.push({ index, reason: 'kind' });
      continue;
    }
    const mid = attributeValue(m.attributes, 'mid');
    if (mid === undefined) bad('sdp_missing_mid', `m-section ${index} without a=mid`);
    if (mid.length > MAX_MID_CHARS || !MID.test(mid)) bad('sdp_bad_mid', `mid ${mid.slice(0, 20)}`);
    if (mids.has(mid)) bad('sdp_duplicate_mid', `mid ${mid} used twice`);
    mids.add(mid);
    const reject = (reason: RejectedMedia['reason']): void => {
      rejected.push({ index, mid, reason });
    };
    if (m.port === 0 && !hasAttribute(m.attributes, 'bundle-only')) {
      reject('port_zero');
      continue;
    }
    if (m.protocol.toUpperCase() !== WEBRTC_PROTOCOL) {
      reject('transport');
      continue;
    }
    const dir = direction(m, session);
    const wanted = policy.role === 'publish' ? 'sendonly' : 'recvonly';
    if (dir !== 'sendrecv' && dir !== wanted) {
      reject('direction');
      continue;
    }
    const codecs = sectionCodecs(m);
    const extmaps = sectionExtmaps(m);
    const codec = m.kind === 'video' ? chooseVideoCodec(codecs, policy.videoCodecs ?? ['H264'], policy.h264ProfileIdc) : chooseAudioCodec(codecs);
    if (!codec) {
      reject('codec');
      continue;
    }
    if (chosen.some((c) => c.kind === m.kind)) {
      reject('duplicate_kind');
      continue;
    }
    const rtx = rtxFor(codecs, codec.payloadType);
    chosen.push({
      index,
      kind: m.kind,
      mid,
      direction: dir,
      codec,
      ...(rtx === undefined ? {} : { rtxPayloadType: rtx }),
      feedback: feedbackOf(codec),
      extmaps,
      ssrcs: ssrcsOf(m),
    });
  }
  if (chosen.length === 0) bad(...noMediaError(rejected));
  const transport = checkTransport(sdp, chosen);
  const { candidates, refusedCandidates } = checkCandidates(sdp, policy.allowedAddressClasses ?? DEFAULT_ALLOWED_ADDRESS_CLASSES);
  return {
    sdp,
    ...transport,
    ...(chosen.find((c) => c.kind === 'video') ? { video: chosen.find((c) => c.kind === 'video') } : {}),
    ...(chosen.find((c) => c.kind === 'audio') ? { audio: chosen.find((c) => c.kind === 'audio') } : {}),
    rejected,
    candidates,
    refusedCandidates,
  };
}

/** The error for an offer with nothing we can take: the most specific reason its sections gave. */
function noMediaError(rejected: readonly RejectedMedia[]): [string, string] {
  const reasons = new Set(rejected.map((r) => r.reason));
  if (reasons.has('codec')) return ['sdp_unsupported_codec', 'no m-section offers a codec we take (H.264 mode 0/1, opus/48000/2)'];
  if (reasons.has('direction')) return ['sdp_bad_direction', 'no m-section has a direction that fits the request'];
  if (reasons.has('transport')) return ['sdp_unsupported_transport', `no m-section uses ${WEBRTC_PROTOCOL}`];
  return ['sdp_no_video_or_audio', 'the offer has no usable audio or video m-section'];
}

function ssrcsOf(m: SdpMediaSection): number[] {
  const out: number[] = [];
  for (const v of attributeValues(m.attributes, 'ssrc')) {
    const match = /^([0-9]{1,10}) /.exec(v);
    const n = match ? Number(match[1]) : NaN;
    if (!(n <= 0xffffffff)) bad('sdp_bad_ssrc', `ssrc ${v.slice(0, 20)}`);
    if (!out.includes(n)) out.push(n);
  }
  return out;
}

/**
 * ICE credentials, fingerprint and setup of the accepted sections: present,
 * well-formed (RFC 8839 5.4, RFC 8122 5, RFC 4145 4) and the same in all of
 * them, which share one transport through BUNDLE (RFC 8843).
 */
function checkTransport(sdp: SessionDescription, chosen: readonly ChosenMedia[]): Pick<ValidatedOffer, 'iceUfrag' | 'icePwd' | 'iceLite' | 'fingerprint' | 'setup'> {
  const session = sdp.attributes;
  let first: { iceUfrag: string; icePwd: string; fingerprint: string; setup: 'actpass' | 'active' | 'passive' } | undefined;
  for (const c of chosen) {
    const m = sdp.media[c.index]!;
    const iceUfrag = scoped(m, session, 'ice-ufrag');
    const icePwd = scoped(m, session, 'ice-pwd');
    if (iceUfrag === undefined || icePwd === undefined) bad('sdp_missing_ice_credentials', `m-section ${c.mid} without ice-ufrag/ice-pwd`);
    if (iceUfrag.length < ICE_UFRAG_CHARS[0] || iceUfrag.length > ICE_UFRAG_CHARS[1] || !ICE_CHARS.test(iceUfrag)) bad('sdp_bad_ice_credentials', 'ice-ufrag');
    if (icePwd.length < ICE_PWD_CHARS[0] || icePwd.length > ICE_PWD_CHARS[1] || !ICE_CHARS.test(icePwd)) bad('sdp_bad_ice_credentials', 'ice-pwd');
    const prints = [...attributeValues(m.attributes, 'fingerprint'), ...attributeValues(session, 'fingerprint')];
    if (prints.length === 0) bad('sdp_missing_fingerprint', `m-section ${c.mid} without a=fingerprint`);
    const sha256 = prints.map((p) => /^sha-256 (\S+)$/i.exec(p)?.[1]).find((v) => v !== undefined);
    if (sha256 === undefined) bad('sdp_unsupported_fingerprint', 'no sha-256 fingerprint');
    if (!SHA256_FINGERPRINT.test(sha256)) bad('sdp_bad_fingerprint', `sha-256 fingerprint ${sha256.slice(0, 20)}`);
    const setup = scoped(m, session, 'setup');
    if (setup === undefined) bad('sdp_missing_setup', `m-section ${c.mid} without a=setup`);
    if (setup !== 'actpass' && setup !== 'active' && setup !== 'passive') bad('sdp_bad_setup', `setup ${setup.slice(0, 20)}`);
    if (!hasAttribute(m.attributes, 'rtcp-mux')) bad('sdp_no_rtcp_mux', `m-section ${c.mid} without a=rtcp-mux`);
    const t = { iceUfrag, icePwd, fingerprint: sha256.toUpperCase(), setup: setup as 'actpass' | 'active' | 'passive' };
    if (!first) first = t;
    else if (first.iceUfrag !== t.iceUfrag || first.icePwd !== t.icePwd || first.fingerprint !== t.fingerprint || first.setup !== t.setup) {
      bad('sdp_transport_mismatch', 'bundled m-sections with different ICE credentials, fingerprints or setup');
    }
  }
  if (chosen.length > 1) {
    const groups = attributeValues(session, 'group').map((g) => g.split(' ')).filter((g) => g[0] === 'BUNDLE');
    if (!groups.some((g) => chosen.every((c) => g.includes(c.mid)))) bad('sdp_not_bundled', 'audio and video are not in one BUNDLE group');
    const byId = new Map<number, string>();
    for (const c of chosen) {
      for (const e of c.extmaps) {
        const uri = byId.get(e.id);
        if (uri !== undefined && uri !== e.uri) bad('sdp_bad_extmap', `extmap id ${e.id} names two extensions in one BUNDLE group`);
        byId.set(e.id, e.uri);
      }
    }
  }
  return { ...first!, iceLite: hasAttribute(session, 'ice-lite') };
}

function checkCandidates(sdp: SessionDescription, allowed: ReadonlySet<AddressClass>): Pick<ValidatedOffer, 'candidates' | 'refusedCandidates'> {
  const values = sdp.media.flatMap((m) => attributeValues(m.attributes, 'candidate'));
  if (values.length > MAX_SDP_CANDIDATES) bad('sdp_too_many_candidates', `${values.length} candidates (max ${MAX_SDP_CANDIDATES})`);
  const candidates: SdpCandidate[] = [];
  const refusedCandidates: { candidate: SdpCandidate; reason: AddressClass }[] = [];
  for (const v of values) {
    const candidate = parseCandidate(v);
    const reason = candidateRefusal(candidate, allowed);
    if (reason === undefined) candidates.push(candidate);
    else refusedCandidates.push({ candidate, reason });
  }
  return { candidates, refusedCandidates };
}
