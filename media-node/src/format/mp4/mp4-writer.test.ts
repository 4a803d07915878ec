import { test as fcTest, fc } from '@fast-check/vitest';
import { ProtocolError, hex, toHex } from '@runnel/shared';
import { describe, expect, it } from 'vitest';
import { encodeAsc, makeAsc } from '../../codec/aac/audio-specific-config.ts';
import { HEVC_SAMPLES } from '../../codec/testdata/hevc-samples.ts';
import { AVC_SAMPLES } from '../../codec/testdata/h264-samples.ts';
import { readBoxes } from './box-reader.ts';
import { inspectMp4 } from './inspect-mp4.ts';
import { MDAT_HEADER_BYTES, Mp4Writer, type Mp4Sample } from './mp4-writer.ts';
import type { Mp4AudioEntry, Mp4SampleEntry, Mp4VideoEntry } from './sample-entry.ts';
import { assembleMp4, boxTree } from './test-kit.ts';

const avc: Mp4VideoEntry = { kind: 'video', codec: 'h264', config: hex(AVC_SAMPLES[0]!.avcC), width: 320, height: 240 };
const hevc: Mp4VideoEntry = { kind: 'video', codec: 'hevc', config: hex(HEVC_SAMPLES[0]!.hvcC), width: 1280, height: 720 };
const aac: Mp4AudioEntry = { kind: 'audio', codec: 'aac', config: encodeAsc(makeAsc(2, 44100, 2)), sampleRate: 44100, channels: 2 };

interface Input {
  readonly track: number;
  readonly sample: Mp4Sample;
}

/** Writes a file whose sample bytes are filler of each sample's size and index. */
function write(entries: readonly Mp4SampleEntry[], input: readonly Input[], endMs?: number, creationTimeMs = 0) {
  const w = new Mp4Writer({ creationTimeMs });
  const parts = [w.header()];
  const ids = entries.map((e) => w.addTrack(e));
  const offsets: number[] = [];
  input.forEach((s, i) => {
    offsets.push(w.addSample(ids[s.track]!, s.sample));
    parts.push(new Uint8Array(s.sample.size).fill(i & 0xff));
  });
  const ending = w.finish(endMs);
  return { bytes: assembleMp4(parts, ending), ending, offsets };
}

const video = (dts: number, keyframe: boolean, cto = 0, size = 100): Input => ({ track: 0, sample: { dts, cto, size, keyframe } });
const audio = (dts: number, size = 20): Input => ({ track: 1, sample: { dts, cto: 0, size, keyframe: false } });

describe('Mp4Writer layout (ISO/IEC 14496-12)', () => {
  it('starts with ftyp and a 64-bit mdat placeholder (golden bytes)', () => {
    const head = new Mp4Writer().header();
    expect(toHex(head)).toBe(
      '0000001c6674797069736f6d0000020069736f6d69736f326d703431' + // ftyp isom 512 [isom iso2 mp41]
        '000000016d6461740000000000000010', // size 1, 'mdat', largesize 16
    );
    expect(head.length).toBe(28 + MDAT_HEADER_BYTES);
  });

  it('writes ftyp, mdat, moov with one trak per track in 14496-12 order', () => {
    const { bytes } = write([avc, aac], [video(0, true, 80), audio(0), video(40, false), audio(23)]);
    const stbl = (entry: unknown, tables: string[]) => ['stsd', entry, ...tables];
    const trak = (media: string, entry: unknown, tables: string[], edts: boolean) => [
      'tkhd', ...(edts ? ['edts', ['elst']] : []), 'mdia',
      ['mdhd', 'hdlr', 'minf', [media, 'dinf', ['dref', ['url ']], 'stbl', stbl(entry, tables)]],
    ];
    expect(boxTree(bytes)).toEqual([
      'ftyp', 'mdat', 'moov', [
        'mvhd',
        'trak', trak('vmhd', ['avc1', ['avcC']], ['stts', 'ctts', 'stss', 'stsc', 'stsz', 'stco'], true),
        'trak', trak('smhd', ['mp4a', ['esds']], ['stts', 'stsc', 'stsz', 'stco'], false),
      ],
    ]);
  });

  it('names HEVC hvc1 + hvcC and carries the records byte for byte', () => {
    const info = inspectMp4(write([hevc], [video(0, true)]).bytes);
    expect(info.tracks[0]).toMatchObject({ entry: 'hvc1', width: 1280, height: 720, handler: 'vide' });
    expect(toHex(info.tracks[0]!.config!)).toBe(HEVC_SAMPLES[0]!.hvcC);
    const withAudio = inspectMp4(write([avc, aac], [video(0, true), audio(0)]).bytes);
    expect(toHex(withAudio.tracks[0]!.config!)).toBe(AVC_SAMPLES[0]!.avcC);
    expect(withAudio.tracks[1]).toMatchObject({ entry: 'mp4a', channels: 2, sampleRate: 44100, handler: 'soun' });
    expect(toHex(withAudio.tracks[1]!.config!)).toBe(toHex(aac.config));
  });

  it('patches the mdat size over the placeholder and appends the moov', () => {
    const { bytes, ending } = write([avc], [video(0, true, 0, 1000), video(40, false, 0, 500)]);
    expect(ending.mdatHeaderOffset).toBe(28);
    expect(toHex(bytes.subarray(28, 44))).toBe('000000016d64617400000000000005ec'); // 16 + 1500
    expect(ending.fileBytes).toBe(bytes.length);
    expect(inspectMp4(bytes).layout).toEqual(['ftyp', 'mdat', 'moov']);
  });

  it('gives creation_time in seconds since 1904 and durations in ms', () => {
    const t = Date.UTC(2026, 10, 23, 12, 0, 0);
    const { bytes } = write([avc], [video(0, true), video(40, false)], undefined, t);
    const info = inspectMp4(bytes);
    expect(info.timescale).toBe(1000);
    expect(info.duration).toBe(80);
    const mvhd = readBoxes(readBoxes(bytes).find((b) => b.type === 'moov')!.body)[0]!;
    expect(mvhd.type).toBe('mvhd');
    expect(new DataView(mvhd.body.buffer, mvhd.body.byteOffset).getUint32(4)).toBe(t / 1000 + 2_082_844_800);
  });
});

