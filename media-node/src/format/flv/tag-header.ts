import { ByteReader, ProtocolError } from '@runnel/shared';

/**
 * FLV tag header and PreviousTagSize (Adobe FLV spec v10.1, E.4.1 "FLV Tag"):
 * Reserved UB[2], Filter UB[1], TagType UB[5], DataSize UI24, Timestamp UI24,
 * TimestampExtended UI8 (the upper 8 bits of a 32-bit ms timestamp),
 * StreamID UI24 (always 0). Every tag is followed by a UI32 PreviousTagSize
 * equal to 11 + DataSize.
 */
export type FlvTagType = 8 | 9 | 18;

/** Tag type ids; equal to the RTMP message type ids of the same media (E.4.1). */
export const FLV_TAG_AUDIO = 8;
export const FLV_TAG_VIDEO = 9;
export const FLV_TAG_SCRIPT = 18;

export const FLV_TAG_HEADER_BYTES = 11;
export const FLV_PREVIOUS_TAG_SIZE_BYTES = 4;

/** DataSize is a UI24: no tag body can be longer than this. */
export const FLV_MAX_DATA_SIZE = 0xffffff;

export interface FlvTagHeader {
  readonly type: FlvTagType;
  /** Length of the tag body (the bytes after the 11-byte header). */
  readonly dataSize: number;
  /** Milliseconds, 32-bit unsigned (Timestamp | TimestampExtended << 24). */
  readonly timestamp: number;
}

/** Decodes an 11-byte tag header at `offset`; NeedMoreBytes on short input, ProtocolError on garbage. */
export function decodeFlvTagHeader(buf: Uint8Array, offset = 0): FlvTagHeader {
  const r = new ByteReader(buf, offset);
  r.need(FLV_TAG_HEADER_BYTES, 'FLV tag header');
  const b0 = r.u8();
  if (b0 & 0x20) throw new ProtocolError('flv_encrypted_tag', 'FLV tag has the Filter (encryption) bit set');
  const type = b0 & 0xdf;
  if (type !== FLV_TAG_AUDIO && type !== FLV_TAG_VIDEO && type !== FLV_TAG_SCRIPT) {
    throw new ProtocolError('flv_bad_tag_type', `FLV tag type byte 0x${b0.toString(16)} is not audio/video/script`);
  }
  const dataSize = r.u24();
  const low = r.u24();
  const high = r.u8();
  const streamId = r.u24();
  if (streamId !== 0) throw new ProtocolError('flv_bad_stream_id', `FLV StreamID ${streamId}, must be 0`);
  return { type, dataSize, timestamp: ((high << 24) | low) >>> 0 };
}

/** Writes an 11-byte tag header into `out` at `off`. */
export function encodeFlvTagHeaderInto(out: Uint8Array, off: number, h: FlvTagHeader): void {
  if (h.dataSize > FLV_MAX_DATA_SIZE) {
    throw new ProtocolError('flv_tag_too_large', `FLV tag body of ${h.dataSize} bytes does not fit DataSize (UI24)`);
  }
  const ts = h.timestamp >>> 0;
  out[off] = h.type;
  out[off + 1] = h.dataSize >>> 16;
  out[off + 2] = h.dataSize >>> 8;
  out[off + 3] = h.dataSize;
  out[off + 4] = ts >>> 16;
  out[off + 5] = ts >>> 8;
  out[off + 6] = ts;
  out[off + 7] = ts >>> 24;
  out[off + 8] = 0;
  out[off + 9] = 0;
  out[off + 10] = 0;
}

export function encodeFlvTagHeader(h: FlvTagHeader): Uint8Array {
  const out = new Uint8Array(FLV_TAG_HEADER_BYTES);
  encodeFlvTagHeaderInto(out, 0, h);
  return out;
}

function writeU32(out: Uint8Array, off: number, v: number): void {
  out[off] = v >>> 24;
  out[off + 1] = v >>> 16;
  out[off + 2] = v >>> 8;
  out[off + 3] = v;
}

/**
 * The wire parts of one FLV tag for HTTP-FLV fan-out, without copying the
 * body: `[11-byte header, body, 4-byte PreviousTagSize]`. `body` is returned
 * as is (same subarray); header and trailer share one 15-byte allocation.
 *
 * @example
 * socket.writev(flvTagParts(9, msg.timestamp, msg.payload));
 */
export function flvTagParts(typeId: FlvTagType, timestamp: number, body: Uint8Array): Uint8Array[] {
  const fixed = new Uint8Array(FLV_TAG_HEADER_BYTES + FLV_PREVIOUS_TAG_SIZE_BYTES);
  encodeFlvTagHeaderInto(fixed, 0, { type: typeId, dataSize: body.length, timestamp });
  writeU32(fixed, FLV_TAG_HEADER_BYTES, FLV_TAG_HEADER_BYTES + body.length);
  return [fixed.subarray(0, FLV_TAG_HEADER_BYTES), body, fixed.subarray(FLV_TAG_HEADER_BYTES)];
}

/** One contiguous tag (header + body + PreviousTagSize): for files and tests, not for fan-out. */
export function encodeFlvTag(typeId: FlvTagType, timestamp: number, body: Uint8Array): Uint8Array {
  const out = new Uint8Array(FLV_TAG_HEADER_BYTES + body.length + FLV_PREVIOUS_TAG_SIZE_BYTES);
  encodeFlvTagHeaderInto(out, 0, { type: typeId, dataSize: body.length, timestamp });
  out.set(body, FLV_TAG_HEADER_BYTES);
  writeU32(out, FLV_TAG_HEADER_BYTES + body.length, FLV_TAG_HEADER_BYTES + body.length);
  return out;
}
