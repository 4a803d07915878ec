import { ByteReader, ProtocolError } from '@runnel/shared';
import type { RtmpMessage } from '../message.ts';

/** FLV tag header (11 bytes) + back pointer (4): the overhead of each sub-message. */
const SUB_HEADER_BYTES = 11;
const BACK_POINTER_BYTES = 4;

/**
 * Aggregate Message (type 22), Adobe RTMP spec 7.1.6: FLV tags back to back,
 * each tag header + body + 4-byte back pointer. Sub-messages take the
 * aggregate's stream id, and their timestamps are rebased so the first one
 * lands on the aggregate's timestamp (32-bit arithmetic). Payloads are
 * subarrays of the aggregate (no copy).
 *
 * The whole body is validated before anything is returned: a tag whose size
 * runs past the body throws `aggregate_malformed` and the caller drops the
 * message (bad-inputs row 20).
 */
export function splitAggregate(msg: RtmpMessage): RtmpMessage[] {
  const r = new ByteReader(msg.payload);
  const out: RtmpMessage[] = [];
  let first = -1;
  while (r.remaining > 0) {
    if (r.remaining < SUB_HEADER_BYTES) throw malformed(`${r.remaining} trailing bytes`);
    const typeId = r.u8();
    const size = r.u24();
    const ts = (r.u24() | (r.u8() << 24)) >>> 0; // FLV: 24 bits + 8-bit extension as the high byte
    r.skip(3); // FLV stream id, always 0; the aggregate's stream id applies
    if (size + BACK_POINTER_BYTES > r.remaining) throw malformed(`tag of ${size} bytes with ${r.remaining} left`);
    const payload = r.bytes(size);
    r.skip(BACK_POINTER_BYTES);
    if (first < 0) first = ts;
    const timestamp = (msg.timestamp + ts - first) >>> 0;
    out.push({ csid: msg.csid, timestamp, typeId, streamId: msg.streamId, payload });
  }
  return out;
}

/** Builds an aggregate body from sub-messages (their own timestamps are written as-is). */
export function encodeAggregate(subs: readonly Pick<RtmpMessage, 'typeId' | 'timestamp' | 'payload'>[]): Uint8Array {
  const total = subs.reduce((n, s) => n + SUB_HEADER_BYTES + s.payload.length + BACK_POINTER_BYTES, 0);
  const out = new Uint8Array(total);
  const v = new DataView(out.buffer);
  let p = 0;
  for (const s of subs) {
    const size = s.payload.length;
    out[p] = s.typeId;
    out[p + 1] = (size >> 16) & 0xff;
    out[p + 2] = (size >> 8) & 0xff;
    out[p + 3] = size & 0xff;
    const ts = s.timestamp >>> 0;
    out[p + 4] = (ts >> 16) & 0xff;
    out[p + 5] = (ts >> 8) & 0xff;
    out[p + 6] = ts & 0xff;
    out[p + 7] = ts >>> 24;
    p += SUB_HEADER_BYTES;
    out.set(s.payload, p);
    p += s.payload.length;
    v.setUint32(p, SUB_HEADER_BYTES + s.payload.length);
    p += BACK_POINTER_BYTES;
  }
  return out;
}

function malformed(detail: string): ProtocolError {
  return new ProtocolError('aggregate_malformed', `aggregate message: ${detail}`);
}
