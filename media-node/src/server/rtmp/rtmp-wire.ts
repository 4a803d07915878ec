import { concatBytes } from '../../protocol/rtmp/bytes.ts';
import { chunkMessageParts } from '../../protocol/rtmp/chunk-writer.ts';
import { csidForType } from '../../protocol/rtmp/message.ts';
import { RTMP_TYPE_OF_KIND } from '../../hub/media-message.ts';
import type { MediaMessage } from '../../hub/media-message.ts';

/**
 * The message stream id players get from their first createStream (SRS and
 * every client we know use 1); media for it is chunked once and shared.
 */
export const SHARED_STREAM_ID = 1;

/**
 * The RTMP chunks of a message for a player, as one buffer. For the node's
 * outgoing chunk size and stream id 1 (every ordinary player) it is built
 * once per frame and cached on the shared message, so N players cost one
 * chunking and N writes of the same buffer; any other combination is chunked
 * for that player alone.
 */
export function rtmpWire(msg: MediaMessage, chunkSize: number, streamId: number, sharedChunkSize: number): Uint8Array {
  const shared = chunkSize === sharedChunkSize && streamId === SHARED_STREAM_ID;
  if (shared) {
    const cached = msg.wire.rtmp;
    if (cached !== undefined) return cached[0];
  }
  const typeId = RTMP_TYPE_OF_KIND[msg.kind];
  const wire = concatBytes(
    chunkMessageParts({ csid: csidForType(typeId), timestamp: msg.timestamp, typeId, streamId, payload: msg.payload }, chunkSize),
  );
  if (shared) msg.wire.rtmp = [wire];
  return wire;
}
