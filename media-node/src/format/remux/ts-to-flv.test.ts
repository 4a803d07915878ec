import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { test as fcTest, fc } from '@fast-check/vitest';
import { decodeAsc } from '../../codec/aac/audio-specific-config.ts';
import { describeAvc, describeHevc } from '../../codec/describe.ts';
import { decodeAvcConfig } from '../../codec/h264/avc-config.ts';
import { decodeHevcConfig } from '../../codec/hevc/hevc-config.ts';
import { decodeOpusHead } from '../../codec/opus/opus-head.ts';
import { decodeAudioData } from '../flv/audio-data.ts';
import { decodeVideoData, type VideoMedia } from '../flv/video-data.ts';
import { FlvToTs } from './flv-to-ts.ts';
import { syntheticStream } from './synthetic-stream.ts';
import { TsToFlv, type FlvMessage } from './ts-to-flv.ts';

const testdata = new URL('../mpegts/testdata/', import.meta.url);
const file = (name: string): Uint8Array => new Uint8Array(readFileSync(new URL(name, testdata)));
interface ProbePacket { type: 'video' | 'audio'; pts: number; dts: number; size: number; key: boolean }
const probed = (name: string): ProbePacket[] => JSON.parse(readFileSync(new URL(name, testdata), 'utf8')) as ProbePacket[];

function remuxAll(bytes: Uint8Array, chunk = bytes.length): { msgs: FlvMessage[]; remux: TsToFlv } {
  const remux = new TsToFlv();
  const msgs: FlvMessage[] = [];
  for (let i = 0; i < bytes.length; i += chunk) msgs.push(...remux.push(bytes.subarray(i, i + chunk)));
  msgs.push(...remux.flush());
  return { msgs, remux };
}

const video = (m: FlvMessage) => decodeVideoData(m.payload) as VideoMedia;
const isHeader = (m: FlvMessage) => (m.kind === 'video' ? video(m).packetType : decodeAudioData(m.payload).packetType) === 'sequence-header';

describe('TsToFlv on FFmpeg-muxed MPEG-TS (ffprobe as the oracle)', () => {
  const cases = [
    { ts: 'h264-aac.m2t', probe: 'h264-aac.ffprobe.json', video: 'h264', audio: 'aac' },
    { ts: 'hevc-opus.m2t', probe: 'hevc-opus.ffprobe.json', video: 'hevc', audio: 'opus' },
  ] as const;

  it.each(cases)('$ts: every packet ffprobe sees, in order, with its times and keyframes', (c) => {
    const { msgs, remux } = remuxAll(file(c.ts));
    const packets = probed(c.probe);
    const frames = msgs.filter((m) => !isHeader(m));
    for (const kind of ['video', 'audio'] as const) {
      const want = packets.filter((p) => p.type === kind);
      const got = frames.filter((m) => m.kind === kind);
      expect(got.length, kind).toBe(want.length);
      got.forEach((m, i) => {
        const p = want[i]!;
        expect(Math.abs(m.timestamp - p.dts / 90), `${kind} ${i} dts`).toBeLessThanOrEqual(1);
        if (kind === 'video') {
          expect(video(m).keyframe, `video ${i} key`).toBe(p.key);
          expect(Math.abs(m.timestamp + video(m).compositionTime - p.pts / 90), `video ${i} pts`).toBeLessThanOrEqual(1);
        }
      });
    }
    expect(remux.codecs).toEqual({ video: c.video, audio: c.audio });
    // One timeline for the hub: audio and video interleaved by time, never going back.
    for (let i = 1; i < msgs.length; i++) expect(msgs[i]!.timestamp, `message ${i}`).toBeGreaterThanOrEqual(msgs[i - 1]!.timestamp);
    expect(remux.stats).toMatchObject({ dropped: 0, waitingForConfig: 0, sequenceHeaders: 2 });
  });

  it('builds sequence headers players can decode: 128x96 H.264, 44.1 kHz AAC; 128x96 HEVC, mono Opus (from the PMT)', () => {
    const h264 = remuxAll(file('h264-aac.m2t')).msgs.filter(isHeader);
    const avc = describeAvc(decodeAvcConfig(video(h264.find((m) => m.kind === 'video')!).data));
    expect([avc.width, avc.height, avc.codec]).toEqual([128, 96, 'H264']);
    expect(decodeAsc(decodeAudioData(h264.find((m) => m.kind === 'audio')!.payload).data).sampleRate).toBe(44100);
    const hevc = remuxAll(file('hevc-opus.m2t')).msgs.filter(isHeader);
    const hvc = describeHevc(decodeHevcConfig(video(hevc.find((m) => m.kind === 'video')!).data));
    expect([hvc.width, hvc.height, hvc.codec]).toEqual([128, 96, 'HEVC']);
    expect(decodeOpusHead(decodeAudioData(hevc.find((m) => m.kind === 'audio')!.payload).data).channels).toBe(1);
  });

  fcTest.prop([fc.integer({ min: 1, max: 2000 })])('gives the same messages however the bytes are cut (SRT payloads are 1316)', (chunk) => {
    const whole = remuxAll(file('h264-aac.m2t')).msgs;
    const cut = remuxAll(file('h264-aac.m2t'), chunk).msgs;
    expect(cut.map((m) => [m.kind, m.timestamp, m.payload.length])).toEqual(whole.map((m) => [m.kind, m.timestamp, m.payload.length]));
  });
});

