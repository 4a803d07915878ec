/**
 * WebRTC to WebRTC for the codecs the hub does not carry: headless Chromium
 * publishes over WHIP offering only VP8, VP9 or AV1 (its fake camera and
 * microphone); a second Chromium page plays the stream over WHEP and decodes
 * that codec (requestVideoFrameCallback count, inbound-rtp codec and frames)
 * with the publisher's Opus; a player that joins later gets a picture at once
 * from the relay's GOP cache; a werift player's PLI reaches the publishing
 * browser (its outbound-rtp pliCount); RTMP-side readers (HTTP-FLV) get the
 * stream's audio as AAC and no video; a WHEP offer without the stream's codec
 * is refused with problem JSON.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium } from 'playwright-core';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startWhepLoadClient } from '../src/protocol/rtc/whep-load-client.ts';
import type { LoadClientVideoCodec } from '../src/protocol/rtc/whep-load-client.ts';
import { CHROMIUM_PATH } from './support/browser.ts';
import { probe, sleep } from './support/ffmpeg.ts';
import { startNodeUnderTest } from './support/node-under-test.ts';
import { fetchFor, pollFor } from './support/poll.ts';
import type { NodeUnderTest } from './support/node-under-test.ts';
import { rtcPageState, rtcPageStats, openWebrtcPage, WEBRTC_CHROMIUM_ARGS, whepPlay, whipPublish } from './support/webrtc-browser.ts';

let n: NodeUnderTest;
let browser: Browser;
let tmp: string;

beforeAll(async () => {
  tmp = mkdtempSync(join(tmpdir(), 'runnel-passthrough-e2e-'));
  [n, browser] = await Promise.all([
    startNodeUnderTest({ listen: { host: '127.0.0.1', rtmp: 0, http: 0, api: 0, srt: 0, rtc: 0 }, rtc: { allow_loopback_candidates: true } }),
    chromium.launch({ executablePath: CHROMIUM_PATH, headless: true, args: WEBRTC_CHROMIUM_ARGS }),
  ]);
});

afterAll(async () => {
  await browser?.close();
  await n?.stop();
  if (tmp !== undefined) rmSync(tmp, { recursive: true, force: true });
});

const openPage = (): Promise<Page> => openWebrtcPage(browser, n.http('/healthz'));

const framesOver = (page: Page, count: number) => async () => ((await rtcPageState(page)).frames > count ? true : undefined);

describe.each(['VP8', 'VP9', 'AV1'] as const)('%s from a WHIP publisher', (codec) => {
  it('plays in a Chromium WHEP player with its Opus, a late player starts at once, and a player\'s PLI reaches the publisher', async () => {
    const stream = `pass-${codec.toLowerCase()}`;
    const publisher = await openPage();
    const viewers: Page[] = [];
    try {
      await whipPublish(publisher, n.http(`/rtc/v1/whip/?app=live&stream=${stream}`), undefined, codec);
      expect((await rtcPageState(publisher)).status).toBe(201);
      await pollFor(`the publisher's first frames`, 15_000, async () => ((await rtcPageStats(publisher)).videoCodec === `video/${codec}` ? true : undefined));
      const publish = await pollFor('the publish log line', 5000, async () => n.log.events('publish').find((e) => e.fields.stream === `live/${stream}`));
      expect(publish.fields.video_codec).toBe(`video/${codec}`);

      const viewer = await openPage();
      viewers.push(viewer);
      await whepPlay(viewer, n.http(`/rtc/v1/whep/?app=live&stream=${stream}`));
      await pollFor(`${codec} frames in the player`, 15_000, framesOver(viewer, 25));
      const stats = await rtcPageStats(viewer);
      expect(stats.videoCodec).toBe(`video/${codec}`);
      expect(stats.framesDecoded).toBeGreaterThan(25);
      expect(stats.audioPackets).toBeGreaterThan(25);
      expect(stats.audioEnergy).toBeGreaterThan(0);

      // A player that joins now starts from the relay's GOP cache: a decoded picture within a second
      // (the fake camera's encoder sends key frames only when asked).
      const late = await openPage();
      viewers.push(late);
      const t0 = performance.now();
      await whepPlay(late, n.http(`/rtc/v1/whep/?app=live&stream=${stream}`));
      await pollFor('the late player\'s first frame', 10_000, framesOver(late, 0));
      expect(performance.now() - t0).toBeLessThan(3000);

      // A player's PLI reaches the publishing browser (rate-limited to one per rtc.pli_interval_ms).
      const werift = await startWhepLoadClient({
        address: '127.0.0.1',
        audio: false,
        videoCodec: codec as LoadClientVideoCodec,
        exchange: async (offer) => {
          const res = await fetch(n.http(`/rtc/v1/whep/?app=live&stream=${stream}`), { method: 'POST', headers: { 'Content-Type': 'application/sdp' }, body: offer });
          expect(res.status).toBe(201);
          return res.text();
        },
      });
      try {
        await pollFor('RTP at the werift player', 10_000, async () => (werift.counters.video.packets > 10 ? true : undefined));
        const before = (await rtcPageStats(publisher)).pliCount;
        await sleep(1100);
        await werift.requestKeyframe();
        await pollFor('the PLI at the publisher', 5000, async () => ((await rtcPageStats(publisher)).pliCount > before ? true : undefined));
        expect(n.log.events('rtc_keyframe_request').some((e) => e.fields.stream === `live/${stream}`)).toBe(true);
      } finally {
        await werift.close();
      }
      const plays = n.node.clients.list().filter((c) => c.type === 'rtc-play' && c.url === `/live/${stream}`);
      expect(plays.length).toBeGreaterThanOrEqual(2);
    } finally {
      for (const v of viewers) await v.close();
      const location = (await rtcPageState(publisher)).location;
      if (location !== null) await fetch(n.http(location), { method: 'DELETE' });
      await publisher.close();
    }
    await pollFor('the publisher to leave', 5000, async () => (n.node.clients.list().some((c) => c.type === 'rtc-publish' && c.url === `/live/${stream}`) ? undefined : true));
  });
});

describe('the rest of the node', () => {
  it('HTTP-FLV of a VP8 WHIP stream carries its audio as AAC and no video; an H.264-only WHEP offer is refused', async () => {
    const publisher = await openPage();
    try {
      await whipPublish(publisher, n.http('/rtc/v1/whip/?app=live&stream=vp8-flv'), undefined, 'VP8');
      await pollFor('audio in the hub', 15_000, async () => {
        const res = await fetch(n.api('/api/v1/streams/'));
        const body = (await res.json()) as { streams: { name: string; audio: unknown }[] };
        return body.streams.some((s) => s.name === 'vp8-flv' && s.audio) ? true : undefined;
      });
      const file = join(tmp, 'vp8.flv');
      writeFileSync(file, await fetchFor(n.http('/live/vp8-flv.flv'), 3000));
      const p = await probe(file);
      expect(p.streams.map((s) => [s.codec_type, s.codec_name])).toEqual([['audio', 'aac']]);

      // A player that can only decode H.264 cannot play a VP8 stream: 400 naming the codec.
      const h264Only = await startWhepLoadClient({
        address: '127.0.0.1',
        audio: false,
        exchange: async (offer) => {
          const res = await fetch(n.http('/rtc/v1/whep/?app=live&stream=vp8-flv'), { method: 'POST', headers: { 'Content-Type': 'application/sdp' }, body: offer });
          const problem = (await res.json()) as { code: string; detail: string };
          throw new Error(`${res.status} ${problem.code}: ${problem.detail}`);
        },
      }).catch((e: Error) => e.message);
      expect(h264Only).toMatch(/^400 sdp_unsupported_codec: the stream is VP8/);
    } finally {
      const location = (await rtcPageState(publisher)).location;
      if (location !== null) await fetch(n.http(location), { method: 'DELETE' });
      await publisher.close();
    }
  });
});
