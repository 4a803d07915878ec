/**
 * Chromium for the WebRTC end-to-end tests: support/browser.ts's flags plus
 * what WebRTC on loopback needs, and the WHIP/WHEP test page
 * (`test/webrtc/webrtc-page.html`, plain browser APIs) with typed access to
 * what it records.
 */
import { readFileSync } from 'node:fs';
import type { Browser, Page } from 'playwright-core';
import { CHROMIUM_ARGS } from './browser.ts';

export const WEBRTC_PAGE_HTML = readFileSync(new URL('../webrtc/webrtc-page.html', import.meta.url), 'utf8');

export const WEBRTC_CHROMIUM_ARGS = [
  ...CHROMIUM_ARGS,
  // Gather and pair loopback candidates (Chromium skips 127.0.0.1 otherwise) and show them as
  // addresses, not mDNS names: the node is on 127.0.0.1 and no traffic should leave the machine.
  '--allow-loopback-in-peer-connection',
  '--disable-features=WebRtcHideLocalIpsWithMdns',
  // WHIP: a generated camera (a moving pattern) and microphone (a beep), no permission prompt.
  '--use-fake-device-for-media-stream',
  '--use-fake-ui-for-media-stream',
];

/** The page's `window.rtc`. */
export interface RtcPageState {
  frames: number;
  location: string | null;
  status: number;
  state: string;
}

/** The page's rtcStats(): inbound-rtp (player) and outbound-rtp (publisher) counters. */
export interface RtcPageStats {
  audioPackets: number;
  framesDecoded: number;
  audioSamples: number;
  audioEnergy: number;
  concealedSamples: number;
  /** The video codec's mimeType, e.g. 'video/VP8'. */
  videoCodec: string | null;
  /** Key frame requests the publisher's video sender received. */
  pliCount: number;
}

export const rtcPageState = (page: Page): Promise<RtcPageState> => page.evaluate(() => (globalThis as unknown as { rtc: RtcPageState }).rtc);
export const rtcPageStats = (page: Page): Promise<RtcPageStats> => page.evaluate(() => (globalThis as unknown as { rtcStats(): Promise<RtcPageStats> }).rtcStats());

export const whepPlay = (page: Page, url: string): Promise<void> =>
  page.evaluate((u) => (globalThis as unknown as { whepPlay(u: string): Promise<void> }).whepPlay(u), url);

export const whipPublish = (page: Page, url: string, token?: string, videoCodec?: string): Promise<void> =>
  page.evaluate(
    ([u, t, c]) => (globalThis as unknown as { whipPublish(u: string, t?: string, c?: string): Promise<void> }).whipPublish(u, t, c),
    [url, token, videoCodec] as const,
  );

/**
 * A new page with the test page's content, at the origin of `originUrl` (a
 * page of the node: a secure context on 127.0.0.1, so getUserMedia works, and
 * same-origin fetches to /rtc/v1/).
 */
export async function openWebrtcPage(browser: Browser, originUrl: string): Promise<Page> {
  const page = await browser.newPage();
  await page.goto(originUrl);
  await page.setContent(WEBRTC_PAGE_HTML);
  return page;
}
