import { ProtocolError } from '@runnel/shared';

/**
 * The string extensions of the handshake (stream id, congestion control,
 * packet filter; draft-sharabayko-srt 3.2.1.3) are padded with NULs to whole
 * 32-bit words, and libsrt byte-swaps every word (it copies the string into
 * host-order words, then converts all control words to network order), so
 * "abcd" is sent as "dcba" (`fillHsExtConfigString`). Every implementation
 * does the same to interoperate; the receiver drops the trailing NULs.
 */

const utf8 = new TextDecoder('utf-8', { fatal: true });
const encoder = new TextEncoder();

/** Swaps the bytes of every 32-bit word (the length must be a multiple of 4). */
export function swapWords(b: Uint8Array): Uint8Array {
  const out = new Uint8Array(b.length);
  for (let i = 0; i + 3 < b.length; i += 4) {
    out[i] = b[i + 3]!;
    out[i + 1] = b[i + 2]!;
    out[i + 2] = b[i + 1]!;
    out[i + 3] = b[i]!;
  }
  return out;
}

/** Decodes extension content into a string of at most `maxBytes` UTF-8 bytes. */
export function decodeConfigString(content: Uint8Array, maxBytes: number, what: string): string {
  if (content.length === 0 || content.length > maxBytes) {
    throw new ProtocolError('srt_hs_string_length', `${what} of ${content.length} bytes (1..${maxBytes})`);
  }
  const plain = swapWords(content);
  let end = plain.length;
  while (end > 0 && plain[end - 1] === 0) end--;
  try {
    return utf8.decode(plain.subarray(0, end));
  } catch {
    throw new ProtocolError('srt_hs_string_encoding', `${what} is not UTF-8`);
  }
}

/** Encodes a string into padded, word-swapped extension content. */
export function encodeConfigString(s: string, maxBytes: number, what: string): Uint8Array {
  const raw = encoder.encode(s);
  if (raw.length === 0 || raw.length > maxBytes) {
    throw new ProtocolError('srt_hs_string_length', `${what} of ${raw.length} bytes (1..${maxBytes})`);
  }
  const padded = new Uint8Array(Math.ceil(raw.length / 4) * 4);
  padded.set(raw);
  return swapWords(padded);
}
