/**
 * Real-browser proof for the node's players: headless Chromium opens the
 * built-in player page at `/players/?url=...` and plays what ffmpeg
 * publishes over RTMP as HTTP-FLV and WS-FLV (mpegts.js) and as HLS
 * (hls.js), all served by the node. "Plays" means the video element's
 * currentTime advances and frames decode. Screenshots land in
 * `media-node/test-results/`.
 */
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchChromium, openPage, playerPageUrl, samplePicture, saveScreenshot, waitForPlayback, watchVideo } from './support/browser.ts';
import type { PictureStats, VideoWatch } from './support/browser.ts';
import { publishRtmp, sleep } from './support/ffmpeg.ts';
import type { Peer } from './support/ffmpeg.ts';
import { startNodeUnderTest } from './support/node-under-test.ts';
import type { NodeUnderTest } from './support/node-under-test.ts';

/** How long each player is watched once it plays: long enough to tell playback from a stall. */
const WATCH_MS = 3000;
/** Media time a player must advance in WATCH_MS (a stalled player advances ~0). */
const MIN_ADVANCE_S = 2;
/** 25 fps for 3 s is 75 frames; well over half must have been decoded. */
const MIN_FRAMES = 40;
/** testsrc at 640x360 shows 60-70 colours at 3 bits a channel (measured); a blank frame shows one. */
const MIN_COLOURS = 24;

let n: NodeUnderTest;
let browser: Browser;
let pub: Peer;

beforeAll(async () => {
  [n, browser] = await Promise.all([startNodeUnderTest({ hls: { fragment_ms: 2000 } }), launchChromium()]);
  // 30 s of testsrc + sine, H.264 (GOP 1 s) + AAC, in real time: outlives all three players.
  pub = publishRtmp(n.rtmp('/live/browser'), { seconds: 30, width: 640, height: 360, fps: 25, gop: 25 });
});

afterAll(async () => {
  await browser?.close();
  await pub?.stop();
  await n?.stop();
});

async function playOnPlayerPage(streamUrl: string, shot: string): Promise<VideoWatch & { picture: PictureStats }> {
  const page = await openPage(browser, playerPageUrl(n.http(''), streamUrl));
  try {
    await waitForPlayback(page, '#v', 15_000);
    const w = await watchVideo(page, '#v', WATCH_MS);
    const picture = await samplePicture(page, '#v');
    await saveScreenshot(page, shot);
    return { ...w, picture };
  } finally {
    await page.close();
  }
}

async function waitForPlaylist(url: string, timeoutMs: number): Promise<void> {
  const deadline = performance.now() + timeoutMs;
  for (;;) {
    const res = await fetch(url);
    if (res.status === 200 && (await res.text()).includes('#EXTINF:')) return;
    if (performance.now() > deadline) throw new Error(`no segment in ${url} after ${timeoutMs} ms`);
    await sleep(200);
  }
}

function expectPlayed(w: VideoWatch & { picture: PictureStats }, engine: string): void {
  expect(w.engine).toBe(engine);
  expect(w.errors).toEqual([]);
  expect(w.currentTimeEnd - w.currentTimeStart).toBeGreaterThanOrEqual(MIN_ADVANCE_S);
  expect(w.framesDuringWatch).toBeGreaterThanOrEqual(MIN_FRAMES);
  expect([w.width, w.height]).toEqual([640, 360]);
  // testsrc: colour bars, a gradient and a counter; a black or garbage-green frame has one or two colours.
  expect(w.picture.distinctColors).toBeGreaterThanOrEqual(MIN_COLOURS);
}

describe('the built-in player page in headless Chromium', () => {
  it('plays HTTP-FLV with mpegts.js', async () => {
    const w = await playOnPlayerPage(n.http('/live/browser.flv'), 'player-http-flv');
    expectPlayed(w, 'mpegts.js');
  });

  it('plays WS-FLV with mpegts.js', async () => {
    const w = await playOnPlayerPage(n.http('/live/browser.flv').replace('http:', 'ws:'), 'player-ws-flv');
    expectPlayed(w, 'mpegts.js (WebSocket)');
  });

  it('plays HLS from the node with hls.js', async () => {
    // hls.js gives up on a playlist that 404s: start once the node has cut a segment.
    await waitForPlaylist(n.http('/live/browser.m3u8'), 15_000);
    const w = await playOnPlayerPage(n.http('/live/browser.m3u8'), 'player-hls');
    expectPlayed(w, 'hls.js');
  });
});
