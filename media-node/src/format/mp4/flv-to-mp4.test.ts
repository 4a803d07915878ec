import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { packets, probe } from '../../../test/support/ffmpeg.ts';
import { encodeHevcConfig } from '../../codec/hevc/hevc-config.ts';
import { HEVC_NALU, hevcNaluType, isHevcIrap } from '../../codec/hevc/nalu-type.ts';
import { decodeHevcSps } from '../../codec/hevc/sps.ts';
import { splitAnnexB } from '../../codec/nalu/annexb.ts';
import { joinAvcc } from '../../codec/nalu/avcc.ts';
import { FlvDemuxer } from '../flv/flv-demuxer.ts';
import { exCodedFramesBody, exSequenceStartBody } from '../flv/video-data.ts';
import { TsDemuxer } from '../mpegts/ts-demuxer.ts';
import { tag } from '../remux/synthetic-stream.ts';
import { FlvToMp4, type FlvToMp4Result } from './flv-to-mp4.ts';
import { inspectMp4 } from './inspect-mp4.ts';
import { assembleMp4 } from './test-kit.ts';

interface Tag {
  readonly kind: 'audio' | 'video';
  readonly t: number;
  readonly body: Uint8Array;
}

const dir = mkdtempSync(join(tmpdir(), 'runnel-mp4-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function mux(tags: readonly Tag[]): { bytes: Uint8Array; results: FlvToMp4Result[] } {
  const m = new FlvToMp4({ creationTimeMs: Date.UTC(2026, 0, 1) });
  const parts = [m.header()];
  const results = tags.map((x) => m.push(x.kind, x.t, x.body));
  for (const r of results) if (r.kind === 'sample') parts.push(...r.parts);
  return { bytes: assembleMp4(parts, m.finish()), results };
}

function save(name: string, bytes: Uint8Array): string {
  const file = join(dir, name);
  writeFileSync(file, bytes);
  return file;
}

function decodeErrors(file: string): string {
  const run = spawnSync('ffmpeg', ['-v', 'error', '-i', file, '-f', 'null', '-'], { encoding: 'utf8', timeout: 30_000 });
  if (run.error) throw new Error(`ffmpeg could not run (${run.error.message}): these tests need FFmpeg on PATH`);
  return run.stderr;
}

/** format/flv/testdata: 1 s of H.264 (B-frames, 10 fps) + AAC from FFmpeg's FLV muxer, and ffprobe's packets of it. */
const flvTags: Tag[] = new FlvDemuxer()
  .push(new Uint8Array(readFileSync(new URL('../flv/testdata/h264-aac.flv', import.meta.url))))
  .filter((x) => x.type !== 18)
  .map((x) => ({ kind: x.type === 9 ? 'video' : 'audio', t: x.timestamp, body: x.body }));
const flvOracle = JSON.parse(readFileSync(new URL('../flv/testdata/h264-aac.ffprobe.json', import.meta.url), 'utf8')) as {
  type: string; pts: number; dts: number; size: number; key: boolean;
}[];

/**
 * format/mpegts/testdata/hevc-opus.m2t (x265, 10 fps, keyframe every 5) as
 * enhanced-RTMP tags: hvcC built from the first access unit's VPS/SPS/PPS,
 * frames as 4-byte length-prefixed NAL units without parameter sets or AUDs.
 */
function hevcTags(): Tag[] {
  const ts = new TsDemuxer();
  const bytes = new Uint8Array(readFileSync(new URL('../mpegts/testdata/hevc-opus.m2t', import.meta.url)));
  const pes = [...ts.push(bytes), ...ts.flush()].flatMap((e) => (e.kind === 'pes' && e.pes.codec === 'hevc' ? [e.pes] : []));
  const out: Tag[] = [];
  const firstDts = pes[0]!.dts ?? pes[0]!.pts!;
  for (const p of pes) {
    const nals = splitAnnexB(p.data);
    if (out.length === 0) {
      const find = (type: number) => nals.filter((n) => hevcNaluType(n) === type);
      const sps = decodeHevcSps(find(HEVC_NALU.SPS)[0]!);
      const hvcC = encodeHevcConfig({
        profileSpace: sps.profileSpace, tier: sps.tier, profileIdc: sps.profileIdc, compatibility: sps.compatibility,
        constraints: 0, levelIdc: sps.levelIdc, minSpatialSegmentation: 0, parallelismType: 0, chromaFormat: sps.chromaFormatIdc,
        bitDepthLuma: sps.bitDepthLuma, bitDepthChroma: sps.bitDepthChroma, avgFrameRate: 0, constantFrameRate: 0,
        numTemporalLayers: 1, temporalIdNested: true, lengthSize: 4,
        arrays: [HEVC_NALU.VPS, HEVC_NALU.SPS, HEVC_NALU.PPS].map((type) => ({ complete: true, type, nalus: find(type) })),
      });
      out.push({ kind: 'video', t: 0, body: exSequenceStartBody('hevc', hvcC) });
    }
    const frame = nals.filter((n) => hevcNaluType(n) < HEVC_NALU.VPS || hevcNaluType(n) > HEVC_NALU.AUD);
    const key = frame.some((n) => isHevcIrap(hevcNaluType(n)));
    const dts = Math.round(((p.dts ?? p.pts!) - firstDts) / 90);
    const cto = Math.round((p.pts! - (p.dts ?? p.pts!)) / 90);
    out.push({ kind: 'video', t: dts, body: exCodedFramesBody('hevc', joinAvcc(frame, 4), key, cto) });
  }
  return out;
}

describe('FlvToMp4 with real streams, read by FFmpeg', () => {
  it('H.264 + AAC: every packet with the FLV timing, sizes and key flags, decodable without errors', async () => {
    const { bytes } = mux(flvTags);
    const file = save('h264-aac.mp4', bytes);
    const got = [...(await packets(file, 'v')), ...(await packets(file, 'a'))];
    const ms = (s: string | undefined) => Math.round(Number(s) * 1000);
    const mine = got.map((p) => `${p.codec_type} ${ms(p.pts_time)} ${ms(p.dts_time)} ${p.flags[0] === 'K'}`).sort();
    const oracle = flvOracle.map((p) => `${p.type} ${p.pts} ${p.dts} ${p.key}`).sort();
    expect(mine).toEqual(oracle);
    const info = inspectMp4(bytes);
    expect(info.tracks.map((t) => t.samples.map((s) => s.size))).toEqual([
      flvOracle.filter((p) => p.type === 'video').map((p) => p.size),
      flvOracle.filter((p) => p.type === 'audio').map((p) => p.size),
    ]);
    const p = await probe(file, ['-count_frames', '-show_format']);
    expect(p.streams.map((s) => [s.codec_name, s.nb_read_frames])).toEqual([['h264', '10'], ['aac', '45']]);
    // the file's timeline is the FLV's: audio from 177 ms for 45 x 1024 samples at 44.1 kHz (the last one lasts one step)
    const last = flvOracle.filter((x) => x.type === 'audio').at(-1)!.dts;
    expect(Number((p as unknown as { format: { duration: string } }).format.duration)).toBeCloseTo((last + 23) / 1000, 3);
    expect(decodeErrors(file)).toBe('');
  });

  it('HEVC as hvc1: FFmpeg decodes every frame and reports the size from hvcC', async () => {
    const tags = hevcTags();
    const { bytes } = mux(tags);
    const file = save('hevc.mp4', bytes);
    const p = await probe(file, ['-count_frames']);
    expect(p.streams).toHaveLength(1);
    expect(p.streams[0]).toMatchObject({ codec_name: 'hevc', width: 128, height: 96, nb_read_frames: String(tags.length - 1) });
    expect(inspectMp4(bytes).tracks[0]!.entry).toBe('hvc1');
    const keys = (await packets(file)).filter((x) => x.flags.startsWith('K')).length;
    expect(keys).toBe(tags.filter((x) => x.body[0]! >> 4 === 0x9 && (x.body[0]! & 0x0f) !== 0).length); // key CodedFrames(X)
    expect(decodeErrors(file)).toBe('');
  });
});

describe('FlvToMp4 rules for bad input', () => {
  const vsh = { kind: 'video', t: 0, body: tag.avcSequenceHeader() } as const;
  const ash = { kind: 'audio', t: 0, body: tag.aacSequenceHeader() } as const;
  const frame = (t: number, key: boolean): Tag => ({ kind: 'video', t, body: tag.avcFrame(key) });
  const kinds = (rs: readonly FlvToMp4Result[]) => rs.map((r) => (r.kind === 'drop' ? r.reason : r.kind));

  it('starts video at a keyframe and drops frames before any sequence header', () => {
    const { results, bytes } = mux([frame(0, true), vsh, frame(40, false), frame(80, true), frame(120, false)]);
    expect(kinds(results)).toEqual(['no_sequence_header', 'skip', 'wait_keyframe', 'sample', 'sample']);
    expect(inspectMp4(bytes).tracks[0]!.samples.map((s) => s.keyframe)).toEqual([true, false]);
  });

  it('ignores a resent identical header; asks for a new file when a header changes after samples', () => {
    const m = new FlvToMp4();
    m.header();
    expect(m.push('video', 0, tag.avcSequenceHeader()).kind).toBe('skip');
    expect(m.push('video', 0, tag.hevcSequenceHeader()).kind).toBe('skip'); // no samples yet: replaced
    expect(m.push('video', 0, tag.hevcFrame(true)).kind).toBe('sample');
    expect(m.push('video', 40, tag.hevcSequenceHeader()).kind).toBe('skip');
    expect(m.push('video', 40, tag.avcSequenceHeader())).toEqual({ kind: 'restart', reason: 'codec_changed' });
    expect(m.push('audio', 40, tag.aacSequenceHeader(44100)).kind).toBe('skip');
    expect(m.push('audio', 40, tag.aacFrame()).kind).toBe('sample');
    expect(m.push('audio', 63, tag.aacSequenceHeader(48000))).toEqual({ kind: 'restart', reason: 'codec_changed' });
  });

  it('holds decode times that go back and keeps the file readable', () => {
    const { bytes } = mux([vsh, ash, frame(0, true), { kind: 'audio', t: 50, body: tag.aacFrame() }, frame(40, false), frame(20, false), { kind: 'audio', t: 30, body: tag.aacFrame() }]);
    expect(inspectMp4(bytes).tracks.map((t) => t.samples.map((s) => s.dts))).toEqual([[0, 40, 40], [0, 0]]);
  });

  it('drops codecs it does not write to MP4 and broken sequence headers', () => {
    const { results } = mux([
      { kind: 'audio', t: 0, body: tag.opusSequenceHeader() },
      { kind: 'audio', t: 0, body: tag.mp3Frame() },
      { kind: 'video', t: 0, body: Uint8Array.of(0x17, 0, 0, 0, 0) }, // AVC sequence header without a record
      { kind: 'video', t: 0, body: Uint8Array.of(0x17) },
      { kind: 'audio', t: 0, body: Uint8Array.of(0xaf, 0, 0x10) }, // a 1-byte AudioSpecificConfig
    ]);
    expect(kinds(results)).toEqual(['unsupported_codec', 'unsupported_codec', 'bad_sequence_header', 'bad_frame', 'bad_sequence_header']);
  });

  it('reports full at the sample cap and drops what comes after', () => {
    const m = new FlvToMp4({ maxSamples: 2 });
    m.header();
    m.push('video', 0, tag.avcSequenceHeader());
    m.push('video', 0, tag.avcFrame(true));
    expect(m.full).toBe(false);
    m.push('video', 40, tag.avcFrame(false));
    expect(m.full).toBe(true);
    expect(m.push('video', 80, tag.avcFrame(false))).toEqual({ kind: 'drop', reason: 'file_full' });
  });
});
