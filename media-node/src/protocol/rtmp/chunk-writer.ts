import { concatBytes } from './bytes.ts';
import { EXTENDED_TIMESTAMP, basicHeaderSize, writeBasicHeader } from './chunk-header.ts';
import type { RtmpMessage } from './message.ts';

/** Largest payload the 24-bit message length field can carry (Adobe RTMP spec 5.3.1.2.1). */
const MAX_WIRE_MESSAGE_BYTES = 0xffffff;

/**
 * The chunked wire form of one message as a list of parts: a fmt 0 header,
 * then payload slices separated by fmt 3 headers (Adobe RTMP spec 5.3.1). The
 * slices are SUBARRAYS of `msg.payload` (no copy) and all fmt 3 headers are one
 * shared buffer, so a frame is chunked once and the same parts are written to
 * every player with a vectored write (`socket.cork(); parts.forEach(write)`).
 *
 * Timestamps at or above 0xFFFFFF go into the extended timestamp field, which
 * is repeated in every fmt 3 header as Flash, librtmp and ffmpeg expect
 * (spec 5.3.1.3). Every message starts with fmt 0, so no chunk stream state
 * is shared between messages and the parts do not depend on what was written
 * before (the same choice as SRS).
 *
 * @example
 * const parts = chunkMessageParts({ csid: 6, timestamp, typeId: 9, streamId: 1, payload }, 60000);
 * for (const socket of players) socket.writev(parts);
 */
export function chunkMessageParts(msg: RtmpMessage, chunkSize: number): Uint8Array[] {
  const { payload } = msg;
  if (!Number.isInteger(chunkSize) || chunkSize < 1) throw new RangeError(`chunk size ${chunkSize}`);
  if (payload.length > MAX_WIRE_MESSAGE_BYTES) throw new RangeError(`message of ${payload.length} bytes`);
  const timestamp = msg.timestamp >>> 0;
  const extended = timestamp >= EXTENDED_TIMESTAMP;
  const extBytes = extended ? 4 : 0;

  const basic = basicHeaderSize(msg.csid);
  const h0 = new Uint8Array(basic + 11 + extBytes);
  const v0 = new DataView(h0.buffer);
  let p = writeBasicHeader(h0, 0, 0, msg.csid);
  writeU24(h0, p, extended ? EXTENDED_TIMESTAMP : timestamp);
  writeU24(h0, p + 3, payload.length);
  h0[p + 6] = msg.typeId;
  v0.setUint32(p + 7, msg.streamId >>> 0, true); // little-endian, spec 5.3.1.2.1
  p += 11;
  if (extended) v0.setUint32(p, timestamp);

  const parts: Uint8Array[] = [h0];
  if (payload.length <= chunkSize) {
    if (payload.length > 0) parts.push(payload);
    return parts;
  }
  const h3 = new Uint8Array(basic + extBytes);
  const q = writeBasicHeader(h3, 0, 3, msg.csid);
  if (extended) new DataView(h3.buffer).setUint32(q, timestamp);
  parts.push(payload.subarray(0, chunkSize));
  for (let off = chunkSize; off < payload.length; off += chunkSize) {
    parts.push(h3, payload.subarray(off, Math.min(off + chunkSize, payload.length)));
  }
  return parts;
}

/** The chunked wire form in one buffer (for small control and command messages). */
export function encodeMessageChunks(msg: RtmpMessage, chunkSize: number): Uint8Array {
  return concatBytes(chunkMessageParts(msg, chunkSize));
}

function writeU24(buf: Uint8Array, off: number, v: number): void {
  buf[off] = (v >> 16) & 0xff;
  buf[off + 1] = (v >> 8) & 0xff;
  buf[off + 2] = v & 0xff;
}
