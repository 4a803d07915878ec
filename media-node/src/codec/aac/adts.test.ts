import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { test as fcTest, fc } from '@fast-check/vitest';
import { ProtocolError, hex, toHex } from '@runnel/shared';
import { decodeAsc, makeAsc } from './audio-specific-config.ts';
import { ADTS_HEADER_BYTES, MAX_ADTS_FRAME_BYTES, adtsToAsc, decodeAdtsHeader, encodeAdtsHeader, splitAdts } from './adts.ts';

/** `ffmpeg -f lavfi -i sine=f=440:d=0.2:sample_rate=48000 -ac 1 -c:a aac -f adts`: 11 frames of LC 48 kHz mono. */
const stream = new Uint8Array(readFileSync(new URL('../testdata/aac-48000-mono.adts', import.meta.url)));

describe('ADTS', () => {
  it('decodes the header FFmpeg writes', () => {
    expect(decodeAdtsHeader(stream)).toEqual({
      mpeg2: false,
      objectType: 2,
      frequencyIndex: 3,
      sampleRate: 48000,
      channelConfiguration: 1,
      frameLength: 219, // fff1 4c40 1b7f fc: (0x40 & 3) << 11 | 0x1b << 3 | 0x7f >> 5
      headerLength: 7,
      rawBlocks: 1,
    });
  });

  it('encodes the same header from the config and payload length', () => {
    const h = decodeAdtsHeader(stream)!;
    expect(toHex(encodeAdtsHeader(adtsToAsc(h), h.frameLength - ADTS_HEADER_BYTES))).toBe(toHex(stream.subarray(0, 7)));
  });

  it('splits the FFmpeg stream into frames that cover it exactly', () => {
    const { frames, rest, skipped } = splitAdts(stream);
    expect(frames).toHaveLength(11);
    expect(rest.length).toBe(0);
    expect(skipped).toBe(0);
    expect(frames.reduce((n, f) => n + f.header.frameLength, 0)).toBe(stream.length);
    // payloads are the bytes after each 7-byte header, not copies
    expect(frames[0]!.payload.buffer).toBe(stream.buffer);
    expect(toHex(frames[0]!.payload)).toBe(toHex(stream.subarray(7, 219)));
  });

  it('resyncs after garbage and a broken header, and keeps a partial frame as rest', () => {
    const f0 = stream.subarray(0, 219);
    const garbage = hex('fff1 ffff 00 12 34 fff0');
    const joined = Uint8Array.of(...garbage, ...f0, ...f0.subarray(0, 100));
    const { frames, rest, skipped } = splitAdts(joined);
    expect(frames).toHaveLength(1);
    expect(skipped).toBe(garbage.length);
    expect(toHex(rest)).toBe(toHex(f0.subarray(0, 100)));
  });

  it('needs 7 bytes and refuses a header that lies', () => {
    expect(decodeAdtsHeader(stream.subarray(0, 6))).toBeUndefined();
    expect(() => decodeAdtsHeader(hex('fff1 7c40 1b7f fc'))).toThrow(ProtocolError); // index 15
    expect(() => decodeAdtsHeader(hex('fff1 4c00 1b7f fc'))).toThrow(ProtocolError); // channel config 0
    expect(() => decodeAdtsHeader(hex('fff1 4c40 00df fc'))).toThrow(ProtocolError); // frame length 6
  });

  it('writes HE-AAC as its LC core and refuses what ADTS cannot carry', () => {
    const he = decodeAsc(hex('2b920800'));
    expect(decodeAdtsHeader(encodeAdtsHeader(he, 100))).toMatchObject({ objectType: 2, sampleRate: 22050, channelConfiguration: 2, frameLength: 107 });
    expect(() => encodeAdtsHeader(makeAsc(2, 44000, 2), 10)).toThrow(ProtocolError);
    expect(() => encodeAdtsHeader(makeAsc(2, 48000, 2), MAX_ADTS_FRAME_BYTES)).toThrow(ProtocolError);
    expect(() => encodeAdtsHeader(makeAsc(39, 48000, 2), 10)).toThrow(ProtocolError);
  });

  fcTest.prop([
    fc.array(
      fc.record({ objectType: fc.integer({ min: 1, max: 4 }), index: fc.integer({ min: 0, max: 12 }), channels: fc.integer({ min: 1, max: 7 }), payload: fc.uint8Array({ minLength: 1, maxLength: 300 }) }),
      { maxLength: 8 },
    ),
  ])('round-trips generated frames', (specs) => {
    const parts: number[] = [];
    for (const s of specs) {
      const asc = makeAsc(s.objectType, [96000, 88200, 64000, 48000, 44100, 32000, 24000, 22050, 16000, 12000, 11025, 8000, 7350][s.index]!, s.channels);
      parts.push(...encodeAdtsHeader(asc, s.payload.length), ...s.payload);
    }
    const { frames, rest, skipped } = splitAdts(Uint8Array.from(parts));
    expect(skipped).toBe(0);
    expect(rest.length).toBe(0);
    expect(frames.map((f) => [f.header.objectType, f.header.frequencyIndex, f.header.channelConfiguration, toHex(f.payload)])).toEqual(
      specs.map((s) => [s.objectType, s.index, s.channels, toHex(s.payload)]),
    );
  });

  fcTest.prop([fc.uint8Array({ maxLength: 4096 }).map((b) => b.map((x, i) => (i % 50 === 0 ? 0xff : x)))])('garbage never throws and never loses bytes', (b) => {
    const { frames, rest, skipped } = splitAdts(b);
    const covered = frames.reduce((n, f) => n + f.header.frameLength, 0) + rest.length + skipped;
    expect(covered).toBe(b.length);
  });
});
