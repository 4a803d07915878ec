import { describe, expect, it } from 'vitest';
import { FlvDemuxer } from '../../format/flv/flv-demuxer.ts';
import { decodeOnMetaData, encodeOnMetaData } from '../../format/flv/script-data.ts';
import { tag } from '../../format/remux/synthetic-stream.ts';
import type { FileEnding, MuxResult } from './file-muxer.ts';
import { FlvFile } from './flv-file.ts';

const HEADER = { keyframe: false, sequenceHeader: true };
const KEY = { keyframe: true, sequenceHeader: false };
const INTER = { keyframe: false, sequenceHeader: false };

/** The file as the recorder would leave it: parts in order, tail appended, patches applied. */
function assemble(head: readonly Uint8Array[], results: readonly MuxResult[], end: FileEnding): Uint8Array {
  const parts = [...head, ...results.flatMap((r) => (r.kind === 'written' ? r.parts : [])), ...end.tail];
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let off = 0;
  for (const p of parts) {
    out.set(p, off);
    off += p.length;
  }
  for (const p of end.patches) out.set(p.bytes, p.offset);
  return out;
}

describe('FlvFile', () => {
  it('copies the publisher metadata and patches duration and filesize at the end (SRS refreshes both)', () => {
    const f = new FlvFile({ hasAudio: true, hasVideo: true, metadata: encodeOnMetaData({ width: 320, height: 240, duration: 999, encoder: 'x' }) });
    const head = f.header();
    const results = [
      f.push('video', 0, tag.avcSequenceHeader(), HEADER),
      f.push('audio', 0, tag.aacSequenceHeader(), HEADER),
      f.push('video', 0, tag.avcFrame(true), KEY),
      f.push('audio', 10, tag.aacFrame(), INTER),
      f.push('video', 40, tag.avcFrame(false), INTER),
    ];
    const end = f.finish();
    const bytes = assemble(head, results, end);
    expect(end.fileBytes).toBe(bytes.length);
    const tags = new FlvDemuxer().push(bytes);
    expect(tags.map((t) => [t.type, t.timestamp])).toEqual([[18, 0], [9, 0], [8, 0], [9, 0], [8, 10], [9, 40]]);
    const meta = decodeOnMetaData(tags[0]!.body)!;
    expect(meta).toMatchObject({ duration: 0.08, filesize: bytes.length, width: 320, height: 240, encoder: 'x' });
    expect(Object.keys(meta).slice(0, 2)).toEqual(['duration', 'filesize']);
    expect(bytes[4]).toBe(0x05); // audio + video flags
  });

  it('ends at the cut when it is given, and writes minimal metadata when the publisher sent none', () => {
    const f = new FlvFile({ hasAudio: false, hasVideo: true });
    const head = f.header();
    const results = [f.push('video', 0, tag.avcSequenceHeader(), HEADER), f.push('video', 0, tag.avcFrame(true), KEY)];
    const end = f.finish(3000);
    expect(end.durationMs).toBe(3000);
    const meta = decodeOnMetaData(new FlvDemuxer().push(assemble(head, results, end))[0]!.body);
    expect(meta).toEqual(expect.objectContaining({ duration: 3, filesize: end.fileBytes }));
  });

  it('starts video at a keyframe after its header; end-of-sequence tags are kept but are not frames', () => {
    const f = new FlvFile({ hasAudio: true, hasVideo: true });
    f.header();
    const kinds = [
      f.push('video', 0, tag.avcFrame(true), KEY),
      f.push('audio', 0, tag.aacFrame(), INTER),
      f.push('video', 0, tag.avcSequenceHeader(), HEADER),
      f.push('video', 0, tag.avcFrame(false), INTER),
      f.push('video', 40, Uint8Array.of(0x17, 2, 0, 0, 0), INTER), // AVC end of sequence before the first keyframe
      f.push('video', 80, tag.avcFrame(true), KEY),
      f.push('video', 120, Uint8Array.of(0x17, 2, 0, 0, 0), INTER),
      f.push('video', 120, tag.avcSequenceHeader(), HEADER),
      f.push('video', 160, tag.hevcSequenceHeader(), HEADER),
    ].map((r) => (r.kind === 'written' ? `written${r.frame ? ' frame' : ''}` : r.kind === 'drop' ? r.reason : r.kind));
    expect(kinds).toEqual([
      'no_sequence_header', 'no_sequence_header', 'written', 'wait_keyframe', 'skip', 'written frame', 'written', 'skip', 'restart',
    ]);
    expect(f.frameCounts).toEqual({ audio: 0, video: 1 });
  });
});
