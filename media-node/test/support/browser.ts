/**
 * Headless Debian Chromium for end-to-end tests, driven by playwright-core
 * (the driver only: no downloaded browser). A test opens a page (the node's
 * player page, or any page that plays a stream from a node or a CDN), waits
 * until its `<video>` plays, watches it for a while and keeps a screenshot
 * in `media-node/test-results/` (git-ignored) for a human to look at.
 */
import { existsSync, mkdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';
import type { Browser, Page } from 'playwright-core';

/** Where Debian's `chromium` package puts the browser (`npm run bootstrap -- --test` installs it). */
export const CHROMIUM_PATH = '/usr/bin/chromium';

/** Screenshots and other artifacts a human may want after a run (git-ignored). */
export const ARTIFACTS_DIR = fileURLToPath(new URL('../../test-results/', import.meta.url));

export const CHROMIUM_ARGS = [
  '--no-sandbox', // tests run as root in containers, where the setuid/namespace sandbox is unavailable
  '--disable-gpu',
  '--disable-dev-shm-usage', // containers often give /dev/shm 64 MB; Chromium crashes when it fills
  '--disable-quic',
  '--no-first-run',
  // The test machine has no internet: without these Chromium keeps dialling Google services.
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  // A muted <video autoplay> may start anyway; this also covers players that unmute.
  '--autoplay-policy=no-user-gesture-required',
];

/** Launches headless Chromium with a fresh temporary profile (removed again by `browser.close()`). */
export async function launchChromium(): Promise<Browser> {
  if (!existsSync(CHROMIUM_PATH)) {
    throw new Error(`no Chromium at ${CHROMIUM_PATH}: install Debian's chromium (npm run bootstrap -- --test, as root)`);
  }
  return chromium.launch({ executablePath: CHROMIUM_PATH, headless: true, args: CHROMIUM_ARGS });
}

const pageErrors = new WeakMap<Page, string[]>();

/**
 * A new page at `url`, recording what went wrong in it from the start:
 * uncaught exceptions, console errors and failed requests (read them with
 * `errorsOf`, or in `watchVideo`'s result).
 */
export async function openPage(browser: Browser, url: string): Promise<Page> {
  const page = await browser.newPage({ viewport: { width: 1000, height: 720 } });
  const errors: string[] = [];
  pageErrors.set(page, errors);
  page.on('pageerror', (e) => errors.push(`pageerror: ${e.message}`));
  page.on('console', (m) => {
    if (m.type() === 'error') errors.push(`console: ${m.text()} (${m.location().url})`);
  });
  page.on('requestfailed', (r) => errors.push(`requestfailed: ${r.url()} ${r.failure()?.errorText ?? ''}`));
  await page.goto(url);
  return page;
}

/** What went wrong in a page opened by `openPage` so far. */
export function errorsOf(page: Page): string[] {
  return [...(pageErrors.get(page) ?? [])];
}

/** The player page of a node (`base` = `http://host:port`) playing `streamUrl`: FLV, WS-FLV or HLS, from the node or a CDN. */
export function playerPageUrl(base: string, streamUrl: string): string {
  return `${base}/players/?url=${encodeURIComponent(streamUrl)}`;
}

/** The parts of HTMLMediaElement read here (the type-check runs without DOM typings). */
interface VideoLike {
  readonly currentTime: number;
  readonly readyState: number;
  readonly paused: boolean;
  readonly videoWidth: number;
  readonly videoHeight: number;
  readonly error: { readonly code: number; readonly message: string } | null;
  readonly dataset: Record<string, string | undefined>;
  getVideoPlaybackQuality(): { readonly totalVideoFrames: number; readonly droppedVideoFrames: number };
}

export interface VideoSample {
  readonly currentTime: number;
  readonly readyState: number;
  readonly paused: boolean;
  readonly width: number;
  readonly height: number;
  readonly decodedFrames: number;
  readonly droppedFrames: number;
  /** The video element's MediaError, if any. */
  readonly error: string | null;
  /** `data-engine` of the element (the node's player page: hls.js, native-hls, mpegts.js ...). */
  readonly engine: string | null;
}

/** One look at the `<video>` matching `selector`. */
export async function sampleVideo(page: Page, selector: string): Promise<VideoSample> {
  return page.$eval(selector, (el) => {
    const v = el as unknown as VideoLike;
    const q = v.getVideoPlaybackQuality();
    return {
      currentTime: v.currentTime,
      readyState: v.readyState,
      paused: v.paused,
      width: v.videoWidth,
      height: v.videoHeight,
      decodedFrames: q.totalVideoFrames,
      droppedFrames: q.droppedVideoFrames,
      error: v.error === null ? null : `MediaError ${v.error.code} ${v.error.message}`,
      engine: v.dataset.engine ?? null,
    };
  });
}

/** HTMLMediaElement.HAVE_FUTURE_DATA: the element can play on from here. */
const HAVE_FUTURE_DATA = 3;

/**
 * Waits until the video plays (time past 0, enough data to go on); rejects
 * after `timeoutMs` with the last sample and the page's errors.
 */
export async function waitForPlayback(page: Page, selector: string, timeoutMs: number): Promise<VideoSample> {
  const deadline = performance.now() + timeoutMs;
  for (;;) {
    const s = await sampleVideo(page, selector);
    if (s.currentTime > 0 && s.readyState >= HAVE_FUTURE_DATA && s.error === null) return s;
    if (performance.now() > deadline || s.error !== null) {
      throw new Error(`no playback in ${selector} after ${timeoutMs} ms: ${JSON.stringify(s)}; errors: ${errorsOf(page).join(' | ') || 'none'}`);
    }
    await page.waitForTimeout(100);
  }
}

export interface VideoWatch {
  readonly currentTimeStart: number;
  readonly currentTimeEnd: number;
  /** getVideoPlaybackQuality().totalVideoFrames at the end (all frames decoded since load). */
  readonly decodedFrames: number;
  /** Frames decoded during the watch. */
  readonly framesDuringWatch: number;
  readonly droppedFrames: number;
  readonly width: number;
  readonly height: number;
  readonly engine: string | null;
  /** Page errors since `openPage` plus the video's MediaError, if any. */
  readonly errors: readonly string[];
}

/** Watches the video for `ms` of wall-clock time. */
export async function watchVideo(page: Page, selector: string, ms: number): Promise<VideoWatch> {
  const start = await sampleVideo(page, selector);
  await page.waitForTimeout(ms);
  const end = await sampleVideo(page, selector);
  const errors = errorsOf(page);
  if (end.error !== null) errors.push(end.error);
  return {
    currentTimeStart: start.currentTime,
    currentTimeEnd: end.currentTime,
    decodedFrames: end.decodedFrames,
    framesDuringWatch: end.decodedFrames - start.decodedFrames,
    droppedFrames: end.droppedFrames,
    width: end.width,
    height: end.height,
    engine: end.engine,
    errors,
  };
}

export interface PictureStats {
  readonly width: number;
  readonly height: number;
  /** Distinct colours after keeping the top 3 bits of each channel: 1 for a black or flat frame, 60-70 for testsrc. */
  readonly distinctColors: number;
}

/**
 * Draws the video's current frame on a canvas and counts its colours, so a
 * test can tell a real picture from a black or single-colour one (what a
 * decoder that "plays" garbage shows).
 */
export async function samplePicture(page: Page, selector: string): Promise<PictureStats> {
  return page.$eval(selector, (el) => {
    const v = el as unknown as VideoLike;
    const doc = (globalThis as unknown as { document: { createElement(tag: 'canvas'): CanvasLike } }).document;
    const canvas = doc.createElement('canvas');
    canvas.width = v.videoWidth;
    canvas.height = v.videoHeight;
    const ctx = canvas.getContext('2d');
    ctx.drawImage(v, 0, 0);
    const px = ctx.getImageData(0, 0, canvas.width, canvas.height).data;
    const colours = new Set<number>();
    for (let i = 0; i < px.length; i += 4) colours.add(((px[i] >> 5) << 6) | ((px[i + 1] >> 5) << 3) | (px[i + 2] >> 5));
    return { width: canvas.width, height: canvas.height, distinctColors: colours.size };
  });
}

/** The parts of a 2D canvas used by samplePicture. */
interface CanvasLike {
  width: number;
  height: number;
  getContext(kind: '2d'): {
    drawImage(source: unknown, x: number, y: number): void;
    getImageData(x: number, y: number, w: number, h: number): { readonly data: Uint8ClampedArray };
  };
}

/** Saves a PNG of the page as `test-results/<name>.png` and returns its path. */
export async function saveScreenshot(page: Page, name: string): Promise<string> {
  mkdirSync(ARTIFACTS_DIR, { recursive: true });
  const path = `${ARTIFACTS_DIR}${name}.png`;
  await page.screenshot({ path });
  return path;
}
