import { runInNewContext } from 'node:vm';
import { describe, expect, it } from 'vitest';
import { MEDIA_FORMAT_JS } from './media-format.ts';

/** The client functions, run as the browser runs them (plain script, no DOM). */
const f = runInNewContext(`${MEDIA_FORMAT_JS}; ({ fmtKbps, fmtCodecs, fmtBitrate, fmtBytes })`) as {
  fmtKbps(kbps: number): string;
  fmtCodecs(x: unknown): string;
  fmtBitrate(live: unknown): string;
  fmtBytes(n: unknown): string;
};

describe('dashboard media formatting', () => {
  it.each([
    [{ video: { codec: 'H264', width: 1280, height: 720 }, audio: { codec: 'AAC' } }, 'H264 1280×720 · AAC'],
    [{ video: { codec: 'H265', width: null, height: null }, audio: null }, 'H265'],
    [{ video: null, audio: { codec: 'Opus' } }, 'Opus'],
    [{ video: null, audio: null }, '—'],
    [null, '—'],
  ])('codecs of %j: %s', (x, text) => expect(f.fmtCodecs(x)).toBe(text));

  it.each([
    [{ bitrate_kbps: 2488 }, '2.5 Mb/s'],
    [{ bitrate_kbps: 640 }, '640 kb/s'],
    [{ bitrate_kbps: 0 }, '0 kb/s'],
    [{ bitrate_kbps: 25_000 }, '25 Mb/s'],
    [{ bitrate_kbps: null }, '—'],
    [null, '—'],
  ])('bitrate of %j: %s', (live, text) => expect(f.fmtBitrate(live)).toBe(text));

  it.each([
    [512, '512 B'],
    [1_234_567, '1.2 MB'],
    [3_000_000_000, '3.0 GB'],
    [null, '—'],
  ])('size %j: %s', (n, text) => expect(f.fmtBytes(n)).toBe(text));
});
