import { ProtocolError } from '@runnel/shared';
import { MAX_RTP_HEADER_EXTENSIONS } from './limits.ts';

/** RFC 8285 4.2: the "defined by profile" value of the one-byte header form. */
export const ONE_BYTE_PROFILE = 0xbede;
/** RFC 8285 4.3: the two-byte form is 0x100 followed by 4 application bits. */
export const TWO_BYTE_PROFILE = 0x1000;

/** One RFC 8285 header extension element; `data` is a subarray of the packet. */
export interface RtpHeaderExtension {
  readonly id: number;
  readonly data: Uint8Array;
}

/** True when `profile` names one of the two RFC 8285 element forms. */
export function isRfc8285Profile(profile: number): boolean {
  return profile === ONE_BYTE_PROFILE || (profile & 0xfff0) === TWO_BYTE_PROFILE;
}

/**
 * Splits the extension block of an RFC 8285 profile into elements. Padding
 * bytes (id 0) are skipped; a one-byte id of 15 stops parsing (RFC 8285 4.2);
 * an element that runs past the block is a `ProtocolError`.
 */
export function decodeHeaderExtensions(profile: number, block: Uint8Array): RtpHeaderExtension[] {
  const oneByte = profile === ONE_BYTE_PROFILE;
  const out: RtpHeaderExtension[] = [];
  let pos = 0;
  while (pos < block.length) {
    const b = block[pos]!;
    if (b === 0) {
      pos++;
      continue;
    }
    let id: number;
    let len: number;
    if (oneByte) {
      id = b >>> 4;
      if (id === 15) break;
      len = (b & 0x0f) + 1;
      pos += 1;
    } else {
      if (pos + 1 >= block.length) throw new ProtocolError('rtp_extension_truncated', 'two-byte header extension without length');
      id = b;
      len = block[pos + 1]!;
      pos += 2;
    }
    if (len > block.length - pos) throw new ProtocolError('rtp_extension_truncated', `extension ${id} of ${len} bytes, ${block.length - pos} left`);
    if (out.length >= MAX_RTP_HEADER_EXTENSIONS) throw new ProtocolError('rtp_too_many_extensions', `more than ${MAX_RTP_HEADER_EXTENSIONS} header extensions`);
    out.push({ id, data: block.subarray(pos, pos + len) });
    pos += len;
  }
  return out;
}

/** Bytes the elements take in `profile`'s form, before padding to 32 bits. */
export function headerExtensionsSize(profile: number, exts: readonly RtpHeaderExtension[]): number {
  const oneByte = profile === ONE_BYTE_PROFILE;
  let size = 0;
  for (const e of exts) {
    if (oneByte) {
      if (e.id < 1 || e.id > 14) throw new ProtocolError('rtp_extension_id', `one-byte extension id ${e.id} (1..14)`);
      if (e.data.length < 1 || e.data.length > 16) throw new ProtocolError('rtp_extension_size', `one-byte extension of ${e.data.length} bytes (1..16)`);
      size += 1 + e.data.length;
    } else {
      if (e.id < 1 || e.id > 255) throw new ProtocolError('rtp_extension_id', `two-byte extension id ${e.id} (1..255)`);
      if (e.data.length > 255) throw new ProtocolError('rtp_extension_size', `two-byte extension of ${e.data.length} bytes (0..255)`);
      size += 2 + e.data.length;
    }
  }
  return size;
}

/** Writes the elements at `out[pos]`; the caller zero-fills the padding after them. */
export function writeHeaderExtensions(profile: number, exts: readonly RtpHeaderExtension[], out: Uint8Array, pos: number): void {
  const oneByte = profile === ONE_BYTE_PROFILE;
  for (const e of exts) {
    if (oneByte) {
      out[pos++] = (e.id << 4) | (e.data.length - 1);
    } else {
      out[pos++] = e.id;
      out[pos++] = e.data.length;
    }
    out.set(e.data, pos);
    pos += e.data.length;
  }
}
