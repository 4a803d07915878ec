import { ProtocolError } from '@runnel/shared';

/**
 * SRT flags of the HSREQ/HSRSP extension (draft-sharabayko-srt 3.2.1.1.1,
 * libsrt `SrtOptions`).
 */
export const SRT_FLAG = {
  /** The sender side uses TSBPD (timestamp-based packet delivery). */
  tsbpdSnd: 0x01,
  /** The receiver side uses TSBPD. */
  tsbpdRcv: 0x02,
  /** Capability: AES-CTR encryption (always set by libsrt). */
  crypt: 0x04,
  /** Too-late packet drop. */
  tlpktDrop: 0x08,
  /** Periodic NAK reports. */
  periodicNak: 0x10,
  /** Capability: the R (retransmitted) bit in data packets. */
  rexmitFlag: 0x20,
  /** Stream API (file mode); live mode is message API and leaves it clear. */
  stream: 0x40,
  /** Capability: packet filters (FEC). */
  packetFilter: 0x80,
} as const;

/** An SRT version as libsrt encodes it: 0x00MMmmpp. */
export function srtVersion(major: number, minor: number, patch: number): number {
  return (major << 16) | (minor << 8) | patch;
}

/** Handshake v5 needs SRT 1.3.0 or later (libsrt `SRT_VERSION_FEAT_HSv5`). */
export const SRT_VERSION_HSV5 = srtVersion(1, 3, 0);

/** The version we announce: the libsrt release whose behaviour we follow. */
export const OUR_SRT_VERSION = srtVersion(1, 5, 1);

/**
 * HSREQ (from the caller) and HSRSP (from the listener) content
 * (draft-sharabayko-srt 3.2.1.1): three 32-bit words.
 */
export interface SrtHsOptions {
  readonly srtVersion: number;
  readonly flags: number;
  /** Latency the sender of this block wants to receive with, ms (high 16 bits). */
  readonly recvLatencyMs: number;
  /** Latency the sender of this block proposes for the peer's receiver, ms (low 16 bits). */
  readonly sendLatencyMs: number;
}

export const HS_OPTIONS_SIZE = 12;

/** `content` is the extension's content (without its type/length word). Words past the third are ignored, as libsrt does. */
export function decodeHsOptions(content: Uint8Array): SrtHsOptions {
  if (content.length < HS_OPTIONS_SIZE) throw new ProtocolError('srt_hs_options_length', `HSREQ/HSRSP of ${content.length} bytes`);
  const v = new DataView(content.buffer, content.byteOffset, content.byteLength);
  const latency = v.getUint32(8);
  return { srtVersion: v.getUint32(0), flags: v.getUint32(4), recvLatencyMs: latency >>> 16, sendLatencyMs: latency & 0xffff };
}

export function encodeHsOptions(o: SrtHsOptions): Uint8Array {
  const out = new Uint8Array(HS_OPTIONS_SIZE);
  const v = new DataView(out.buffer);
  v.setUint32(0, o.srtVersion >>> 0);
  v.setUint32(4, o.flags >>> 0);
  v.setUint32(8, (((o.recvLatencyMs & 0xffff) << 16) | (o.sendLatencyMs & 0xffff)) >>> 0);
  return out;
}
