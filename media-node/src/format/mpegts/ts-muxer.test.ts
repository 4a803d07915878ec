import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { hex, toHex } from '@runnel/shared';
import { PID_AUDIO, PID_VIDEO } from './constants.ts';
import { decodeOpusAccessUnits } from './opus-access-unit.ts';
import { decodeTsPacket } from './ts-packet.ts';
import { TsDemuxer, type TsEvent, type TsPes } from './ts-demuxer.ts';
import { TsMuxer, type TsMuxerOptions } from './ts-muxer.ts';

const testdata = (name: string) => new Uint8Array(readFileSync(new URL(`./testdata/${name}`, import.meta.url)));
const probed = (name: string): Probed[] => JSON.parse(readFileSync(new URL(`./testdata/${name}`, import.meta.url), 'utf8'));

interface Probed { type: string; pts: number; dts: number; size: number; key: boolean }

const tmp = mkdtempSync(join(tmpdir(), 'runnel-ts-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

/** Runs a real FFmpeg tool on `bytes`; fails loudly when it is not installed (CI installs it). */
function run(tool: 'ffprobe' | 'ffmpeg', bytes: Uint8Array, args: (file: string) => string[]): { stdout: string; stderr: string } {
  const file = join(tmp, `${Math.random().toString(36).slice(2)}.ts`);
  writeFileSync(file, bytes);
  const r = spawnSync(tool, args(file), { encoding: 'utf8', timeout: 20_000 });
  if (r.error) throw new Error(`${tool} could not run (${r.error.message}): the MPEG-TS muxer tests need FFmpeg on PATH`);
  if (r.status !== 0) throw new Error(`${tool} failed: ${r.stderr}`);
  return r;
}

function ffprobePackets(bytes: Uint8Array): Probed[] {
  const { stdout } = run('ffprobe', bytes, (f) => ['-v', 'error', '-show_packets', '-show_entries', 'packet=codec_type,pts,dts,size,flags', '-of', 'json', f]);
  const packets: { codec_type: string; pts: string; dts: string; size: string; flags: string }[] = JSON.parse(stdout).packets ?? [];
  return packets.map((p) => ({ type: p.codec_type, pts: Number(p.pts), dts: Number(p.dts), size: Number(p.size), key: p.flags[0] === 'K' }));
}

function ffprobeCodecs(bytes: Uint8Array): string[] {
  const { stdout } = run('ffprobe', bytes, (f) => ['-v', 'error', '-show_entries', 'stream=codec_name', '-of', 'json', f]);
  return (JSON.parse(stdout).streams as { codec_name: string }[]).map((s) => s.codec_name);
}

function demux(bytes: Uint8Array): TsEvent[] {
  const d = new TsDemuxer();
  const ev = [...d.push(bytes), ...d.flush()];
  expect(d.stats).toMatchObject({ continuityErrors: 0, resyncs: 0, badPackets: 0, badSections: 0, droppedPes: 0 });
  return ev;
}
const pesOf = (ev: TsEvent[]): TsPes[] => ev.flatMap((e) => (e.kind === 'pes' ? [e.pes] : []));

function concat(chunks: Uint8Array[]): Uint8Array {
  return new Uint8Array(Buffer.concat(chunks));
}

describe('TsMuxer tables', () => {
  it('writes the same PAT and PMT packets as FFmpeg for H.264 + AAC', () => {
    const ffmpeg = testdata('h264-aac.m2t');
    expect(toHex(new TsMuxer({ video: 'h264', audio: 'aac' }).writeTables())).toBe(toHex(ffmpeg.subarray(188, 3 * 188)));
  });

  const layouts: { opts: TsMuxerOptions; types: number[]; pcrPid: number }[] = [
    { opts: { video: 'h264', audio: 'aac' }, types: [0x1b, 0x0f], pcrPid: PID_VIDEO },
    { opts: { video: 'hevc', audio: 'mp3' }, types: [0x24, 0x03], pcrPid: PID_VIDEO },
    { opts: { video: 'hevc' }, types: [0x24], pcrPid: PID_VIDEO },
    { opts: { audio: 'aac' }, types: [0x0f], pcrPid: PID_AUDIO },
    { opts: { audio: 'opus', opusChannels: 1 }, types: [0x06], pcrPid: PID_AUDIO },
  ];
  it.each(layouts)('PMT for $opts', ({ opts, types, pcrPid }) => {
    const ev = demux(new TsMuxer(opts).writeTables());
    const pmt = ev.find((e) => e.kind === 'pmt');
    expect(pmt?.kind === 'pmt' && pmt.pmt.pcrPid).toBe(pcrPid);
    expect(pmt?.kind === 'pmt' && pmt.pmt.streams.map((s) => s.streamType)).toEqual(types);
    if (opts.audio === 'opus') {
      const ds = pmt?.kind === 'pmt' ? pmt.pmt.streams[0]!.descriptors : [];
      expect(ds.map((d) => [d.tag, toHex(d.data)])).toEqual([[5, toHex(new TextEncoder().encode('Opus'))], [0x7f, '8001']]);
    }
  });

  it('refuses a muxer without streams and writes to streams it has', () => {
    expect(() => new TsMuxer({})).toThrow(expect.objectContaining({ code: 'ts_no_streams' }));
    expect(() => new TsMuxer({ audio: 'aac' }).writeVideo(hex('00000001 09f0'), 0, 0, true)).toThrow(expect.objectContaining({ code: 'ts_no_streams' }));
    expect(() => new TsMuxer({ video: 'h264' }).writeAudio(hex('fff1'), 0)).toThrow(expect.objectContaining({ code: 'ts_no_streams' }));
  });
});

describe('TsMuxer output read back by our demuxer', () => {
  it('H.264: AUD added when missing, PTS/DTS and random access kept', () => {
    const mux = new TsMuxer({ video: 'h264' });
    const frames = [
      { data: hex('00000001 6742 00000001 68ce 00000001 6588' + 'ab'.repeat(500)), pts: 2 ** 33 - 3000, dts: 2 ** 33 - 6000, key: true },
      { data: hex('00000001 09f0 00000001 419a' + 'cd'.repeat(50)), pts: 600, dts: 0, key: false },
    ];
    const bytes = concat([mux.writeTables(), ...frames.map((f) => mux.writeVideo(f.data, f.pts, f.dts, f.key))]);
    const pes = pesOf(demux(bytes));
    expect(pes.map((p) => ({ pts: p.pts, dts: p.dts, ra: p.randomAccess, codec: p.codec }))).toEqual(
      frames.map((f) => ({ pts: f.pts, dts: f.dts, ra: f.key, codec: 'h264' })),
    );
    expect(toHex(pes[0]!.data)).toBe('0000000109f0' + toHex(frames[0]!.data));
    expect(toHex(pes[1]!.data)).toBe(toHex(frames[1]!.data)); // had one already
  });

  it('HEVC gets an HEVC AUD; insertAud false leaves the frame alone', () => {
    const frame = hex('00000001 2601' + 'ee'.repeat(20));
    const withAud = pesOf(demux(concat([new TsMuxer({ video: 'hevc' }).writeTables(), new TsMuxer({ video: 'hevc' }).writeVideo(frame, 9000, 9000, true)])));
    expect(toHex(withAud[0]!.data)).toBe('00000001460150' + toHex(frame));
    const mux = new TsMuxer({ video: 'hevc', insertAud: false });
    const plain = pesOf(demux(concat([mux.writeTables(), mux.writeVideo(frame, 9000, 9000, true)])));
    expect(toHex(plain[0]!.data)).toBe(toHex(frame));
  });

  it('puts the PCR on the video PID, or on the audio PID when audio is all there is', () => {
    const av = new TsMuxer({ video: 'h264', audio: 'aac' });
    expect(decodeTsPacket(av.writeVideo(hex('00000001 09f0'), 9000, 4500, true)).adaptation?.pcr).toBe(4500 * 300);
    expect(decodeTsPacket(av.writeAudio(hex('fff1 5080 02 1f fc 00'), 9000)).adaptation).toEqual({ discontinuity: false, randomAccess: false }); // stuffing only
    const a = new TsMuxer({ audio: 'aac' });
    expect(decodeTsPacket(a.writeAudio(hex('fff1 5080 02 1f fc 00'), 9000)).adaptation).toEqual({ discontinuity: false, randomAccess: true, pcr: 9000 * 300 });
  });

  it('Opus packets come back through the control header', () => {
    const mux = new TsMuxer({ audio: 'opus' });
    const pkts = [new Uint8Array(300).fill(7), hex('fc')];
    const bytes = concat([mux.writeTables(), ...pkts.map((p, i) => mux.writeAudio(p, i * 1800))]);
    const pes = pesOf(demux(bytes));
    expect(pes.map((p) => [p.codec, p.streamId, p.pts])).toEqual([['opus', 0xbd, 0], ['opus', 0xbd, 1800]]);
    expect(pes.map((p) => decodeOpusAccessUnits(p.data).map((a) => toHex(a.packet)))).toEqual(pkts.map((p) => [toHex(p)]));
  });
});

describe('TsMuxer output read by FFmpeg', () => {
  /** Feeds what our demuxer read from an FFmpeg file back into our muxer. */
  function remux(source: Uint8Array, opts: TsMuxerOptions, audioPts?: number[]): Uint8Array {
    const mux = new TsMuxer(opts);
    const out = [mux.writeTables()];
    let opusIndex = 0;
    for (const p of pesOf(demux(source))) {
      if (p.pid === PID_VIDEO) out.push(mux.writeVideo(p.data, p.pts!, p.dts ?? p.pts!, p.randomAccess));
      else if (opts.audio === 'opus') {
        for (const au of decodeOpusAccessUnits(p.data)) out.push(mux.writeAudio(au.packet, audioPts![opusIndex++]!));
      } else out.push(mux.writeAudio(p.data, p.pts!));
    }
    return concat(out);
  }

  it('ffprobe sees the same H.264 + AAC packets as in the FFmpeg original, and FFmpeg decodes it cleanly', () => {
    const ours = remux(testdata('h264-aac.m2t'), { video: 'h264', audio: 'aac' });
    const got = ffprobePackets(ours);
    const want = probed('h264-aac.ffprobe.json');
    // Interleaving differs (a video PES is complete only when the next one starts); each stream must match.
    for (const type of ['video', 'audio']) expect(got.filter((p) => p.type === type)).toEqual(want.filter((p) => p.type === type));
    expect(got).toHaveLength(want.length);
    expect(ffprobeCodecs(ours)).toEqual(['h264', 'aac']);
    expect(run('ffmpeg', ours, (f) => ['-v', 'error', '-i', f, '-f', 'null', '-']).stderr).toBe('');
  });

  it('ffprobe sees the same HEVC + Opus packets as in the FFmpeg original', () => {
    const want = probed('hevc-opus.ffprobe.json');
    const audioPts = want.filter((p) => p.type === 'audio').map((p) => p.pts);
    const ours = remux(testdata('hevc-opus.m2t'), { video: 'hevc', audio: 'opus', opusChannels: 1 }, audioPts);
    const got = ffprobePackets(ours);
    expect(got.filter((p) => p.type === 'video')).toEqual(want.filter((p) => p.type === 'video'));
    expect(got.filter((p) => p.type === 'audio')).toEqual(want.filter((p) => p.type === 'audio'));
    expect(ffprobeCodecs(ours)).toEqual(['hevc', 'opus']);
  });

  it('an audio-only MP3 stream plays in ffprobe with the timestamps we gave', () => {
    const frames = mp3Frames(testdata('tone.mp3'));
    expect(frames.length).toBeGreaterThan(10);
    const mux = new TsMuxer({ audio: 'mp3' });
    const pts = frames.map((_, i) => 90_000 + Math.round((i * 1152 * 90_000) / 44_100));
    const ours = concat([mux.writeTables(), ...frames.map((f, i) => mux.writeAudio(f, pts[i]!))]);
    const got = ffprobePackets(ours);
    expect(got.map((p) => [p.type, p.pts, p.size])).toEqual(frames.map((f, i) => ['audio', pts[i], f.length]));
    expect(ffprobeCodecs(ours)).toEqual(['mp3']);
  });
});

/** Splits an MPEG-1 Layer III stream at its frame headers (ISO/IEC 11172-3 2.4.2.3). */
function mp3Frames(b: Uint8Array): Uint8Array[] {
  const kbps = [0, 32, 40, 48, 56, 64, 80, 96, 112, 128, 160, 192, 224, 256, 320];
  const rates = [44_100, 48_000, 32_000];
  const out: Uint8Array[] = [];
  for (let i = 0; i + 4 <= b.length; ) {
    if (b[i] !== 0xff || (b[i + 1]! & 0xfe) !== 0xfa) throw new Error(`no MPEG-1 Layer III header at ${i}`);
    const len = Math.floor((144 * kbps[b[i + 2]! >> 4]! * 1000) / rates[(b[i + 2]! >> 2) & 3]!) + ((b[i + 2]! >> 1) & 1);
    out.push(b.subarray(i, i + len));
    i += len;
  }
  return out;
}
