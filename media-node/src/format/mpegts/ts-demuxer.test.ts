import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { test as fcTest, fc } from '@fast-check/vitest';
import { hex, toHex } from '@runnel/shared';
import { PID_VIDEO } from './constants.ts';
import { decodeOpusAccessUnits } from './opus-access-unit.ts';
import { Packetizer } from './packetizer.ts';
import { encodePat } from './pat.ts';
import { encodePmt } from './pmt.ts';
import { TsDemuxer, type TsEvent, type TsPes } from './ts-demuxer.ts';
import { TsMuxer } from './ts-muxer.ts';

const testdata = (name: string) => new Uint8Array(readFileSync(new URL(`./testdata/${name}`, import.meta.url)));
interface Probed { type: string; pts: number; dts: number; size: number; key: boolean }
const probed = (name: string): Probed[] => JSON.parse(readFileSync(new URL(`./testdata/${name}`, import.meta.url), 'utf8'));

const pesOf = (ev: TsEvent[]): TsPes[] => ev.flatMap((e) => (e.kind === 'pes' ? [e.pes] : []));

function demuxAll(chunks: Uint8Array[], d = new TsDemuxer()): TsPes[] {
  return pesOf([...chunks.flatMap((c) => d.push(c)), ...d.flush()]);
}

/** ADTS frames of one PES (ISO/IEC 13818-7 6.2: 13-bit aac_frame_length includes the header). */
function adtsFrameSizes(b: Uint8Array): number[] {
  const out: number[] = [];
  for (let i = 0; i < b.length; ) {
    const len = ((b[i + 3]! & 3) << 11) | (b[i + 4]! << 3) | (b[i + 5]! >> 5);
    out.push(len);
    i += len;
  }
  return out;
}

/** Our view of a file in ffprobe's terms: one entry per video PES, one per audio frame. */
function asProbed(pes: TsPes[]): Probed[] {
  const out: Probed[] = [];
  for (const p of pes) {
    if (p.pid === PID_VIDEO) out.push({ type: 'video', pts: p.pts!, dts: p.dts ?? p.pts!, size: p.data.length, key: p.randomAccess });
    else {
      const sizes = p.codec === 'opus' ? decodeOpusAccessUnits(p.data).map((a) => a.packet.length) : adtsFrameSizes(p.data);
      for (const size of sizes) out.push({ type: 'audio', pts: -1, dts: -1, size, key: true });
    }
  }
  return out;
}

function compare(got: Probed[], want: Probed[]): void {
  const video = (l: Probed[]) => l.filter((p) => p.type === 'video').sort((a, b) => a.dts - b.dts);
  expect(video(got)).toEqual(video(want));
  // audio timestamps after the first frame of a PES are a parser's guess; sizes and order are not
  const audio = (l: Probed[]) => l.filter((p) => p.type === 'audio').map((p) => p.size);
  expect(audio(got)).toEqual(audio(want));
}

function packetsOf(b: Uint8Array): Uint8Array[] {
  const out: Uint8Array[] = [];
  for (let i = 0; i < b.length; i += 188) out.push(b.subarray(i, i + 188));
  return out;
}

function splitAt(buf: Uint8Array, cuts: number[]): Uint8Array[] {
  const points = [...new Set(cuts.map((c) => c % (buf.length + 1)))].sort((a, b) => a - b);
  return [...points, buf.length].map((p, i, a) => buf.subarray(i === 0 ? 0 : a[i - 1]!, p));
}

const h264 = testdata('h264-aac.m2t');

