import { ProtocolError } from '@runnel/shared';
import {
  decodeHeaderExtensions,
  headerExtensionsSize,
  isRfc8285Profile,
  writeHeaderExtensions,
} from './header-extensions.ts';
import type { RtpHeaderExtension } from './header-extensions.ts';
import { MAX_RTP_PACKET_BYTES } from './limits.ts';

/** RFC 3550 5.1: the fixed header is 12 bytes. */
export const RTP_HEADER_BYTES = 12;

/**
 * An RTP packet (RFC 3550 5.1). Byte fields are subarrays of the decoded
 * datagram (no copy). With the X bit set, `extensionProfile` is the 16-bit
 * "defined by profile" value: for the RFC 8285 forms (0xBEDE one-byte,
 * 0x100x two-byte) the elements are in `extensions`, for any other profile the
 * raw block is in `extensionData`.
 */
export interface RtpPacket {
  readonly marker: boolean;
  /** 7 bits. */
  readonly payloadType: number;
  /** 16 bits. */
  readonly sequenceNumber: number;
  /** 32 bits, unsigned. */
  readonly timestamp: number;
  /** 32 bits, unsigned. */
  readonly ssrc: number;
  /** Contributing sources, at most 15 (the CC field is 4 bits). */
  readonly csrcs: readonly number[];
  readonly extensionProfile?: number;
  readonly extensions: readonly RtpHeaderExtension[];
  /** The extension block of a non-RFC 8285 profile (a multiple of 4 bytes). */
  readonly extensionData?: Uint8Array;
  readonly payload: Uint8Array;
  /** Padding bytes after the payload including the count byte (RFC 3550 5.1 P bit); 0 = none. */
  readonly padding: number;
}

/**
 * Decodes one RTP packet (after SRTP decryption). A version other than 2, a
 * header, CSRC list or extension that runs past the packet, or a padding count
 * of 0 or larger than the payload is a `ProtocolError`.
 *
 * @example
 * const p = decodeRtpPacket(datagram); if (p.payloadType === h264Pt) depacketizer.push(p);
 */
export function decodeRtpPacket(b: Uint8Array): RtpPacket {
  if (b.length > MAX_RTP_PACKET_BYTES) throw new ProtocolError('rtp_too_large', `RTP packet of ${b.length} bytes`);
  if (b.length < RTP_HEADER_BYTES) throw new ProtocolError('rtp_truncated', `RTP packet of ${b.length} bytes`);
  const v = new DataView(b.buffer, b.byteOffset, b.byteLength);
  const b0 = b[0]!;
  const b1 = b[1]!;
  if (b0 >>> 6 !== 2) throw new ProtocolError('rtp_version', `RTP version ${b0 >>> 6}`);
  const hasPadding = (b0 & 0x20) !== 0;
  const hasExtension = (b0 & 0x10) !== 0;
  const cc = b0 & 0x0f;
  let pos = RTP_HEADER_BYTES;
  if (b.length < pos + cc * 4) throw new ProtocolError('rtp_truncated', `${cc} CSRCs in ${b.length} bytes`);
  const csrcs: number[] = [];
  for (let i = 0; i < cc; i++, pos += 4) csrcs.push(v.getUint32(pos));
  let extensionProfile: number | undefined;
  let extensions: RtpHeaderExtension[] = [];
  let extensionData: Uint8Array | undefined;
  if (hasExtension) {
    // RFC 3550 5.3.1: 16-bit profile, 16-bit length in 32-bit words.
    if (b.length < pos + 4) throw new ProtocolError('rtp_truncated', 'header extension header');
    extensionProfile = v.getUint16(pos);
    const words = v.getUint16(pos + 2);
    pos += 4;
    if (words * 4 > b.length - pos) throw new ProtocolError('rtp_truncated', `header extension of ${words * 4} bytes, ${b.length - pos} left`);
    const block = b.subarray(pos, pos + words * 4);
    pos += words * 4;
    if (isRfc8285Profile(extensionProfile)) extensions = decodeHeaderExtensions(extensionProfile, block);
    else extensionData = block;
  }
  let end = b.length;
  let padding = 0;
  if (hasPadding) {
    // RFC 3550 5.1: the last byte counts the padding bytes, itself included.
    padding = b[b.length - 1]!;
    if (padding === 0 || padding > b.length - pos) throw new ProtocolError('rtp_bad_padding', `padding ${padding} with ${b.length - pos} bytes after the header`);
    end -= padding;
  }
  return {
    marker: (b1 & 0x80) !== 0,
    payloadType: b1 & 0x7f,
    sequenceNumber: v.getUint16(2),
    timestamp: v.getUint32(4),
    ssrc: v.getUint32(8),
    csrcs,
    ...(extensionProfile === undefined ? {} : { extensionProfile }),
    extensions,
    ...(extensionData === undefined ? {} : { extensionData }),
    payload: b.subarray(pos, end),
    padding,
  };
}