describe('Mp4Writer timing', () => {
  it('starts a late track with an empty edit and skips the first composition offset', () => {
    // video from 0 with a 2-frame reorder delay (80 ms), audio from 100 ms
    const input = [video(0, true, 80), video(40, false, 0), audio(100), video(80, false, 40), audio(123)];
    const info = inspectMp4(write([avc, aac], input).bytes);
    const [v, a] = info.tracks;
    expect(v!.edits).toEqual([{ segmentDuration: 80, mediaTime: -1 }, { segmentDuration: 120, mediaTime: 80 }]);
    expect(a!.edits).toEqual([{ segmentDuration: 100, mediaTime: -1 }, { segmentDuration: 46, mediaTime: 0 }]);
    expect(v!.duration).toBe(200);
    expect(a!.duration).toBe(146);
    expect(info.duration).toBe(200);
  });

  it('counts from the file start: tracks that both start late get empty edits of their own start', () => {
    const info = inspectMp4(write([avc, aac], [audio(300), video(500, true), audio(323)]).bytes);
    expect(info.tracks.map((t) => t.edits[0])).toEqual([{ segmentDuration: 500, mediaTime: -1 }, { segmentDuration: 300, mediaTime: -1 }]);
    expect(info.duration).toBe(540);
  });

  it('ends each track at endMs when that is within two frame steps, else one step on', () => {
    const input = [video(0, true), audio(0), video(40, false), audio(23), audio(46)];
    const cut = inspectMp4(write([avc, aac], input, 70).bytes);
    expect(cut.tracks.map((t) => t.mediaDuration)).toEqual([70, 70]);
    const far = inspectMp4(write([avc, aac], input, 500).bytes);
    expect(far.tracks.map((t) => t.mediaDuration)).toEqual([80, 69]);
    const lone = inspectMp4(write([avc, aac], [video(0, true), audio(0)]).bytes);
    expect(lone.tracks.map((t) => t.mediaDuration)).toEqual([40, 23]); // one 25 fps frame, 1024 samples at 44.1 kHz
  });
});

describe('Mp4Writer round trip through inspectMp4', () => {
  const sampleArb = fc.record({
    track: fc.integer({ min: 0, max: 1 }),
    step: fc.integer({ min: 0, max: 100 }),
    cto: fc.integer({ min: -50, max: 200 }),
    size: fc.integer({ min: 1, max: 300 }),
    keyframe: fc.boolean(),
  });

  fcTest.prop([fc.array(sampleArb, { minLength: 1, maxLength: 200 })])('every sample comes back where it was written', (raw) => {
    const t = [0, 0];
    const input: Input[] = raw.map((r, i) => {
      t[r.track]! += r.step;
      const first = !raw.slice(0, i).some((p) => p.track === r.track);
      const keyframe = r.track === 0 ? r.keyframe || first : false;
      return { track: r.track, sample: { dts: t[r.track]!, cto: r.track === 0 ? r.cto : 0, size: r.size, keyframe } };
    });
    const { bytes, offsets } = write([avc, aac], input);
    const info = inspectMp4(bytes);
    for (const [k, track] of [0, 1].entries()) {
      const mine = input.map((s, i) => ({ s, i })).filter((x) => x.s.track === track);
      const got = info.tracks.find((x) => x.handler === (k === 0 ? 'vide' : 'soun'));
      if (mine.length === 0) {
        expect(got).toBeUndefined();
        continue;
      }
      expect(got!.samples).toEqual(
        mine.map(({ s, i }) => ({
          offset: offsets[i], size: s.sample.size, dts: s.sample.dts - mine[0]!.s.sample.dts, cto: s.sample.cto,
          keyframe: track === 1 || s.sample.keyframe || mine.every((m) => m.s.sample.keyframe),
        })),
      );
      got!.samples.forEach((smp, j) => expect(bytes[smp.offset]).toBe(mine[j]!.i & 0xff));
    }
  });
});

describe('Mp4Writer limits and misuse', () => {
  it('reports full at maxSamples and refuses more', () => {
    const w = new Mp4Writer({ maxSamples: 2 });
    w.header();
    const v = w.addTrack(avc);
    w.addSample(v, { dts: 0, cto: 0, size: 1, keyframe: true });
    expect(w.full).toBe(false);
    w.addSample(v, { dts: 40, cto: 0, size: 1, keyframe: false });
    expect(w.full).toBe(true);
    expect(() => w.addSample(v, { dts: 80, cto: 0, size: 1, keyframe: false })).toThrow(ProtocolError);
  });

  it('refuses samples before header(), after finish(), and for unknown tracks', () => {
    const w = new Mp4Writer();
    const v = w.addTrack(avc);
    expect(() => w.addSample(v, { dts: 0, cto: 0, size: 1, keyframe: true })).toThrow(/outside/);
    w.header();
    expect(() => w.addSample(9, { dts: 0, cto: 0, size: 1, keyframe: true })).toThrow(/no track/);
    w.finish();
    expect(() => w.addSample(v, { dts: 0, cto: 0, size: 1, keyframe: true })).toThrow(ProtocolError);
    expect(() => w.finish()).toThrow(ProtocolError);
  });
});