describe('TsToFlv inverts FlvToTs', () => {
  it.each([
    { video: 'h264', audio: 'aac' },
    { video: 'hevc', audio: 'opus' },
    { video: 'h264', audio: null },
    { video: null, audio: 'aac' },
  ] as const)('$video + $audio: the same frames with the same times come back', (layout) => {
    const tags = syntheticStream({ durationMs: 2500, gopMs: 1000, startTs: 5000, ...layout });
    const flvToTs = new FlvToTs();
    const chunks: Uint8Array[] = [];
    for (const t of tags) {
      const b = flvToTs.push(t.kind, t.timestamp, t.payload);
      if (b) chunks.push(b);
    }
    const { msgs } = remuxAll(new Uint8Array(Buffer.concat(chunks)));
    const strip = (list: readonly { kind: string; timestamp: number; payload: Uint8Array }[]) =>
      list.filter((m) => !isHeader(m as FlvMessage)).map((m) => ({ kind: m.kind, timestamp: m.timestamp, payload: Buffer.from(m.payload).toString('hex') }));
    // Video PES end when the next one starts, so audio may come earlier: compare each track in order.
    for (const kind of ['video', 'audio']) expect(strip(msgs).filter((m) => m.kind === kind)).toEqual(strip(tags).filter((m) => m.kind === kind));
    // The decoder configuration carries the same parameter sets.
    const vh = msgs.find((m) => m.kind === 'video' && isHeader(m));
    if (layout.video === 'h264') {
      const orig = decodeAvcConfig(video(tags[0]!).data);
      const back = decodeAvcConfig(video(vh!).data);
      expect([back.sps, back.pps, back.profile, back.level]).toEqual([orig.sps, orig.pps, orig.profile, orig.level]);
    }
    if (layout.video === 'hevc') expect(describeHevc(decodeHevcConfig(video(vh!).data))).toEqual(describeHevc(decodeHevcConfig(video(tags[0]!).data)));
  });
});

describe('TsToFlv on hostile input', () => {
  fcTest.prop([fc.uint8Array({ maxLength: 4096 })])('garbage never throws and yields nothing it cannot stand behind', (bytes) => {
    const { msgs } = remuxAll(bytes);
    for (const m of msgs) expect(m.payload.length).toBeGreaterThan(0);
  });

  fcTest.prop([fc.array(fc.tuple(fc.nat(22183), fc.nat(255)), { maxLength: 64 })])('a real stream with flipped bytes never throws', (flips) => {
    const bytes = file('h264-aac.m2t').slice();
    for (const [at, v] of flips) bytes[at] = v;
    const { msgs, remux } = remuxAll(bytes, 1316);
    expect(msgs.length).toBeLessThan(200);
    expect(remux.stats.videoFrames + remux.stats.audioFrames).toBeLessThanOrEqual(probed('h264-aac.ffprobe.json').length);
  });

  it('joining mid-stream: frames before the next SPS/PPS are counted, then a sequence header and a keyframe start the output', () => {
    const bytes = file('h264-aac.m2t');
    // Past the first IDR (4212 bytes, ~23 packets): the program tables come again, the parameter sets only with the next IDR.
    const { msgs, remux } = remuxAll(bytes.subarray(188 * 30));
    expect(remux.stats.waitingForConfig).toBeGreaterThan(0);
    const v = msgs.filter((m) => m.kind === 'video');
    expect(isHeader(v[0]!)).toBe(true);
    expect(video(v[1]!).keyframe).toBe(true);
  });
});
