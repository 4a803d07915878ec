import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { adtsToAsc, encodeAdtsHeader, splitAdts } from '../../../codec/aac/adts.ts';
import { decodeAsc, encodeAsc } from '../../../codec/aac/audio-specific-config.ts';
import { decodeOpusHead } from '../../../codec/opus/opus-head.ts';
import { opusPacketSamples } from '../../../codec/opus/toc.ts';
import { aacFrameBody, aacSequenceHeaderBody, decodeAudioData } from '../../../format/flv/audio-data.ts';
import { mediaMessage } from '../../../hub/media-message.ts';
import type { MediaMessage } from '../../../hub/media-message.ts';
import { AacToOpus } from './aac-to-opus.ts';
import { OpusToAac } from './opus-to-aac.ts';

const dir = mkdtempSync(join(tmpdir(), 'audio-bridge-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** A 2 s 440 Hz sine encoded by ffmpeg's AAC-LC encoder at `rate`/`channels`, as FLV AAC hub messages. */
function sineAac(rate: number, channels: number, startMs = 0): MediaMessage[] {
  const file = join(dir, `sine-${rate}-${channels}.aac`);
  const r = spawnSync('ffmpeg', ['-v', 'error', '-f', 'lavfi', '-i', `sine=frequency=440:sample_rate=${rate}:duration=2`,
    '-ac', String(channels), '-c:a', 'aac', '-b:a', '96k', '-f', 'adts', '-y', file]);
  expect(r.status, String(r.stderr)).toBe(0);
  const { frames } = splitAdts(readFileSync(file));
  const asc = encodeAsc(adtsToAsc(frames[0]!.header));
  const out = [mediaMessage('audio', startMs, aacSequenceHeaderBody(asc), { sequenceHeader: true })];
  frames.forEach((f, i) => out.push(mediaMessage('audio', startMs + Math.floor((i * 1024 * 1000) / rate), aacFrameBody(f.payload))));
  return out;
}

/** Decodes an ADTS file with ffmpeg to mono s16 at 48 kHz: returns the dominant frequency (zero crossings) and RMS. */
function analyse(adts: Uint8Array): { hz: number; rms: number; seconds: number } {
  const file = join(dir, `out-${Math.random().toString(36).slice(2)}.aac`);
  writeFileSync(file, adts);
  const r = spawnSync('ffmpeg', ['-v', 'error', '-i', file, '-ac', '1', '-ar', '48000', '-f', 's16le', '-'], { maxBuffer: 64 << 20 });
  expect(r.status, String(r.stderr)).toBe(0);
  const pcm = new Int16Array(r.stdout.buffer, r.stdout.byteOffset, r.stdout.length >> 1);
  // The middle second: away from the encoder's start and end ramps.
  const a = pcm.subarray(12_000, 60_000);
  let crossings = 0;
  let sq = 0;
  for (let i = 1; i < a.length; i++) {
    if ((a[i - 1]! < 0) !== (a[i]! < 0)) crossings++;
    sq += a[i]! * a[i]!;
  }
  return { hz: crossings / 2 / (a.length / 48_000), rms: Math.sqrt(sq / a.length), seconds: pcm.length / 48_000 };
}

function toAdts(frames: { payload: Uint8Array }[], ascBytes: Uint8Array): Uint8Array {
  const asc = decodeAsc(ascBytes);
  const parts = frames.flatMap((f) => [encodeAdtsHeader(asc, f.payload.length), f.payload]);
  return Buffer.concat(parts);
}

describe('AacToOpus', () => {
  it.each([[44_100, 2], [48_000, 1], [22_050, 2]])('%i Hz x%i AAC -> 20 ms Opus frames on the AAC timeline', (rate, channels) => {
    const bridge = new AacToOpus();
    const input = sineAac(rate, channels, 1000);
    const out = input.flatMap((m) => bridge.push(m));
    bridge.close();
    const header = out[0]!;
    expect(header.sequenceHeader).toBe(true);
    const head = decodeOpusHead(decodeAudioData(header.payload).data);
    expect(head.channels).toBe(2);
    const frames = out.slice(1);
    // All decoded samples (AAC frames x 1024, priming included) in 960-sample frames, minus what
    // the encoder still holds (its delay and the last partial frame).
    const decodedSamples = ((input.length - 1) * 1024 * 48_000) / rate;
    expect(frames.length).toBeGreaterThanOrEqual(Math.floor(decodedSamples / 960) - 2);
    expect(frames.length).toBeLessThanOrEqual(Math.floor(decodedSamples / 960));
    for (const f of frames) expect(opusPacketSamples(decodeAudioData(f.payload).data)).toBe(960);
    for (let i = 1; i < frames.length; i++) expect(frames[i]!.timestamp - frames[i - 1]!.timestamp).toBe(20);
    // First Opus packet = the first AAC frame's time minus the pre-skip (6.5 ms at 312 samples): A/V sync kept.
    expect(frames[0]!.timestamp).toBe(Math.round(1000 - (head.preSkip * 1000) / 48_000));
    expect(bridge.stats).toMatchObject({ droppedFrames: 0, badConfigs: 0, restarts: 1 });
  });

  it('drops and counts garbage frames, frames before a sequence header and a bad config, and keeps going', () => {
    const bridge = new AacToOpus();
    const good = sineAac(44_100, 2);
    expect(bridge.push(good[5]!)).toEqual([]);
    expect(bridge.push(mediaMessage('audio', 0, aacSequenceHeaderBody(Uint8Array.of(0xff))))).toEqual([]);
    expect(bridge.stats.badConfigs).toBe(1);
    bridge.push(good[0]!);
    const junk = [Uint8Array.of(0xaf), Uint8Array.of(0xaf, 1, 0xde, 0xad, 0xbe, 0xef), aacFrameBody(new Uint8Array(700).fill(0x5a))];
    for (const j of junk) expect(() => bridge.push(mediaMessage('audio', 40, j))).not.toThrow();
    const out = good.slice(1).flatMap((m) => bridge.push(m));
    bridge.close();
    expect(bridge.stats.droppedFrames).toBeGreaterThanOrEqual(2);
    expect(out.filter((m) => !m.sequenceHeader).length).toBeGreaterThanOrEqual(90);
  });
});

describe('CPU', () => {
  it('costs a few % of one core per stream and direction (logged; bound generous for slow CI)', () => {
    const input = sineAac(44_100, 2);
    const audioSeconds = ((input.length - 1) * 1024) / 44_100;
    const toOpus = new AacToOpus();
    let t = process.cpuUsage();
    const opus = input.flatMap((m) => toOpus.push(m)).filter((m) => !m.sequenceHeader);
    const aacToOpus = process.cpuUsage(t);
    toOpus.close();
    const toAac = new OpusToAac(2);
    t = process.cpuUsage();
    for (const m of opus) toAac.pushFlv(m.payload, m.timestamp);
    const opusToAac = process.cpuUsage(t);
    toAac.close();
    const pct = (u: NodeJS.CpuUsage) => (100 * (u.user + u.system)) / 1e6 / audioSeconds;
    console.info(`audio bridge CPU per stream: AAC->Opus ${pct(aacToOpus).toFixed(1)} %, Opus->AAC ${pct(opusToAac).toFixed(1)} % of one core`);
    expect(pct(aacToOpus)).toBeLessThan(25);
    expect(pct(opusToAac)).toBeLessThan(25);
  });
});

describe('native memory', () => {
  it('start/stop cycles of both directions do not grow the process', () => {
    const input = sineAac(44_100, 2).slice(0, 8);
    const cycle = () => {
      const a = new AacToOpus();
      const opus = input.flatMap((m) => a.push(m)).filter((m) => !m.sequenceHeader);
      a.close();
      const b = new OpusToAac(2);
      for (const m of opus) b.push(decodeAudioData(m.payload).data, m.timestamp);
      b.close();
    };
    for (let i = 0; i < 10; i++) cycle();
    globalThis.gc?.();
    const before = process.memoryUsage().rss;
    for (let i = 0; i < 100; i++) cycle();
    globalThis.gc?.();
    const grown = process.memoryUsage().rss - before;
    // A leaked pair of codecs costs ~1 MB (libopus + aac encoder state, FIFOs): 100 leaks would be 100 MB.
    expect(grown).toBeLessThan(30 << 20);
  });
});

describe('OpusToAac', () => {
  it('Opus -> AAC-LC 48 kHz stereo 1024-sample frames with an ASC sequence header; the 440 Hz tone survives AAC -> Opus -> AAC', () => {
    const toOpus = new AacToOpus();
    const opus = sineAac(44_100, 2, 500).flatMap((m) => toOpus.push(m)).filter((m) => !m.sequenceHeader);
    toOpus.close();
    const toAac = new OpusToAac(2);
    const aac = opus.flatMap((m) => toAac.push(decodeAudioData(m.payload).data, m.timestamp));
    toAac.close();
    expect(aac[0]!.sequenceHeader).toBe(true);
    const ascBytes = decodeAudioData(aac[0]!.payload).data;
    expect(decodeAsc(ascBytes)).toMatchObject({ objectType: 2, sampleRate: 48_000, channelConfiguration: 2 });
    const frames = aac.slice(1);
    expect(frames.length).toBeGreaterThanOrEqual(85);
    for (let i = 1; i < frames.length; i++) expect(frames[i]!.timestamp - frames[i - 1]!.timestamp).toBeGreaterThanOrEqual(21);
    for (let i = 1; i < frames.length; i++) expect(frames[i]!.timestamp - frames[i - 1]!.timestamp).toBeLessThanOrEqual(22);
    expect(Math.abs(frames[0]!.timestamp - opus[0]!.timestamp + 1024 / 48)).toBeLessThanOrEqual(1);
    const { hz, rms, seconds } = analyse(toAdts(frames.map((f) => ({ payload: decodeAudioData(f.payload).data })), ascBytes));
    expect(seconds).toBeGreaterThan(1.8);
    expect(hz).toBeGreaterThan(430);
    expect(hz).toBeLessThan(450);
    expect(rms).toBeGreaterThan(1000);
  });

  it('takes RtpToHub\'s enhanced-RTMP Opus bodies: the OpusHead is not needed, other codecs are dropped and counted', () => {
    const toOpus = new AacToOpus();
    const opus = sineAac(48_000, 2).flatMap((m) => toOpus.push(m));
    toOpus.close();
    const toAac = new OpusToAac(2);
    const out = opus.flatMap((m) => toAac.pushFlv(m.payload, m.timestamp));
    expect(toAac.pushFlv(aacFrameBody(Uint8Array.of(1, 2, 3)), 0)).toEqual([]);
    toAac.close();
    expect(opus[0]!.sequenceHeader).toBe(true);
    expect(toAac.stats).toMatchObject({ inFrames: opus.length - 1, droppedFrames: 1 });
    expect(out.filter((a) => !a.sequenceHeader).length).toBeGreaterThanOrEqual(85);
  });

  it('follows a gap in the input timeline (publisher pause): output after it is timed after it', () => {
    const toOpus = new AacToOpus();
    const input = sineAac(48_000, 2);
    const shifted = input.map((m, i) => (i < 40 ? m : mediaMessage('audio', m.timestamp + 5000, m.payload)));
    const out = shifted.flatMap((m) => toOpus.push(m)).filter((m) => !m.sequenceHeader);
    toOpus.close();
    const jump = out.findIndex((m, i) => i > 0 && m.timestamp - out[i - 1]!.timestamp > 1000);
    expect(jump).toBeGreaterThan(0);
    // The audio after the gap keeps its place relative to the input (to within one Opus frame + the pre-skip).
    const firstAfter = input[40]!.timestamp + 5000;
    expect(Math.abs(out[jump]!.timestamp - firstAfter)).toBeLessThanOrEqual(40);
  });

  it('drops and counts garbage Opus packets without throwing', () => {
    const toAac = new OpusToAac(2);
    const junk = [Uint8Array.of(0xff, 0xff, 0xff), new Uint8Array(1500).fill(0xfc)];
    for (const j of junk) expect(() => toAac.push(j, 0)).not.toThrow();
    toAac.close();
    expect(toAac.stats.inFrames).toBe(2);
  });
});
