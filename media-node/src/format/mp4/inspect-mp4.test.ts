import { test as fcTest, fc } from '@fast-check/vitest';
import { ProtocolError, hex } from '@runnel/shared';
import { describe, expect, it } from 'vitest';
import { encodeAsc, makeAsc } from '../../codec/aac/audio-specific-config.ts';
import { AVC_SAMPLES } from '../../codec/testdata/h264-samples.ts';
import { MAX_BOXES_PER_LEVEL, readBoxes } from './box-reader.ts';
import { inspectMp4 } from './inspect-mp4.ts';
import { Mp4Writer } from './mp4-writer.ts';
import { assembleMp4 } from './test-kit.ts';

/** A small valid file: 30 video frames (a keyframe every 10) and 40 AAC frames, interleaved. */
function smallFile(): Uint8Array {
  const w = new Mp4Writer();
  const parts = [w.header()];
  const v = w.addTrack({ kind: 'video', codec: 'h264', config: hex(AVC_SAMPLES[0]!.avcC), width: 320, height: 240 });
  const a = w.addTrack({ kind: 'audio', codec: 'aac', config: encodeAsc(makeAsc(2, 44100, 2)), sampleRate: 44100, channels: 2 });
  for (let i = 0; i < 40; i++) {
    if (i < 30) {
      w.addSample(v, { dts: i * 40, cto: i % 3 === 0 ? 80 : 0, size: 50 + i, keyframe: i % 10 === 0 });
      parts.push(new Uint8Array(50 + i));
    }
    w.addSample(a, { dts: Math.floor((i * 1024_000) / 44100), cto: 0, size: 9, keyframe: false });
    parts.push(new Uint8Array(9));
  }
  return assembleMp4(parts, w.finish());
}

const file = smallFile();

describe('readBoxes', () => {
  it('reads 32-bit, 64-bit (largesize) and to-the-end (size 0) boxes', () => {
    const b = readBoxes(hex('0000000c 66726565 01020304 00000001 6d646174 00000000 00000011 ff 00000000 736b6970 0a0b'.replace(/ /g, '')));
    expect(b.map((x) => [x.type, x.offset, x.size, x.body.length])).toEqual([['free', 0, 12, 4], ['mdat', 12, 17, 1], ['skip', 29, 10, 2]]);
  });

  it.each([
    ['a header cut short', '000000'],
    ['a box longer than the input', '00000010 66726565 00'],
    ['a size smaller than its header', '00000004 66726565'],
    ['a largesize cut short', '00000001 6d646174 0000'],
  ])('refuses %s', (_name, h) => {
    expect(() => readBoxes(hex(h.replace(/ /g, '')))).toThrow(ProtocolError);
  });

  it('stops at MAX_BOXES_PER_LEVEL boxes', () => {
    const many = new Uint8Array((MAX_BOXES_PER_LEVEL + 1) * 8);
    for (let i = 0; i < many.length; i += 8) many.set([0, 0, 0, 8, 0x66, 0x72, 0x65, 0x65], i);
    expect(() => readBoxes(many)).toThrow(/more than/);
  });
});

describe('inspectMp4', () => {
  it('reads back the tables it is given', () => {
    const info = inspectMp4(file);
    expect(info.tracks.map((t) => [t.entry, t.samples.length, t.samples.filter((s) => s.keyframe).length])).toEqual([
      ['avc1', 30, 3],
      ['mp4a', 40, 40],
    ]);
  });

  it('names what is missing in a file without moov', () => {
    expect(() => inspectMp4(file.subarray(0, readBoxes(file)[2]!.offset))).toThrow(/no moov/);
  });

  fcTest.prop([fc.uint8Array({ maxLength: 4096 })])('never crashes on garbage', (b) => {
    try {
      inspectMp4(b);
    } catch (e) {
      expect(e).toBeInstanceOf(ProtocolError);
    }
  });

  fcTest.prop([fc.array(fc.tuple(fc.nat(), fc.integer({ min: 0, max: 255 })), { minLength: 1, maxLength: 8 })])(
    'never crashes on a valid file with bytes of its moov changed',
    (edits) => {
      const moovAt = file.length - (file.length - readBoxes(file)[2]!.offset);
      const b = file.slice();
      for (const [at, v] of edits) b[moovAt + (at % (b.length - moovAt))] = v;
      try {
        inspectMp4(b);
      } catch (e) {
        expect(e).toBeInstanceOf(ProtocolError);
      }
    },
  );
});
