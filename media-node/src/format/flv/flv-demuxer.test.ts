import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { test as fcTest, fc } from '@fast-check/vitest';
import { hex, ProtocolError, toHex } from '@runnel/shared';
import { decodeAudioData } from './audio-data.ts';
import { FlvDemuxer, type FlvTag } from './flv-demuxer.ts';
import { flvStreamStart } from './flv-header.ts';
import { encodeFlvTag } from './tag-header.ts';
import { decodeVideoData } from './video-data.ts';

// testdata/README.md says how these were made (FFmpeg's FLV muxer, ffprobe's packet list).
const golden = new Uint8Array(readFileSync(new URL('./testdata/h264-aac.flv', import.meta.url)));
const probed: { type: string; pts: number; dts: number; size: number; key: boolean }[] = JSON.parse(
  readFileSync(new URL('./testdata/h264-aac.ffprobe.json', import.meta.url), 'utf8'),
);

function mediaPackets(tags: FlvTag[]) {
  const out: typeof probed = [];
  for (const t of tags) {
    if (t.type === 9) {
      const v = decodeVideoData(t.body);
      if (v.packetType !== 'frame') continue;
      out.push({ type: 'video', pts: t.timestamp + v.compositionTime, dts: t.timestamp, size: v.data.length, key: v.keyframe });
    } else if (t.type === 8) {
      const a = decodeAudioData(t.body);
      if (a.packetType !== 'frame') continue;
      out.push({ type: 'audio', pts: t.timestamp, dts: t.timestamp, size: a.data.length, key: true });
    }
  }
  return out;
}

function splitAt(buf: Uint8Array, cuts: number[]): Uint8Array[] {
  const points = [...new Set(cuts.map((c) => c % (buf.length + 1)))].sort((a, b) => a - b);
  const parts: Uint8Array[] = [];
  let prev = 0;
  for (const p of [...points, buf.length]) {
    parts.push(buf.subarray(prev, p));
    prev = p;
  }
  return parts;
}

describe('FlvDemuxer', () => {
  it('reads an FFmpeg FLV file the way ffprobe does', () => {
    const d = new FlvDemuxer();
    const tags = d.push(golden);
    expect(d.header).toMatchObject({ hasAudio: true, hasVideo: true });
    expect(d.buffered).toBe(0);
    expect(tags[0]!.type).toBe(18); // onMetaData first
    expect(mediaPackets(tags)).toEqual(probed);
    const headers = tags.filter((t) => t.type !== 18).map((t) => (t.type === 9 ? decodeVideoData(t.body) : decodeAudioData(t.body)));
    expect(headers.filter((h) => h.packetType === 'sequence-header')).toHaveLength(2);
  });

  it('returns bodies as views of the pushed bytes when they fit one chunk', () => {
    const tags = new FlvDemuxer().push(golden);
    expect(tags.every((t) => t.body.buffer === golden.buffer)).toBe(true);
  });

  fcTest.prop([fc.array(fc.nat(), { maxLength: 40 })], { numRuns: 30 })('gives the same tags however the bytes are split', (cuts) => {
    const d = new FlvDemuxer();
    const tags = splitAt(golden, cuts).flatMap((p) => d.push(p));
    expect(mediaPackets(tags)).toEqual(probed);
    expect(tags.length).toBe(new FlvDemuxer().push(golden).length);
  });

  it('round-trips tags built by encodeFlvTag, one byte at a time', () => {
    const sent = [
      { type: 18 as const, timestamp: 0, body: hex('02000a6f6e4d65746144617461') },
      { type: 9 as const, timestamp: 0x01000000, body: hex('17 00 000000 01') },
      { type: 8 as const, timestamp: 23, body: hex('af 01 aa') },
    ];
    const bytes = Buffer.concat([flvStreamStart({ hasAudio: true, hasVideo: true }), ...sent.map((t) => encodeFlvTag(t.type, t.timestamp, t.body))]);
    const d = new FlvDemuxer();
    const got: FlvTag[] = [];
    for (let i = 0; i < bytes.length; i++) got.push(...d.push(bytes.subarray(i, i + 1)));
    expect(got.map((t) => ({ ...t, body: toHex(t.body) }))).toEqual(sent.map((t) => ({ ...t, body: toHex(t.body) })));
  });

  it('reads a bare tag sequence when told there is no file header', () => {
    const d = new FlvDemuxer({ header: false });
    expect(d.push(encodeFlvTag(8, 5, hex('af01')))).toEqual([{ type: 8, timestamp: 5, body: hex('af01') }]);
    expect(d.header).toBeUndefined();
  });

  it('rejects a non-FLV stream on its first byte', () => {
    expect(() => new FlvDemuxer().push(new TextEncoder().encode('H'))).toThrow(expect.objectContaining({ code: 'flv_bad_signature' }));
  });

  it('rejects a PreviousTagSize that does not match, and stays failed', () => {
    const tag = encodeFlvTag(9, 0, hex('17 01 000000'));
    tag[tag.length - 1]! ^= 1;
    const d = new FlvDemuxer({ header: false });
    expect(() => d.push(tag)).toThrow(expect.objectContaining({ code: 'flv_bad_previous_tag_size' }));
    expect(() => d.push(encodeFlvTag(8, 0, hex('af01')))).toThrow(expect.objectContaining({ code: 'flv_bad_previous_tag_size' }));
  });

  it('rejects a non-zero PreviousTagSize0', () => {
    const start = flvStreamStart({ hasAudio: false, hasVideo: true });
    start[12] = 1;
    expect(() => new FlvDemuxer().push(start)).toThrow(expect.objectContaining({ code: 'flv_bad_previous_tag_size' }));
  });

  it('rejects a tag larger than the limit from its header alone, before buffering the body', () => {
    const d = new FlvDemuxer({ header: false, maxTagBytes: 1000 });
    expect(() => d.push(hex('09 0003e9 000000 00 000000'))).toThrow(expect.objectContaining({ code: 'flv_tag_too_large' }));
    expect(new FlvDemuxer({ header: false, maxTagBytes: 1000 }).push(hex('09 0003e8 000000 00 000000'))).toEqual([]);
  });

  fcTest.prop([fc.uint8Array({ maxLength: 2048 }), fc.boolean()])('garbage never crashes', (b, header) => {
    try {
      new FlvDemuxer({ header }).push(b);
    } catch (e) {
      expect(e).toBeInstanceOf(ProtocolError);
    }
  });
});