describe('TsDemuxer on FFmpeg files', () => {
  it('reads H.264 + AAC as ffprobe does', () => {
    const d = new TsDemuxer();
    const pes = demuxAll([h264], d);
    compare(asProbed(pes), probed('h264-aac.ffprobe.json'));
    expect(d.stats).toMatchObject({ packets: h264.length / 188, continuityErrors: 0, resyncs: 0, droppedPes: 0, badSections: 0 });
    expect(new Set(pes.map((p) => p.codec))).toEqual(new Set(['h264', 'aac']));
  });

  it('reads HEVC + Opus as ffprobe does', () => {
    const pes = demuxAll([testdata('hevc-opus.m2t')]);
    const want = probed('hevc-opus.ffprobe.json');
    const got = asProbed(pes);
    // FFmpeg's HEVC parser moves the first zero byte of the next 4-byte start code into the frame before.
    const video = (l: Probed[]) => l.filter((p) => p.type === 'video').sort((a, b) => a.dts - b.dts);
    expect(video(got).map(({ size: _s, ...rest }) => rest)).toEqual(video(want).map(({ size: _s, ...rest }) => rest));
    video(got).forEach((p, i) => expect(Math.abs(p.size - video(want)[i]!.size)).toBeLessThanOrEqual(1));
    const audio = (l: Probed[]) => l.filter((p) => p.type === 'audio').map((p) => p.size);
    expect(audio(got)).toEqual(audio(want));
  });

  it('reports PAT and PMT once, not on every repeat', () => {
    const d = new TsDemuxer();
    const ev = [...d.push(h264), ...d.push(h264.subarray(188, 3 * 188))];
    expect(ev.filter((e) => e.kind !== 'pes').map((e) => e.kind)).toEqual(['pat', 'pmt']);
  });

  fcTest.prop([fc.array(fc.nat(), { maxLength: 60 })], { numRuns: 25 })('gives the same PES however the bytes are split', (cuts) => {
    const whole = demuxAll([h264]).map((p) => [p.pid, p.pts, p.dts, p.data.length, toHex(p.data.subarray(0, 16))]);
    expect(demuxAll(splitAt(h264, cuts)).map((p) => [p.pid, p.pts, p.dts, p.data.length, toHex(p.data.subarray(0, 16))])).toEqual(whole);
  });
});

