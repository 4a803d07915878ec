import { describe, expect, it } from 'vitest';
import { toHex } from '@runnel/shared';
import { mediaMessage } from '../../hub/media-message.ts';
import { mediaMessageParts } from './media-parts.ts';
import { ChunkReader } from './chunk-reader.ts';
import { encodeSetChunkSize } from './messages/set-chunk-size.ts';
import { encodeMessageChunks } from './chunk-writer.ts';
import { cat } from './testdata/fake-peer.ts';

function readBack(parts: readonly Uint8Array[], chunkSize: number) {
  const r = new ChunkReader();
  r.push(encodeMessageChunks({ csid: 2, timestamp: 0, typeId: 1, streamId: 0, payload: encodeSetChunkSize(chunkSize) }, 128));
  return r.push(cat(...parts));
}

describe('mediaMessageParts', () => {
  const frame = () => mediaMessage('video', 1234, new Uint8Array(5000).map((_, i) => i & 0xff), { keyframe: true });

  it('builds the chunks once and shares them', () => {
    const m = frame();
    const a = mediaMessageParts(m, 4096, 1);
    expect(m.wire.rtmp).toBe(a);
    expect(mediaMessageParts(m, 4096, 1)).toBe(a);
    const [msg] = readBack(a, 4096);
    expect(msg).toMatchObject({ csid: 6, timestamp: 1234, typeId: 9, streamId: 1 });
    expect(toHex(msg!.payload)).toBe(toHex(m.payload));
  });

  it('builds separate parts for another chunk size or stream id without evicting the cache', () => {
    const m = frame();
    const shared = mediaMessageParts(m, 4096, 1);
    const other = mediaMessageParts(m, 128, 1);
    const otherStream = mediaMessageParts(m, 4096, 2);
    expect(other).not.toBe(shared);
    expect(otherStream).not.toBe(shared);
    expect(m.wire.rtmp).toBe(shared);
    expect(readBack(other, 128)[0]!.streamId).toBe(1);
    expect(readBack(otherStream, 4096)[0]!.streamId).toBe(2);
  });

  it('reuses a single-chunk frame for any chunk size that holds it', () => {
    const m = mediaMessage('audio', 20, new Uint8Array([0xaf, 1, 2, 3]));
    const a = mediaMessageParts(m, 60000, 1);
    expect(mediaMessageParts(m, 128, 1)).toBe(a);
    expect(readBack(a, 128)[0]).toMatchObject({ typeId: 8, csid: 7, timestamp: 20 });
  });
});
