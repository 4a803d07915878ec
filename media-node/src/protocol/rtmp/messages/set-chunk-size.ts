import { ByteReader, ProtocolError } from '@runnel/shared';
import { u32be } from '../bytes.ts';
import { MAX_CHUNK_SIZE, MIN_CHUNK_SIZE } from '../limits.ts';

/**
 * Set Chunk Size (type 1), Adobe RTMP spec 5.4.1: a 32-bit size whose top bit
 * must be 0. We accept MIN_CHUNK_SIZE..MAX_CHUNK_SIZE and close on anything
 * else (bad-inputs rows 4-6: 0, 1..127, 0x7FFFFFFF, 0x80000001).
 */
export function decodeSetChunkSize(payload: Uint8Array): number {
  const size = new ByteReader(payload).u32();
  if (size < MIN_CHUNK_SIZE || size > MAX_CHUNK_SIZE) {
    throw new ProtocolError('chunk_size_out_of_range', `set chunk size ${size} outside ${MIN_CHUNK_SIZE}..${MAX_CHUNK_SIZE}`);
  }
  return size;
}

export function encodeSetChunkSize(size: number): Uint8Array {
  if (!Number.isInteger(size) || size < 1 || size > 0x7fffffff) throw new RangeError(`chunk size ${size}`);
  return u32be(size);
}
