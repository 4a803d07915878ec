import { ByteReader } from '@runnel/shared';
import { u32be } from '../bytes.ts';

/** Abort Message (type 2), Adobe RTMP spec 5.4.2: the chunk stream id whose partial message to discard. */
export function decodeAbort(payload: Uint8Array): number {
  return new ByteReader(payload).u32();
}

export function encodeAbort(csid: number): Uint8Array {
  return u32be(csid);
}
