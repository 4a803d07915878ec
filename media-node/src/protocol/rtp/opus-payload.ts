import { ProtocolError } from '@runnel/shared';
import { opusPacketSamples } from '../../codec/opus/toc.ts';

/** RFC 7587 4.1: the Opus RTP clock is 48 kHz whatever the coded bandwidth. */
export const OPUS_RTP_CLOCK_RATE = 48_000;

/**
 * RFC 6716 3.4 [R2] bounds a frame to 1 275 bytes and a packet holds at most
 * 48 frames (120 ms of 2.5 ms frames, [R5]); libopus never writes more than
 * 1 275 * 3 bytes per packet. Anything larger is not an Opus packet.
 */
export const MAX_OPUS_RTP_PAYLOAD_BYTES = 1275 * 3;

/** One Opus packet from an RTP payload, with its duration. */
export interface OpusFrame {
  /** The Opus packet: the whole RTP payload (RFC 7587 4.2), a subarray, no copy. */
  readonly packet: Uint8Array;
  /** Duration in 48 kHz samples: what the RTP timestamp advances by for this packet. */
  readonly samples: number;
}

/**
 * RFC 7587 4.2: an RTP payload is exactly one Opus packet. Checks that it is
 * one (non-empty, a TOC we can size, at most 120 ms, not oversized).
 *
 * @example
 * const { packet, samples } = depacketizeOpus(rtp.payload);
 */
export function depacketizeOpus(payload: Uint8Array): OpusFrame {
  if (payload.length > MAX_OPUS_RTP_PAYLOAD_BYTES) throw new ProtocolError('opus_rtp_too_large', `Opus payload of ${payload.length} bytes`);
  return { packet: payload, samples: opusPacketSamples(payload) };
}

/**
 * The RTP payload of one Opus packet (the packet itself, RFC 7587 4.2) and the
 * RTP timestamp step it takes: its duration in 48 kHz samples (4.1).
 */
export function packetizeOpus(packet: Uint8Array): OpusFrame {
  return depacketizeOpus(packet);
}
