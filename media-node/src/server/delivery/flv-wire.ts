import { encodeFlvTag } from '../../format/flv/tag-header.ts';
import type { FlvTagType } from '../../format/flv/tag-header.ts';
import { RTMP_TYPE_OF_KIND } from '../../hub/media-message.ts';
import type { MediaMessage } from '../../hub/media-message.ts';

/**
 * The FLV tag of a message (header + body + PreviousTagSize), built once and
 * cached on the shared message: every HTTP-FLV and WS-FLV player writes the
 * same buffer. One contiguous buffer per frame (one copy per frame, not per
 * player) keeps a flush to one write per message.
 */
export function flvWire(msg: MediaMessage): Uint8Array {
  const cached = msg.wire.flv;
  if (cached !== undefined) return cached[0];
  const tag = encodeFlvTag(RTMP_TYPE_OF_KIND[msg.kind] as FlvTagType, msg.timestamp, msg.payload);
  msg.wire.flv = [tag];
  return tag;
}
