/**
 * Issue 3, "hls.js in headless Chromium plays the stream ... through the
 * CDN": a node writes HLS to S3 (s3rver), nginx with proxy_cache is the CDN
 * in front of the bucket, and the node's player page (another origin) plays
 * the CDN's playlist URL with hls.js. "Plays" means the video element's
 * currentTime advances, frames decode and the picture is testsrc. The
 * screenshot lands in `media-node/test-results/player-hls-cdn.png`.
 */
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { decodeMediaPlaylist } from '../src/format/m3u8/media-playlist.ts';
import { launchChromium, openPage, playerPageUrl, samplePicture, saveScreenshot, waitForPlayback, watchVideo } from './support/browser.ts';
import { publishRtmp, sleep } from './support/ffmpeg.ts';
import type { Peer } from './support/ffmpeg.ts';
import { startNginxCdn } from './support/nginx-cdn.ts';
import type { Cdn } from './support/nginx-cdn.ts';
import { startNodeUnderTest } from './support/node-under-test.ts';
import type { NodeUnderTest } from './support/node-under-test.ts';
import { S3RVER_KEYS, startS3 } from './support/s3-peer.ts';
import type { S3Peer } from './support/s3-peer.ts';

/** The same bar as browser.e2e.test.ts: watched 3 s, at least 2 s of media time and 40 of 75 frames, a real picture. */
const WATCH_MS = 3000;
const MIN_ADVANCE_S = 2;
const MIN_FRAMES = 40;
const MIN_COLOURS = 24;
/** hls.js starts three target durations from the live edge: wait until the CDN lists that many segments. */
const SEGMENTS_BEFORE_PLAY = 3;
const PREFIX = 'hls';

let s3: S3Peer;
let cdn: Cdn;
let n: NodeUnderTest;
let browser: Browser;
let pub: Peer;

beforeAll(async () => {
  s3 = await startS3();
  [cdn, browser] = await Promise.all([startNginxCdn(`${s3.url(PREFIX)}/`), launchChromium()]);
  n = await startNodeUnderTest({
    storage: { type: 's3', s3: { endpoint: s3.endpoint, bucket: s3.bucket, prefix: PREFIX, force_path_style: true, ...S3RVER_KEYS } },
    hls: { fragment_ms: 2000 },
  });
  // 30 s of testsrc + sine, H.264 (GOP 1 s) + AAC, in real time: outlives the wait and the watch.
  pub = publishRtmp(n.rtmp('/live/viacdn'), { seconds: 30, width: 640, height: 360, fps: 25, gop: 25 });
});

afterAll(async () => {
  await browser?.close();
  await pub?.stop();
  await n?.stop();
  await cdn?.stop();
  await s3?.stop();
});

async function waitForCdnPlaylist(url: string, segments: number, timeoutMs: number): Promise<void> {
  const deadline = performance.now() + timeoutMs;
  for (;;) {
    const res = await fetch(url).catch(() => null);
    // Before the first playlist is in the bucket the CDN may answer with something else (an error body): not yet.
    const text = res?.status === 200 ? await res.text() : '';
    if (text.startsWith('#EXTM3U') && decodeMediaPlaylist(text).segments.length >= segments) return;
    if (performance.now() > deadline) throw new Error(`fewer than ${segments} segments at ${url} after ${timeoutMs} ms: ${cdn.errors()}`);
    await sleep(250);
  }
}

/** Every playlist and segment URL the page fetched (Resource Timing sees XHR and fetch, from the first request on). */
async function mediaRequests(page: Page): Promise<string[]> {
  const names = await page.evaluate(() => {
    const perf = (globalThis as unknown as { performance: { getEntriesByType(t: 'resource'): Array<{ name: string }> } }).performance;
    return perf.getEntriesByType('resource').map((e) => e.name);
  });
  return names.filter((u) => /\.(m3u8|ts)(\?|$)/.test(new URL(u).pathname));
}

describe('hls.js in headless Chromium through the CDN', () => {
  it('plays the CDN\'s playlist on the node\'s player page: time advances, frames decode, every request goes to the CDN', { timeout: 60_000 }, async () => {
    const m3u8 = cdn.url('/live/viacdn.m3u8');
    await waitForCdnPlaylist(m3u8, SEGMENTS_BEFORE_PLAY, 25_000);
    // what the browser relies on: a CORS header on both kinds of object, from the CDN
    const pl = await fetch(m3u8, { headers: { Origin: n.http('') } });
    expect(pl.headers.get('access-control-allow-origin')).toBe('*');

    const page = await openPage(browser, playerPageUrl(n.http(''), m3u8));
    try {
      await waitForPlayback(page, '#v', 15_000);
      const w = await watchVideo(page, '#v', WATCH_MS);
      const picture = await samplePicture(page, '#v');
      await saveScreenshot(page, 'player-hls-cdn');
      const requests = await mediaRequests(page);

      expect(w.engine).toBe('hls.js');
      expect(w.errors).toEqual([]);
      expect(w.currentTimeEnd - w.currentTimeStart).toBeGreaterThanOrEqual(MIN_ADVANCE_S);
      expect(w.framesDuringWatch).toBeGreaterThanOrEqual(MIN_FRAMES);
      expect([w.width, w.height]).toEqual([640, 360]);
      expect(picture.distinctColors).toBeGreaterThanOrEqual(MIN_COLOURS);

      // the page is the node's, the media the CDN's: playlist reloads and several segments, none from the node
      const origins = new Set(requests.map((u) => new URL(u).origin));
      expect([...origins]).toEqual([new URL(cdn.url('/')).origin]);
      expect(requests.filter((u) => u.endsWith('.m3u8')).length).toBeGreaterThanOrEqual(2);
      expect(requests.filter((u) => u.endsWith('.ts')).length).toBeGreaterThanOrEqual(2);
    } finally {
      await page.close();
    }
  });
});