/** The fields `encodeRtpPacket` needs; the rest default to none. */
export type RtpPacketInit = Pick<RtpPacket, 'marker' | 'payloadType' | 'sequenceNumber' | 'timestamp' | 'ssrc' | 'payload'> &
  Partial<Pick<RtpPacket, 'csrcs' | 'extensionProfile' | 'extensions' | 'extensionData' | 'padding'>>;

/**
 * Encodes an RTP packet into one new buffer; the inverse of `decodeRtpPacket`.
 * RFC 8285 elements are written in order and zero-padded to 32 bits.
 */
export function encodeRtpPacket(p: RtpPacketInit): Uint8Array {
  const csrcs = p.csrcs ?? [];
  const exts = p.extensions ?? [];
  const padding = p.padding ?? 0;
  if (csrcs.length > 15) throw new ProtocolError('rtp_csrc_count', `${csrcs.length} CSRCs (0..15)`);
  if (padding < 0 || padding > 255) throw new ProtocolError('rtp_bad_padding', `padding ${padding} (0..255)`);
  let extBlock = 0;
  const profile = p.extensionProfile;
  if (profile !== undefined) {
    if (isRfc8285Profile(profile)) extBlock = Math.ceil(headerExtensionsSize(profile, exts) / 4) * 4;
    else {
      extBlock = p.extensionData?.length ?? 0;
      if (extBlock % 4 !== 0) throw new ProtocolError('rtp_extension_size', `extension block of ${extBlock} bytes is not 32-bit aligned`);
    }
    if (extBlock / 4 > 0xffff) throw new ProtocolError('rtp_extension_size', `extension block of ${extBlock} bytes`);
  }
  const head = RTP_HEADER_BYTES + csrcs.length * 4 + (profile === undefined ? 0 : 4 + extBlock);
  const size = head + p.payload.length + padding;
  if (size > MAX_RTP_PACKET_BYTES) throw new ProtocolError('rtp_too_large', `RTP packet of ${size} bytes`);
  const out = new Uint8Array(size);
  const v = new DataView(out.buffer);
  out[0] = 0x80 | (padding > 0 ? 0x20 : 0) | (profile === undefined ? 0 : 0x10) | csrcs.length;
  out[1] = (p.marker ? 0x80 : 0) | (p.payloadType & 0x7f);
  v.setUint16(2, p.sequenceNumber & 0xffff);
  v.setUint32(4, p.timestamp >>> 0);
  v.setUint32(8, p.ssrc >>> 0);
  let pos = RTP_HEADER_BYTES;
  for (const c of csrcs) {
    v.setUint32(pos, c >>> 0);
    pos += 4;
  }
  if (profile !== undefined) {
    v.setUint16(pos, profile);
    v.setUint16(pos + 2, extBlock / 4);
    pos += 4;
    if (isRfc8285Profile(profile)) writeHeaderExtensions(profile, exts, out, pos);
    else if (p.extensionData) out.set(p.extensionData, pos);
    pos += extBlock;
  }
  out.set(p.payload, pos);
  if (padding > 0) out[size - 1] = padding;
  return out;
}
