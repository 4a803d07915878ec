import { ProtocolError } from '@runnel/shared';

/**
 * Chunk Basic Header, Adobe RTMP spec 5.3.1.1: 2-bit fmt and a chunk stream id
 * in 1, 2 or 3 bytes.
 *   1 byte : csid 2..63 in the low 6 bits
 *   2 bytes: low bits 0,  csid = 64 + b1              (64..319)
 *   3 bytes: low bits 1,  csid = 64 + b1 + 256 * b2   (64..65599)
 * (b2 is the high byte: the spec's "Third byte * 256 + Second byte + 64".)
 */
export const MIN_CSID = 2;
export const MAX_CSID = 65599;

export type ChunkFmt = 0 | 1 | 2 | 3;

/** Message header length per fmt, Adobe RTMP spec 5.3.1.2. */
export const MESSAGE_HEADER_BYTES = [11, 7, 3, 0] as const;

/** Largest chunk header: 3-byte basic + 11-byte message header + 4-byte extended timestamp. */
export const MAX_CHUNK_HEADER_BYTES = 18;

/** Timestamp field value that says "read the 4-byte extended timestamp", spec 5.3.1.3. */
export const EXTENDED_TIMESTAMP = 0xffffff;

export interface BasicHeader {
  readonly fmt: ChunkFmt;
  readonly csid: number;
  /** Bytes the basic header took (1, 2 or 3). */
  readonly size: number;
}

/** Decodes a basic header at `off`; null when fewer bytes than it needs are available. */
export function decodeBasicHeader(buf: Uint8Array, off: number): BasicHeader | null {
  if (off >= buf.length) return null;
  const b0 = buf[off]!;
  const fmt = (b0 >> 6) as ChunkFmt;
  const low = b0 & 0x3f;
  if (low >= 2) return { fmt, csid: low, size: 1 };
  if (low === 0) {
    if (off + 2 > buf.length) return null;
    return { fmt, csid: 64 + buf[off + 1]!, size: 2 };
  }
  if (off + 3 > buf.length) return null;
  return { fmt, csid: 64 + buf[off + 1]! + 256 * buf[off + 2]!, size: 3 };
}

export function basicHeaderSize(csid: number): number {
  return csid < 64 ? 1 : csid < 320 ? 2 : 3;
}

/** Writes the basic header at `off` and returns its size; uses the shortest form. */
export function writeBasicHeader(buf: Uint8Array, off: number, fmt: ChunkFmt, csid: number): number {
  if (!Number.isInteger(csid) || csid < MIN_CSID || csid > MAX_CSID) {
    throw new ProtocolError('csid_out_of_range', `chunk stream id ${csid} outside ${MIN_CSID}..${MAX_CSID}`);
  }
  if (csid < 64) {
    buf[off] = (fmt << 6) | csid;
    return 1;
  }
  const rest = csid - 64;
  if (rest < 256) {
    buf[off] = fmt << 6;
    buf[off + 1] = rest;
    return 2;
  }
  buf[off] = (fmt << 6) | 1;
  buf[off + 1] = rest & 0xff;
  buf[off + 2] = rest >> 8;
  return 3;
}