describe('TsDemuxer on bad input', () => {
  const reference = demuxAll([h264]);

  it('resyncs after garbage between packets and loses nothing else', () => {
    const pk = packetsOf(h264);
    const garbage = hex('47 00 11 22 47 47 ff');
    const d = new TsDemuxer();
    const pes = demuxAll([Buffer.concat([...pk.slice(0, 5), garbage, ...pk.slice(5)])], d);
    expect(d.stats.resyncs).toBe(1);
    expect(d.stats.skippedBytes).toBe(garbage.length);
    expect(pes.map((p) => toHex(p.data))).toEqual(reference.map((p) => toHex(p.data)));
  });

  it('drops the PES that lost a packet, counts the continuity jump, keeps the rest', () => {
    const pk = packetsOf(h264);
    const victim = pk.findIndex((p, i) => i > 3 && ((p[1]! & 0x1f) << 8 | p[2]!) === PID_VIDEO && (p[1]! & 0x40) === 0);
    const d = new TsDemuxer();
    const pes = demuxAll([Buffer.concat(pk.filter((_, i) => i !== victim))], d);
    expect(d.stats.continuityErrors).toBe(1);
    expect(d.stats.droppedPes).toBe(1);
    expect(pes).toHaveLength(reference.length - 1);
  });

  it('ignores a duplicated packet (2.4.3.3)', () => {
    const pk = packetsOf(h264);
    const d = new TsDemuxer();
    const pes = demuxAll([Buffer.concat([...pk.slice(0, 6), pk[5]!, ...pk.slice(6)])], d);
    expect(d.stats.continuityErrors).toBe(0);
    expect(pes.map((p) => toHex(p.data))).toEqual(reference.map((p) => toHex(p.data)));
  });

  it('skips a PAT whose section_length lies, then reads the next good one', () => {
    const pk = new Packetizer();
    const bad = pk.section(0, encodePat({ transportStreamId: 1, version: 0, programs: [{ programNumber: 1, pid: 0x1000 }] }));
    bad[6] = 0xbf; // section_length 0xF0D > 1021
    const d = new TsDemuxer();
    const ev = [...d.push(bad), ...d.push(pk.section(0, encodePat({ transportStreamId: 1, version: 0, programs: [] })))];
    expect(d.stats.badSections).toBe(1);
    expect(ev.map((e) => e.kind)).toEqual(['pat']);
  });

  it('reads a PMT that spans packets', () => {
    const streams = Array.from({ length: 12 }, (_, i) => ({ streamType: 0x06, pid: 0x200 + i, descriptors: [{ tag: 0x0a, data: new Uint8Array(14) }] }));
    const pmt = encodePmt({ programNumber: 1, version: 0, pcrPid: 0x200, programDescriptors: [], streams });
    expect(pmt.length).toBeGreaterThan(184);
    const pk = new Packetizer();
    const bytes = Buffer.concat([pk.section(0, encodePat({ transportStreamId: 1, version: 0, programs: [{ programNumber: 1, pid: 0x1000 }] })), pk.section(0x1000, pmt)]);
    const ev = new TsDemuxer().push(bytes);
    expect(ev.map((e) => (e.kind === 'pmt' ? e.pmt.streams.length : e.kind))).toEqual(['pat', 12]);
  });

  it('drops a PES whose PES_packet_length claims more than arrived', () => {
    const mux = new TsMuxer({ audio: 'aac' });
    const frame = mux.writeAudio(new Uint8Array(100), 0);
    frame[4 + 1 + frame[4]! + 5] = 0xff; // PES_packet_length low byte: 100 + 8 -> 0xff
    const d = new TsDemuxer();
    const pes = demuxAll([mux.writeTables(), frame, mux.writeAudio(new Uint8Array(10), 1)], d);
    expect(d.stats.droppedPes).toBe(1);
    expect(pes.map((p) => p.pts)).toEqual([1]);
  });

  it('drops a PES over the size limit and resumes at the next one', () => {
    const mux = new TsMuxer({ video: 'h264' });
    const d = new TsDemuxer({ maxPesBytes: 1000 });
    const pes = demuxAll([mux.writeTables(), mux.writeVideo(new Uint8Array(5000), 0, 0, true), mux.writeVideo(new Uint8Array(500), 3000, 3000, false)], d);
    expect(d.stats.droppedPes).toBe(1);
    expect(pes.map((p) => p.pts)).toEqual([3000]);
  });

  it('counts packets with a lying adaptation field, transport errors and scrambling', () => {
    const mux = new TsMuxer({ video: 'h264' });
    const tables = mux.writeTables();
    const frame = mux.writeVideo(new Uint8Array(10), 0, 0, true);
    const d = new TsDemuxer();
    const badAf = frame.slice();
    badAf[4] = 200;
    const tei = frame.slice();
    tei[1]! |= 0x80;
    const scrambled = frame.slice();
    scrambled[3]! |= 0x80;
    expect(demuxAll([tables, badAf, tei, scrambled], d)).toEqual([]);
    expect(d.stats).toMatchObject({ badPackets: 1, transportErrors: 1, scrambledPackets: 1 });
  });

  it('holds the last unbounded PES until flush', () => {
    const mux = new TsMuxer({ video: 'h264' });
    const d = new TsDemuxer();
    expect(pesOf(d.push(Buffer.concat([mux.writeTables(), mux.writeVideo(hex('00000001 09f0'), 0, 0, true)])))).toEqual([]);
    expect(pesOf(d.flush()).map((p) => p.pts)).toEqual([0]);
  });

  fcTest.prop([fc.uint8Array({ maxLength: 4000 })])('garbage never crashes', (b) => {
    const d = new TsDemuxer();
    d.push(b);
    d.flush();
  });

  fcTest.prop([fc.array(fc.tuple(fc.nat(), fc.integer({ min: 0, max: 255 })), { maxLength: 40 })], { numRuns: 40 })(
    'a corrupted real file never crashes and stays bounded',
    (edits) => {
      const b = h264.slice();
      for (const [at, v] of edits) b[at % b.length] = v;
      const d = new TsDemuxer();
      const pes = demuxAll([b], d);
      expect(pes.length).toBeLessThanOrEqual(h264.length / 188);
    },
  );
});
