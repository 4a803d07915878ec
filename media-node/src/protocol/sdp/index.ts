/**
 * Pure SDP for WHIP/WHEP and the SRS /rtc/v1 API (see README.md): parse and
 * check an offer, choose codecs, parse and classify ICE candidates. The
 * answer itself is written by werift.
 */
export { validateOffer, type OfferPolicy, type OfferRole, type ValidatedOffer, type ChosenMedia, type RejectedMedia, type FeedbackSupport, type MediaDirection } from './offer.ts';
export { parseSdp, attributeValue, attributeValues, hasAttribute, type SessionDescription, type SdpMediaSection, type SdpAttribute } from './session-description.ts';
export { sectionCodecs, sectionExtmaps, parseFmtp, h264ProfileLevel, h264PacketizationMode, h264SpropParameterSets, type SdpCodec, type SdpExtmap, type RtcpFeedback, type H264ProfileLevel } from './rtp-parameters.ts';
export { chooseVideoCodec, chooseAudioCodec, rtxFor, type VideoCodecName } from './codec-choice.ts';
export { parseCandidate, candidateRefusal, DEFAULT_ALLOWED_ADDRESS_CLASSES, type SdpCandidate, type CandidateType } from './candidate.ts';
export { classifyAddress, classifyIpv4, classifyIpv6, parseIpv4, parseIpv6, type AddressClass } from './address.ts';
export { parseTrickleFragment, type TrickleFragment } from './trickle-fragment.ts';
export * from './limits.ts';
