import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { test as fcTest, fc } from '@fast-check/vitest';
import { hex } from '@runnel/shared';
import { probe } from '../../../test/support/ffmpeg.ts';
import { aacSequenceHeaderBody, decodeAudioData } from '../flv/audio-data.ts';
import { FlvDemuxer } from '../flv/flv-demuxer.ts';
import { avcSequenceHeaderBody, decodeVideoData, exSequenceStartBody } from '../flv/video-data.ts';
import { PID_AUDIO, PID_VIDEO } from '../mpegts/constants.ts';
import { unwrap33 } from '../mpegts/timestamp.ts';
import { FlvToTs, type TsChunk } from './flv-to-ts.ts';
import { inspectTs } from './inspect-ts.ts';
import { syntheticStream, tag, type SyntheticTag } from './synthetic-stream.ts';

const tmp = mkdtempSync(join(tmpdir(), 'runnel-remux-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

function concat(chunks: readonly Uint8Array[]): Uint8Array {
  return new Uint8Array(Buffer.concat(chunks));
}

/** Pushes every tag; returns the chunks that came out. */
function remuxAll(tags: readonly SyntheticTag[], ts = new FlvToTs()): { ts: FlvToTs; chunks: TsChunk[]; bytes: Uint8Array } {
  const chunks: TsChunk[] = [];
  for (const t of tags) {
    const c = ts.remux(t.kind, t.timestamp, t.payload);
    if (c) chunks.push(c);
  }
  return { ts, chunks, bytes: concat(chunks.flatMap((c) => c.parts)) };
}

const frames = (tags: readonly SyntheticTag[], kind: 'audio' | 'video') =>
  tags.filter((t) => t.kind === kind && !isHeader(t));
const isHeader = (t: SyntheticTag) =>
  (t.kind === 'video' ? decodeVideoData(t.payload) : decodeAudioData(t.payload)).packetType === 'sequence-header';

const clean = { continuityErrors: 0, resyncs: 0, badPackets: 0, badSections: 0, droppedPes: 0, skippedBytes: 0 };

describe('FlvToTs programs', () => {
  const layouts = [
    { name: 'H.264 + AAC', video: 'h264', audio: 'aac', types: [0x1b, 0x0f], pcrPid: PID_VIDEO },
    // MP3 has no sequence header: its track joins the program with its first frame, after the first video frame.
    { name: 'HEVC + MP3', video: 'hevc', audio: 'mp3', types: [0x24, 0x03], pcrPid: PID_VIDEO, pmts: 2 },
    { name: 'HEVC + Opus', video: 'hevc', audio: 'opus', types: [0x24, 0x06], pcrPid: PID_VIDEO },
    { name: 'H.264 video only', video: 'h264', audio: null, types: [0x1b], pcrPid: PID_VIDEO },
    { name: 'AAC audio only', video: null, audio: 'aac', types: [0x0f], pcrPid: PID_AUDIO },
    { name: 'MP3 audio only', video: null, audio: 'mp3', types: [0x03], pcrPid: PID_AUDIO },
  ] as const;

  it.each(layouts)('remuxes $name: one PES per frame, 90 kHz timestamps, tables before keyframes', (l) => {
    const tags = syntheticStream({ durationMs: 3000, video: l.video, audio: l.audio, gopMs: 1000 });
    const { bytes, ts } = remuxAll(tags);
    const r = inspectTs(bytes);
    expect(r.stats).toMatchObject(clean);
    expect(r.wholePackets).toBe(true);
    expect(r.startsWithTables).toBe(true);
    expect(r.pmts).toHaveLength('pmts' in l ? l.pmts : 1);
    expect(r.pmts.at(-1)!.streams.map((s) => s.streamType)).toEqual(l.types);
    expect(r.pmts.at(-1)!.pcrPid).toBe(l.pcrPid);
    const v = frames(tags, 'video');
    const a = frames(tags, 'audio');
    expect(r.video.map((p) => p.dts ?? p.pts)).toEqual(v.map((t) => t.timestamp * 90));
    expect(r.audio.map((p) => p.pts)).toEqual(a.map((t) => t.timestamp * 90));
    expect(r.keyframes).toBe(l.video ? 3 : 0);
    expect(r.keyframesAfterTables).toBe(r.keyframes);
    expect(ts.stats).toMatchObject({ videoFrames: v.length, audioFrames: a.length, dropped: 0 });
  });

  it('writes Annex B with the AUD first and SPS/PPS before IDR only', () => {
    const { bytes } = remuxAll(syntheticStream({ durationMs: 200, audio: null }));
    const [key, inter] = inspectTs(bytes).video;
    const nalTypes = (es: Uint8Array) => [...es.keys()].filter((i) => i >= 3 && es[i - 1] === 1 && es[i - 2] === 0 && es[i - 3] === 0).map((i) => es[i]! & 0x1f);
    expect(nalTypes(key!.data)).toEqual([9, 7, 8, 5]);
    expect(nalTypes(inter!.data)).toEqual([9, 1]);
    expect(key!.randomAccess).toBe(true);
    expect(inter!.randomAccess).toBe(false);
  });

  it('turns raw AAC into ADTS frames that carry the AudioSpecificConfig', () => {
    const { bytes } = remuxAll([{ kind: 'audio', timestamp: 0, payload: tag.aacSequenceHeader(48000, 1) }, { kind: 'audio', timestamp: 0, payload: tag.aacFrame(24) }]);
    const es = inspectTs(bytes).audio[0]!.data;
    // ISO/IEC 14496-3 1.A.2.2.1: FFF1, LC (profile 1), index 3 (48 kHz), 1 channel, frame length 31
    expect(es.length).toBe(31);
    expect([...es.subarray(0, 4)]).toEqual([0xff, 0xf1, (1 << 6) | (3 << 2), (1 << 6)]);
  });

  it('sets PTS = DTS + CompositionTime and raises a negative one to 0', () => {
    const ts = new FlvToTs();
    ts.push('video', 0, tag.avcSequenceHeader());
    const b = ts.remux('video', 1000, tag.avcFrame(true, 64, 80))!;
    expect([b.dts, b.pts]).toEqual([90_000, 97_200]);
    const c = ts.remux('video', 1040, tag.avcFrame(false, 64, -40))!;
    expect(c.pts).toBe(c.dts);
    expect(ts.stats.clampedCompositionTimes).toBe(1);
  });

  it('keeps timestamps continuous across the 2^32 ms wrap', () => {
    const { bytes } = remuxAll(syntheticStream({ durationMs: 4000, startTs: 2 ** 32 - 2000 }));
    const dts = inspectTs(bytes).video.map((p) => p.dts ?? p.pts!);
    let last = dts[0]!;
    const unwrapped = dts.map((d) => (last = unwrap33(last, d)));
    for (let i = 1; i < unwrapped.length; i++) expect(unwrapped[i]! - unwrapped[i - 1]!).toBe(40 * 90);
  });
});

describe('FlvToTs program changes', () => {
  it('switches H.264 -> HEVC with a new PMT version and continuous counters', () => {
    const h264 = syntheticStream({ durationMs: 1000 });
    const hevc = syntheticStream({ durationMs: 1000, video: 'hevc', startTs: 1000 }).filter((t) => !(t.kind === 'audio' && isHeader(t)));
    const { bytes, chunks } = remuxAll([...h264, ...hevc]);
    const r = inspectTs(bytes);
    expect(r.stats).toMatchObject(clean);
    expect(r.pmts.map((p) => [p.version, p.streams.map((s) => s.streamType)])).toEqual([[0, [0x1b, 0x0f]], [1, [0x24, 0x0f]]]);
    expect(r.video.filter((p) => p.codec === 'h264')).toHaveLength(frames(h264, 'video').length);
    expect(r.video.filter((p) => p.codec === 'hevc')).toHaveLength(frames(hevc, 'video').length);
    expect(chunks.filter((c) => c.tablesChanged).map((c) => [c.kind, c.codecChanged])).toEqual([['video', false], ['video', true]]);
  });

  it('reports a program change on the next chunk even when tables() for a joiner built it first', () => {
    const { ts } = remuxAll(syntheticStream({ durationMs: 200 }));
    ts.push('video', 200, tag.hevcSequenceHeader());
    expect(inspectTs(ts.tables()).pmts[0]!.streams[0]!.streamType).toBe(0x24);
    const c = ts.remux('video', 200, tag.hevcFrame(true))!;
    expect([c.tablesChanged, c.codecChanged, c.withTables]).toEqual([true, true, true]);
  });

  it('adds video that appears after audio: the PCR moves to the video PID', () => {
    const audioOnly = syntheticStream({ durationMs: 500, video: null });
    const av = syntheticStream({ durationMs: 500, startTs: 500 }).filter((t) => !(t.kind === 'audio' && isHeader(t)));
    const { bytes, chunks } = remuxAll([...audioOnly, ...av]);
    const r = inspectTs(bytes);
    expect(r.stats).toMatchObject(clean);
    expect(chunks.filter((c) => c.tablesChanged).map((c) => c.codecChanged)).toEqual([false, false]);
    expect(r.pmts.map((p) => [p.pcrPid, p.streams.map((s) => s.streamType)])).toEqual([[PID_AUDIO, [0x0f]], [PID_VIDEO, [0x1b, 0x0f]]]);
  });

  it('reset() forgets the configurations: frames wait for new sequence headers', () => {
    const { ts } = remuxAll(syntheticStream({ durationMs: 200 }));
    ts.reset();
    expect(ts.push('video', 300, tag.avcFrame(true))).toBeNull();
    expect(ts.stats.dropReasons).toEqual({ ts_no_video_config: 1 });
    expect(ts.tables()).toHaveLength(0);
  });
});

describe('FlvToTs tables for joiners and segments', () => {
  it('tables() repeats the last counters, so neither the joiner nor the running readers see a gap', () => {
    const tags = syntheticStream({ durationMs: 2000, gopMs: 1000 });
    const ts = new FlvToTs();
    const before = remuxAll(tags.slice(0, 40), ts).bytes;
    const join = ts.tables();
    const after = remuxAll(tags.slice(40), ts).bytes;
    expect(inspectTs(concat([before, after])).stats).toMatchObject(clean);
    const joined = inspectTs(concat([join, after]));
    expect(joined.stats).toMatchObject(clean);
    expect(joined.startsWithTables).toBe(true);
    expect(joined.pmts).toHaveLength(1);
  });

  it('writeTables() and requestTables() put tables into the stream for a segment starting on audio', () => {
    const ts = new FlvToTs();
    const { bytes: first } = remuxAll(syntheticStream({ durationMs: 200, video: null }), ts);
    const tables = ts.writeTables();
    ts.requestTables();
    const next = ts.remux('audio', 300, tag.aacFrame())!;
    const last = ts.remux('audio', 323, tag.aacFrame())!;
    expect([next.withTables, last.withTables]).toEqual([true, false]);
    expect(inspectTs(concat([first, tables, ...next.parts, ...last.parts])).stats).toMatchObject(clean);
    expect(inspectTs(tables).startsWithTables).toBe(true);
    expect(new FlvToTs().writeTables()).toHaveLength(0);
  });
});

describe('FlvToTs on a real FLV (FFmpeg 5.1, testdata of format/flv)', () => {
  const flv = new Uint8Array(readFileSync(new URL('../flv/testdata/h264-aac.flv', import.meta.url)));
  const tags = new FlvDemuxer().push(flv);
  const ts = new FlvToTs();
  const out = tags.flatMap((t) => {
    const b = ts.push(t.type === 9 ? 'video' : t.type === 8 ? 'audio' : 'data', t.timestamp, t.body);
    return b ? [b] : [];
  });
  const file = join(tmp, 'real.ts');
  writeFileSync(file, concat(out));
  const input = (kind: 8 | 9) => tags.filter((t) => t.type === kind && t.body[1] === 1);

  it('is read back by our demuxer with every frame and no errors', () => {
    const r = inspectTs(concat(out));
    expect(r.stats).toMatchObject(clean);
    expect(r.video).toHaveLength(input(9).length);
    expect(r.audio).toHaveLength(input(8).length);
    expect(ts.stats.dropped).toBe(0);
  });

  it('is read by ffprobe as H.264 + AAC with the same timestamps and monotonic DTS', async () => {
    const p = await probe(file, ['-show_packets']);
    expect(p.streams.map((s) => s.codec_name)).toEqual(['h264', 'aac']);
    for (const [kind, type] of [['video', 9], ['audio', 8]] as const) {
      const got = p.packets!.filter((x) => x.codec_type === kind);
      const want = input(type).map((t) => t.timestamp);
      expect(got.map((x) => Math.round(Number(x.dts_time) * 1000))).toEqual(want);
      const dts = got.map((x) => Number(x.dts_time));
      expect(dts.every((d, i) => i === 0 || d > dts[i - 1]!)).toBe(true);
    }
    const keys = p.packets!.filter((x) => x.codec_type === 'video' && x.flags.startsWith('K')).length;
    expect(keys).toBe(input(9).filter((t) => t.body[0]! >> 4 === 1).length);
  });

  it('decodes in FFmpeg without a single error', () => {
    const r = spawnSync('ffmpeg', ['-v', 'error', '-i', file, '-f', 'null', '-'], { encoding: 'utf8', timeout: 20_000 });
    if (r.error) throw new Error(`ffmpeg could not run (${r.error.message}): these tests need FFmpeg on PATH`);
    expect(r.status).toBe(0);
    expect(r.stderr).toBe('');
  });
});

describe('FlvToTs bad input (bad-inputs rows 36, 37, 40)', () => {
  const avcC = tag.avcSequenceHeader().subarray(5); // after the 5-byte legacy VIDEODATA header
  const cases = [
    { name: 'AVC sequence header truncated', kind: 'video', payload: avcSequenceHeaderBody(avcC.subarray(0, 12)), breaks: 'video' },
    { name: 'numOfSPS 31 with 0 bytes', kind: 'video', payload: avcSequenceHeaderBody(hex('0164000dffff')), breaks: 'video' },
    { name: 'empty SPS and PPS', kind: 'video', payload: avcSequenceHeaderBody(hex('0164000dffe10000010000')), breaks: 'video' },
    { name: 'NALU length beyond the frame', kind: 'video', payload: tag.avcRaw(true, hex('00000010 6588')), breaks: null },
    { name: 'NALU length 0', kind: 'video', payload: tag.avcRaw(true, hex('00000000')), breaks: null },
    { name: 'NALU length 0xFFFFFFFF', kind: 'video', payload: tag.avcRaw(true, hex('ffffffff 6588')), breaks: null },
    { name: 'frame without NAL units', kind: 'video', payload: tag.avcRaw(false, new Uint8Array(0)), breaks: null },
    { name: 'VIDEODATA cut after its first byte', kind: 'video', payload: hex('17'), breaks: null },
    { name: 'AV1 (no TS mapping here)', kind: 'video', payload: exSequenceStartBody('av1', hex('81000c00')), breaks: null },
    { name: 'ASC index 15 without its rate', kind: 'audio', payload: aacSequenceHeaderBody(hex('1780')), breaks: 'audio' },
    { name: 'ASC channel configuration 0', kind: 'audio', payload: aacSequenceHeaderBody(hex('1200')), breaks: 'audio' },
    { name: '1-byte ASC', kind: 'audio', payload: aacSequenceHeaderBody(hex('12')), breaks: 'audio' },
    { name: 'AAC frame with no data', kind: 'audio', payload: hex('af01'), breaks: null },
    { name: 'Nellymoser audio', kind: 'audio', payload: hex('6a0102'), breaks: null },
  ] as const;

  it.each(cases)('drops $name, counts it, and keeps the other track (and the stream) going', (c) => {
    const ts = new FlvToTs();
    const good = remuxAll(syntheticStream({ durationMs: 100 }), ts).bytes;
    expect(ts.push(c.kind, 100, c.payload)).toBeNull();
    expect(ts.stats.dropped).toBe(1);
    expect(Object.keys(ts.stats.dropReasons)).toHaveLength(1);
    const v = ts.push('video', 120, tag.avcFrame(false));
    const a = ts.push('audio', 121, tag.aacFrame());
    expect(v === null).toBe(c.breaks === 'video');
    expect(a === null).toBe(c.breaks === 'audio');
    const r = inspectTs(concat([good, ...[v, a].filter((x) => x !== null)]));
    expect(r.stats).toMatchObject(clean);
  });

  const frameBody = fc.oneof(
    fc.uint8Array({ maxLength: 64 }),
    fc.tuple(fc.constantFrom(tag.avcFrame(true), tag.avcFrame(false), tag.aacFrame(), tag.hevcFrame(true), tag.opusFrame(), tag.mp3Frame()), fc.nat(), fc.nat(255))
      .map(([b, i, x]) => {
        const m = b.slice();
        m[i % m.length] = x;
        return m;
      }),
  );
  fcTest.prop([fc.array(fc.tuple(fc.constantFrom('audio', 'video', 'data') as fc.Arbitrary<'audio' | 'video' | 'data'>, fc.nat(2 ** 32 - 1), frameBody), { maxLength: 40 })])(
    'never throws, and what it writes is a clean transport stream',
    (msgs) => {
      const ts = new FlvToTs();
      const out: Uint8Array[] = [];
      for (const t of [...syntheticStream({ durationMs: 50 }), ...msgs.map(([kind, timestamp, payload]) => ({ kind, timestamp, payload }))]) {
        const b = ts.push(t.kind, t.timestamp, t.payload);
        if (b) out.push(b);
      }
      const r = inspectTs(concat(out));
      expect(r.wholePackets).toBe(true);
      expect(r.stats).toMatchObject({ continuityErrors: 0, resyncs: 0, badPackets: 0, badSections: 0 });
    },
  );
});
