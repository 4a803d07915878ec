import { describe, expect, it } from 'vitest';
import { hlsTargetFor } from './hls-paths.ts';

describe('hlsTargetFor', () => {
  it.each([
    ['/hls/pb1/index.m3u8', { playbackId: 'pb1', kind: 'playlist', key: 'live/pb1.m3u8', contentType: 'application/vnd.apple.mpegurl' }],
    ['/hls/pb1/pb1-7.ts', { playbackId: 'pb1', kind: 'segment', key: 'live/pb1-7.ts', contentType: 'video/mp2t' }],
  ])('maps %s to the node key', (path, target) => {
    expect(hlsTargetFor(path)).toEqual(target);
  });

  it.each(['/hls/pb1/../../etc/passwd', '/hls/..%2f/index.m3u8', '/hls/pb1/other-7.ts', '/hls/pb1/pb1.m3u8', '/hls/pb1/a/index.m3u8', '/hls/pb1/pb1-x.ts', '/hls//index.m3u8', '/hls/pb1/pb1-1234567890123.ts', `/hls/${'a'.repeat(65)}/index.m3u8`])(
    'names nothing for %s',
    (path) => {
      expect(hlsTargetFor(path)).toBeNull();
    },
  );
});
