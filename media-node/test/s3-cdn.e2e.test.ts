import { readdirSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { decodeMediaPlaylist, type MediaPlaylist } from '../src/format/m3u8/media-playlist.ts';
import { packets, probe, publishRtmp, sleep } from './support/ffmpeg.ts';
import { startNginxCdn, type Cdn } from './support/nginx-cdn.ts';
import { startNodeUnderTest } from './support/node-under-test.ts';
import { S3RVER_KEYS, startS3, type S3Peer } from './support/s3-peer.ts';

/** Issue 3: HLS to S3 (s3rver) behind a CDN (nginx proxy_cache), and a 60 s S3 outage during a publish. */

const PREFIX = 'hls';
let s3: S3Peer;
let cdn: Cdn;

beforeAll(async () => {
  s3 = await startS3();
  cdn = await startNginxCdn(`${s3.url(PREFIX)}/`);
});

afterAll(async () => {
  await cdn?.stop();
  await s3?.stop();
});

function startNodeOnS3(hls: Record<string, unknown>) {
  return startNodeUnderTest({
    storage: { type: 's3', s3: { endpoint: s3.endpoint, bucket: s3.bucket, prefix: PREFIX, force_path_style: true, ...S3RVER_KEYS } },
    hls: { fragment_ms: 2000, ...hls },
  });
}

/** The bucket's copy of a key (bypassing the CDN); null when S3 answers 404. */
async function fromBucket(key: string): Promise<string | null> {
  const res = await fetch(s3.url(`${PREFIX}/${key}`));
  if (res.status === 404) return null;
  expect(res.status, key).toBe(200);
  return res.text();
}

/** Polls until `get` returns a non-null value. */
async function waitFor<T>(what: string, get: () => Promise<T | null>, ms: number): Promise<T> {
  const end = Date.now() + ms;
  for (;;) {
    const v = await get().catch(() => null);
    if (v !== null) return v;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await sleep(250);
  }
}

const seqOf = (uri: string) => Number(/-(\d+)\.ts$/.exec(uri)![1]);

describe('HLS on S3 behind a CDN', () => {
  it('plays through the CDN with CDN headers, and expired segments leave the bucket (hls_cleanup)', { timeout: 60_000 }, async () => {
    // 1 s segments and the shortest window (3 target durations, 6 s): segments expire within the publish
    const n = await startNodeOnS3({ fragment_ms: 1000, window_ms: 3000, reconnect_window_ms: 1000 });
    try {
      const pub = publishRtmp(n.rtmp('/live/cdn'), { seconds: 20, gop: 25 });
      const first = await waitFor('a playlist of 3 segments through the CDN', async () => {
        const res = await fetch(cdn.url('/live/cdn.m3u8'));
        if (res.status !== 200) return null;
        const p = decodeMediaPlaylist(await res.text());
        return p.segments.length >= 3 ? p : null;
      }, 20_000);

      const live = await probe(cdn.url('/live/cdn.m3u8'));
      expect(live.streams.map((s) => s.codec_name).sort(), cdn.errors()).toEqual(['aac', 'h264']);

      const pl = await fetch(cdn.url('/live/cdn.m3u8'));
      expect(pl.headers.get('content-type')).toBe('application/vnd.apple.mpegurl');
      expect(pl.headers.get('cache-control')).toBe('public, max-age=1');
      for (const s of first.segments) {
        const url = cdn.url(`/live/${s.uri}`);
        const a = await fetch(url);
        expect(a.status).toBe(200);
        expect(a.headers.get('content-type')).toBe('video/mp2t');
        expect(a.headers.get('cache-control')).toBe('public, max-age=31536000, immutable');
        await a.arrayBuffer();
        const b = await fetch(url);
        await b.arrayBuffer();
        expect(b.headers.get('x-cache-status'), 'an immutable segment is served from the CDN cache').toBe('HIT');
        expect((await packets(url))[0]!.flags, s.uri).toContain('K');
      }

      expect(await pub.exited, pub.stderr()).toBe(0);
      const ended = await waitFor('EXT-X-ENDLIST in the bucket', async () => {
        const text = await fromBucket('live/cdn.m3u8');
        return text !== null && text.includes('#EXT-X-ENDLIST') ? decodeMediaPlaylist(text) : null;
      }, 15_000);
      const keys = await s3.keys(`${PREFIX}/live/cdn-`);
      // the window kept only the last segments; what left it long enough ago is gone from the bucket too
      expect(keys).not.toContain(`${PREFIX}/live/${first.segments[0]!.uri}`);
      expect(keys.length).toBeLessThan(seqOf(ended.segments.at(-1)!.uri) - seqOf(first.segments[0]!.uri) + 1);
      for (const s of ended.segments) expect(keys).toContain(`${PREFIX}/live/${s.uri}`);
    } finally {
      await n.stop();
    }
  });

  it('loses nothing when S3 is down for 60 s during a publish, and no playlist ever names a missing object', { timeout: 150_000 }, async () => {
    const PUBLISH_S = 85;
    const n = await startNodeOnS3({ window_ms: 300_000, cleanup: false, reconnect_window_ms: 0 });
    const versions: MediaPlaylist[] = [];
    const violations: string[] = [];
    const checked = new Set<string>();
    let up = true;
    let watching = true;
    // While S3 is up: every new playlist version in the bucket must name only objects that are there right now.
    const watcher = (async () => {
      let last = '';
      while (watching) {
        await sleep(500);
        if (!up) continue;
        const text = await fromBucket('live/outage.m3u8').catch(() => null);
        if (text === null || text === last) continue;
        last = text;
        const p = decodeMediaPlaylist(text);
        versions.push(p);
        for (const s of p.segments) {
          if (checked.has(s.uri)) continue;
          const res = await fetch(s3.url(`${PREFIX}/live/${s.uri}`), { method: 'HEAD' }).catch(() => null);
          if (res === null) continue; // S3 went down between the two requests
          if (res.status !== 200) violations.push(`${s.uri} named by media sequence ${p.mediaSequence} but ${res.status}`);
          checked.add(s.uri);
        }
      }
    })();
    try {
      const pub = publishRtmp(n.rtmp('/live/outage'), { seconds: PUBLISH_S, gop: 25 });
      await sleep(12_000);
      expect(versions.length, 'the playlist is in the bucket before the outage').toBeGreaterThan(0);
      up = false;
      await s3.down();
      const downAt = Date.now();
      await sleep(60_000);
      // meanwhile the finished segments waited in the node's spool directory
      const spoolDir = String(n.log.records.find((r) => r.event === 'storage')?.fields.spool);
      expect(readdirSync(spoolDir).filter((f) => f.endsWith('.op')).length).toBeGreaterThanOrEqual(25);
      await s3.up();
      const upAt = Date.now();
      up = true;
      expect(await pub.exited, pub.stderr()).toBe(0);
      const final = await waitFor('EXT-X-ENDLIST in the bucket', async () => {
        const text = await fromBucket('live/outage.m3u8');
        return text !== null && text.includes('#EXT-X-ENDLIST') ? decodeMediaPlaylist(text) : null;
      }, 30_000);
      watching = false;
      await watcher;

      expect(violations).toEqual([]);
      // the final playlist: every segment from the first, numbered without a gap, no discontinuity, ~90 s of media
      const seqs = final.segments.map((s) => seqOf(s.uri));
      expect(seqs).toEqual(seqs.map((_, i) => final.mediaSequence + i));
      expect(final.segments.filter((s) => s.discontinuity)).toEqual([]);
      const total = final.segments.reduce((a, s) => a + s.duration, 0);
      expect(total).toBeGreaterThan(PUBLISH_S - 3);
      expect(total).toBeLessThan(PUBLISH_S + 2);
      // the segments cut during the outage went up afterwards: ~30 of them
      const duringOutage = final.segments.filter((s) => s.programDateTime! > downAt && s.programDateTime! < upAt - 2000);
      expect(duringOutage.length).toBeGreaterThanOrEqual(25);
      // the bucket holds exactly the final playlist's segments, and every version ever seen names only those
      const keys = await s3.keys(`${PREFIX}/live/outage-`);
      expect(keys).toEqual(final.segments.map((s) => `${PREFIX}/live/${s.uri}`).sort());
      for (const v of versions) for (const s of v.segments) expect(keys).toContain(`${PREFIX}/live/${s.uri}`);
      // media sequence numbers never went backwards while the playlist lagged and caught up
      const firsts = versions.map((v) => v.mediaSequence);
      expect(firsts).toEqual([...firsts].sort((a, b) => a - b));
      // the node saw the outage and the recovery
      const events = n.log.records.map((r) => r.event);
      expect(events).toContain('storage_degraded');
      const recovered = n.log.records.find((r) => r.event === 'storage_recovered');
      expect(Number(recovered?.fields.down_ms)).toBeGreaterThan(55_000);
      expect(events).not.toContain('storage_spool_evicted');
      expect(events).not.toContain('hls_segment_store_failed');
      expect(readdirSync(spoolDir)).toEqual([]);
      // and the CDN serves the whole recording now
      const viaCdn = await probe(cdn.url('/live/outage.m3u8'), ['-show_format']);
      expect(viaCdn.streams.map((s) => s.codec_name).sort()).toEqual(['aac', 'h264']);
    } finally {
      watching = false;
      await watcher;
      await n.stop();
    }
  });
});
