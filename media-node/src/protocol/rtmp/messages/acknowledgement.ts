import { ByteReader } from '@runnel/shared';
import { u32be } from '../bytes.ts';

/** Acknowledgement (type 3), Adobe RTMP spec 5.4.3: bytes received so far, modulo 2^32. */
export function decodeAcknowledgement(payload: Uint8Array): number {
  return new ByteReader(payload).u32();
}

export function encodeAcknowledgement(sequenceNumber: number): Uint8Array {
  return u32be(sequenceNumber);
}
