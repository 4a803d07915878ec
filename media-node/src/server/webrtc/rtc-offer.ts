import { candidateRefusal, parseCandidate, validateOffer } from '../../protocol/sdp/index.ts';
import type { AddressClass, ChosenMedia, OfferRole, ValidatedOffer, VideoCodecName } from '../../protocol/sdp/index.ts';
import type { RtcCodecChoice } from '../../protocol/rtc/werift-peer.ts';

/** A checked offer, ready for werift: refused candidates removed, the chosen codecs named. */
export interface PreparedOffer {
  readonly offer: ValidatedOffer;
  /** The offer text without the candidate lines ICE must not use. */
  readonly sdp: string;
  readonly video?: RtcCodecChoice;
  readonly audio?: RtcCodecChoice;
}

function codecChoice(m: ChosenMedia): RtcCodecChoice {
  const c = m.codec;
  return {
    mimeType: `${m.kind}/${c.name}`,
    clockRate: c.clockRate,
    ...(c.channels === undefined ? {} : { channels: c.channels }),
    payloadType: c.payloadType,
    ...(c.fmtp === undefined ? {} : { fmtp: c.fmtp }),
    nack: m.feedback.nack,
    pli: m.feedback.pli,
    fir: m.feedback.fir,
  };
}

const CANDIDATE_PREFIX = 'a=candidate:';

/** Which video codecs the answer may pick, in order of preference. */
export interface VideoChoice {
  /** Default H.264 only. */
  readonly videoCodecs?: readonly VideoCodecName[];
  /** Among H.264 payload types, prefer this profile (the stream's SPS when playing). */
  readonly h264ProfileIdc?: number;
}

/**
 * protocol/sdp's checks (size, m-lines, codecs, ICE/DTLS attributes) and
 * codec choice, then the offer text minus the candidates whose address class
 * is refused (bad-inputs: private/metadata targets never reach werift).
 * Throws the ProtocolError (`sdp_*`) the handler turns into a 400.
 */
export function prepareOffer(text: string, role: OfferRole, allowed: ReadonlySet<AddressClass>, choice: VideoChoice = {}): PreparedOffer {
  const offer = validateOffer(text, { role, allowedAddressClasses: allowed, ...choice });
  const lines = text.split(/\r?\n/);
  const kept = offer.refusedCandidates.length === 0 ? lines : lines.filter((line) => !line.startsWith(CANDIDATE_PREFIX) || candidateRefusal(parseCandidate(line.slice(CANDIDATE_PREFIX.length)), allowed) === undefined);
  return {
    offer,
    sdp: kept.join('\r\n'),
    ...(offer.video ? { video: codecChoice(offer.video) } : {}),
    ...(offer.audio ? { audio: codecChoice(offer.audio) } : {}),
  };
}
