import { RTMP_TYPE_OF_KIND, type MediaMessage } from '../../hub/media-message.ts';
import { basicHeaderSize } from './chunk-header.ts';
import { chunkMessageParts } from './chunk-writer.ts';
import { csidForType } from './message.ts';

/**
 * The RTMP chunks of a hub frame for a player, built once per frame and shared
 * by every player that reads with the same chunk size and message stream id
 * (the common case: the node's chunk size, stream id 1 from the first
 * createStream). The parts are cached in `msg.wire.rtmp`; a player with other
 * settings gets its own parts and leaves the cache alone.
 *
 * @example
 * const parts = mediaMessageParts(frame, session.outChunkSize, playStreamId);
 * socket.cork(); for (const p of parts) socket.write(p); socket.uncork();
 */
export function mediaMessageParts(msg: MediaMessage, chunkSize: number, streamId: number): readonly Uint8Array[] {
  const cached = msg.wire.rtmp;
  if (cached && fits(cached, msg, chunkSize, streamId)) return cached;
  const typeId = RTMP_TYPE_OF_KIND[msg.kind];
  const parts = chunkMessageParts(
    { csid: csidForType(typeId), timestamp: msg.timestamp, typeId, streamId, payload: msg.payload },
    chunkSize,
  );
  if (!cached) msg.wire.rtmp = parts;
  return parts;
}

/** Whether cached parts were built for this chunk size and stream id (read back from the parts). */
function fits(parts: readonly Uint8Array[], msg: MediaMessage, chunkSize: number, streamId: number): boolean {
  const h0 = parts[0]!;
  const at = basicHeaderSize(csidForType(RTMP_TYPE_OF_KIND[msg.kind])) + 7; // after timestamp, length, type
  const sid = (h0[at]! | (h0[at + 1]! << 8) | (h0[at + 2]! << 16) | (h0[at + 3]! << 24)) >>> 0;
  if (sid !== streamId >>> 0) return false;
  const n = msg.payload.length;
  // one slice: valid for any chunk size that holds the whole payload; else the first slice is one chunk
  return parts.length <= 2 ? n <= chunkSize : parts[1]!.length === chunkSize;
}
