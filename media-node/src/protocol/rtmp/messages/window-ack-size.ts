import { ByteReader } from '@runnel/shared';
import { u32be } from '../bytes.ts';

/**
 * Window Acknowledgement Size (type 5), Adobe RTMP spec 5.4.4: the peer wants
 * an Acknowledgement every `size` bytes it sends. 0 means "never" here (SRS
 * ignores values <= 0, bad-inputs row 16); the caller never divides by it.
 */
export function decodeWindowAckSize(payload: Uint8Array): number {
  return new ByteReader(payload).u32();
}

export function encodeWindowAckSize(size: number): Uint8Array {
  return u32be(size);
}
