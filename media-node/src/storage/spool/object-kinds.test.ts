import { describe, expect, it } from 'vitest';
import { test as fcTest, fc } from '@fast-check/vitest';
import { baseName, objectKind, playlistNames } from './object-kinds.ts';

describe('objectKind', () => {
  it.each([
    { name: 'a segment', options: { contentType: 'video/mp2t', cacheControl: 'public, max-age=31536000, immutable' }, kind: 'immutable' },
    { name: 'immutable in any case', options: { contentType: 'video/mp4', cacheControl: 'Immutable' }, kind: 'immutable' },
    { name: 'a playlist', options: { contentType: 'application/vnd.apple.mpegurl', cacheControl: 'public, max-age=1' }, kind: 'playlist' },
    { name: 'a legacy playlist type with parameters', options: { contentType: 'Audio/X-MpegURL; charset=utf-8' }, kind: 'playlist' },
    { name: 'anything else', options: { contentType: 'application/json' }, kind: 'mutable' },
    { name: 'a word that only contains immutable', options: { contentType: 'video/mp2t', cacheControl: 'x-notimmutable' }, kind: 'mutable' },
  ])('$name is $kind', (c) => {
    expect(objectKind(c.options)).toBe(c.kind);
  });
});

describe('playlistNames', () => {
  const text = [
    '#EXTM3U',
    '#EXT-X-MAP:URI="init-1.mp4"',
    '#EXTINF:2.000,',
    'livestream-7.ts',
    '#EXTINF:2.000,',
    '  ../other/livestream-8.ts?token=x  ',
    '#EXT-X-PART:DURATION=0.5,URI="https://cdn.example.com/live/part-9.0.m4s#f"',
    'https://cdn.example.com/live/livestream-9.ts',
    '',
  ].join('\r\n');

  it('collects the file name of every URI line and URI attribute', () => {
    expect([...playlistNames(new TextEncoder().encode(text))].sort()).toEqual(
      ['init-1.mp4', 'livestream-7.ts', 'livestream-8.ts', 'livestream-9.ts', 'part-9.0.m4s'].sort(),
    );
  });

  it('names the file name of a key whatever the URI form the segmenter writes', () => {
    for (const uri of ['s-1.ts', '/live/s-1.ts', 'https://cdn.example.com/live/s-1.ts', 'https://cdn.example.com/hls/live/s-1.ts']) {
      expect(playlistNames(new TextEncoder().encode(`#EXTM3U\n#EXTINF:1,\n${uri}\n`)).has(baseName('live/s-1.ts'))).toBe(true);
    }
  });

  fcTest.prop([fc.uint8Array({ maxLength: 2048 })])('never throws on any bytes', (bytes) => {
    expect(playlistNames(bytes)).toBeInstanceOf(Set);
  });
});
