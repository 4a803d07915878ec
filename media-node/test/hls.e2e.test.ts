import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { packets, probe, publishRtmp, sleep } from './support/ffmpeg.ts';
import { startNodeUnderTest } from './support/node-under-test.ts';
import type { NodeUnderTest } from './support/node-under-test.ts';

let n: NodeUnderTest;

beforeAll(async () => {
  n = await startNodeUnderTest({
    hls: { fragment_ms: 2000, window_ms: 20_000, reconnect_window_ms: 1500 },
  });
});

afterAll(async () => {
  await n.stop();
});

interface Segment {
  readonly uri: string;
  readonly duration: number;
}

function parsePlaylist(text: string): { segments: Segment[]; ended: boolean; target: number } {
  const lines = text.split('\n');
  const segments: Segment[] = [];
  let duration = 0;
  for (const l of lines) {
    if (l.startsWith('#EXTINF:')) duration = Number.parseFloat(l.slice(8));
    else if (l !== '' && !l.startsWith('#')) segments.push({ uri: l, duration });
  }
  const t = lines.find((l) => l.startsWith('#EXT-X-TARGETDURATION:'));
  return { segments, ended: lines.includes('#EXT-X-ENDLIST'), target: Number(t?.split(':')[1]) };
}

describe('HLS: ffmpeg publishes over RTMP, the node cuts segments ffprobe can read', () => {
  it('writes keyframe-aligned segments of about hls_fragment, then ends the playlist', async () => {
    const pub = publishRtmp(n.rtmp('/live/hls'), { seconds: 9, gop: 25 });
    await sleep(5000);
    // While live: ffprobe reads the playlist over HTTP.
    const live = await probe(n.http('/live/hls.m3u8'));
    expect(live.streams.map((s) => s.codec_name).sort()).toEqual(['aac', 'h264']);
    expect(await pub.exited, pub.stderr()).toBe(0);
    // After the reconnect window the playlist is closed with EXT-X-ENDLIST.
    await sleep(3000);
    const res = await fetch(n.http('/live/hls.m3u8'));
    expect(res.headers.get('content-type')).toBe('application/vnd.apple.mpegurl');
    const pl = parsePlaylist(await res.text());
    expect(pl.ended).toBe(true);
    expect(pl.target).toBe(3);
    expect(pl.segments.length).toBeGreaterThanOrEqual(4);
    // Every segment but the last is close to hls_fragment (cut at the first keyframe past 2 s; GOP 1 s).
    for (const s of pl.segments.slice(0, -1)) {
      expect(s.duration).toBeGreaterThanOrEqual(1.9);
      expect(s.duration).toBeLessThanOrEqual(3.1);
    }
    const total = pl.segments.reduce((a, s) => a + s.duration, 0);
    expect(total).toBeGreaterThan(8);
    expect(total).toBeLessThan(9.6);
    // Each segment starts with a keyframe and decodes on its own.
    for (const s of pl.segments) {
      const url = n.http(`/live/${s.uri}`);
      const seg = await fetch(url);
      expect(seg.headers.get('cache-control')).toContain('immutable');
      const pk = await packets(url);
      expect(pk[0].flags, s.uri).toContain('K');
    }
  });

  it.each([
    ['audio-only', { video: false }, ['aac']],
    ['video-only', { audio: false }, ['h264']],
  ] as const)('segments an %s publish, with continuous timestamps across segments', async (name, signal, codecs) => {
    const pub = publishRtmp(n.rtmp(`/live/${name}`), { seconds: 7, gop: 25, ...signal });
    expect(await pub.exited, pub.stderr()).toBe(0);
    await sleep(3000);
    const res = await fetch(n.http(`/live/${name}.m3u8`));
    const pl = parsePlaylist(await res.text());
    expect(pl.ended).toBe(true);
    expect(pl.segments.length).toBeGreaterThanOrEqual(2);
    const info = await probe(n.http(`/live/${name}.m3u8`));
    expect(info.streams.map((s) => s.codec_name)).toEqual(codecs);
    // Each segment starts where the previous one ended (within one frame: 40 ms video, ~23 ms AAC).
    let end: number | null = null;
    for (const s of pl.segments) {
      const pk = await packets(n.http(`/live/${s.uri}`), 'video' in signal ? 'a' : 'v');
      const first = Number(pk[0].pts_time);
      if (end !== null) expect(Math.abs(first - end), s.uri).toBeLessThan(0.1);
      end = first + s.duration;
    }
  });

  it('does not serve files outside the HLS directory', async () => {
    for (const p of ['/../../etc/passwd.m3u8', '/live/%2e%2e/x.m3u8', '/live/..%2fx.ts', '/live/nothing.m3u8']) {
      const res = await fetch(n.http(p));
      expect(res.status, p).toBe(404);
    }
  });
});
