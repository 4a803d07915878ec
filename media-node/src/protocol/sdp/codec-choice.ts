import { ProtocolError } from '@runnel/shared';
import { h264PacketizationMode, h264ProfileLevel } from './rtp-parameters.ts';
import type { SdpCodec } from './rtp-parameters.ts';

/** Video codecs a media node can take; only H.264 bridges to RTMP/FLV/HLS, the others pass WebRTC to WebRTC. */
export type VideoCodecName = 'H264' | 'VP8' | 'VP9' | 'AV1';

/** Every WebRTC video codec runs its RTP clock at 90 kHz (RFC 6184 8.2.1, RFC 7741 6.1, AV1 RTP spec 7.1). */
const VIDEO_CLOCK = 90_000;

function h264Usable(c: SdpCodec): boolean {
  const mode = h264PacketizationMode(c.parameters);
  if (mode !== 0 && mode !== 1) return false; // mode 2 (interleaved) is not supported
  try {
    h264ProfileLevel(c.parameters);
    return true;
  } catch (e) {
    if (e instanceof ProtocolError) return false;
    throw e;
  }
}

/**
 * The video payload type for the answer: the first allowed codec name in our
 * order that the offer has at 90 kHz. Among H.264 payload types: packetization
 * mode 1 first (STAP-A/FU-A: large frames need FU-A, RFC 6184 6.3), then one
 * whose profile_idc equals `h264ProfileIdc` (the stream's SPS when playing),
 * then the offerer's order. Payload types with mode 2 or a malformed
 * profile-level-id are skipped.
 */
export function chooseVideoCodec(codecs: readonly SdpCodec[], allowed: readonly VideoCodecName[], h264ProfileIdc?: number): SdpCodec | undefined {
  for (const name of allowed) {
    const same = codecs.filter((c) => c.name.toUpperCase() === name && c.clockRate === VIDEO_CLOCK);
    if (name !== 'H264') {
      if (same[0]) return same[0];
      continue;
    }
    let best: SdpCodec | undefined;
    let bestScore = -1;
    for (const c of same) {
      if (!h264Usable(c)) continue;
      const score = (h264PacketizationMode(c.parameters) === 1 ? 2 : 0) + (h264ProfileLevel(c.parameters).profileIdc === h264ProfileIdc ? 1 : 0);
      if (score > bestScore) {
        best = c;
        bestScore = score;
      }
    }
    if (best) return best;
  }
  return undefined;
}

/** RFC 7587 7: Opus is always `opus/48000/2` in SDP, whatever it carries. */
export function chooseAudioCodec(codecs: readonly SdpCodec[]): SdpCodec | undefined {
  return codecs.find((c) => c.name.toLowerCase() === 'opus' && c.clockRate === 48_000 && c.channels === 2);
}

/** RFC 4588 8.6: the `rtx` payload type whose `apt` names `payloadType`. */
export function rtxFor(codecs: readonly SdpCodec[], payloadType: number): number | undefined {
  return codecs.find((c) => c.name.toLowerCase() === 'rtx' && c.parameters['apt'] === String(payloadType))?.payloadType;
}
