/**
 * WebRTC with a real browser: ffmpeg publishes RTMP and headless Chromium
 * plays it over WHEP (the <video> decodes frames: requestVideoFrameCallback
 * count and currentTime advance); Chromium's fake camera and microphone
 * publish over WHIP and ffprobe reads the stream back over HTTP-FLV and HLS
 * (H.264 + AAC, from the audio bridge; key frames because the node asks for
 * them, rtc.pli_for_rtmp_ms); the RTMP publish's AAC reaches WHEP players as
 * Opus (Chromium's inbound-rtp audio stats count packets, samples, energy). Signalling refusals are problem JSON; garbage UDP at a live
 * session's port leaves the process and the session running. The test page
 * is `test/webrtc/webrtc-page.html`, written into a page of the node's
 * origin (a secure context on 127.0.0.1, so getUserMedia works).
 */
import { createSocket } from 'node:dgram';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import type { Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium } from 'playwright-core';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { decodeAudioData } from '../src/format/flv/audio-data.ts';
import { decodeVideoData } from '../src/format/flv/video-data.ts';
import { CHROMIUM_PATH } from './support/browser.ts';
import { openWebrtcPage, WEBRTC_CHROMIUM_ARGS } from './support/webrtc-browser.ts';
import { readFlvFrames } from './support/flv-frames.ts';
import { probe, publishRtmp, sleep } from './support/ffmpeg.ts';
import type { Peer } from './support/ffmpeg.ts';
import { startNodeUnderTest } from './support/node-under-test.ts';
import { fetchFor, pollFor } from './support/poll.ts';
import type { NodeUnderTest } from './support/node-under-test.ts';

/** Decoded frames a WHEP player must show in WATCH_MS (25 fps for 3 s is 75). */
const MIN_FRAMES = 40;
const WATCH_MS = 3000;

let n: NodeUnderTest;
let browser: Browser;
let pub: Peer;
let tmp: string;
let hookServer: Server;
/** Every hook call: its action and `param`. */
const hookCalls: { action: string; param: string; stream: string }[] = [];
const hookParams = { some: (f: (q: string) => boolean) => hookCalls.some((c) => c.action === 'on_publish' && f(c.param)) };

beforeAll(async () => {
  tmp = mkdtempSync(join(tmpdir(), 'runnel-webrtc-e2e-'));
  hookServer = createServer((req, res) => {
    let body = '';
    req.on('data', (c: Buffer) => (body += c.toString()));
    req.on('end', () => {
      hookCalls.push(JSON.parse(body) as { action: string; param: string; stream: string });
      res.writeHead(200, { 'Content-Type': 'application/json' }).end('{"code":0}');
    });
  });
  await new Promise<void>((r) => hookServer.listen(0, '127.0.0.1', r));
  const hookPort = (hookServer.address() as { port: number }).port;
  [n, browser] = await Promise.all([
    startNodeUnderTest({
      listen: { host: '127.0.0.1', rtmp: 0, http: 0, api: 0, srt: 0, rtc: 0 },
      rtc: { allow_loopback_candidates: true, pli_for_rtmp_ms: 1000 },
      hls: { fragment_ms: 1000 },
      hooks: { on_publish: [`http://127.0.0.1:${hookPort}/`], on_play: [`http://127.0.0.1:${hookPort}/`], on_stop: [`http://127.0.0.1:${hookPort}/`] },
    }),
    chromium.launch({ executablePath: CHROMIUM_PATH, headless: true, args: WEBRTC_CHROMIUM_ARGS }),
  ]);
  pub = publishRtmp(n.rtmp('/live/cam'), { seconds: 40, width: 640, height: 360, fps: 25, gop: 25 });
});

afterAll(async () => {
  await browser?.close();
  await pub?.stop();
  await n?.stop();
  hookServer?.close();
  if (tmp !== undefined) rmSync(tmp, { recursive: true, force: true });
});

const openTestPage = (): Promise<Page> => openWebrtcPage(browser, n.http('/healthz'));

interface RtcState {
  frames: number;
  location: string | null;
  status: number;
  state: string;
}

/** The page's rtcStats(): inbound-rtp counters (RTCInboundRtpStreamStats). */
interface RtcAudioStats {
  audioPackets: number;
  audioSamples: number;
  audioEnergy: number;
  concealedSamples: number;
}

const rtcState = (page: Page): Promise<RtcState> => page.evaluate(() => (globalThis as unknown as { rtc: RtcState }).rtc);
const currentTime = (page: Page): Promise<number> => page.$eval('#v', (v) => (v as unknown as { currentTime: number }).currentTime);

async function waitForStream(path: string): Promise<void> {
  await pollFor(`a publisher on ${path}`, 15_000, async () => {
    const res = await fetch(n.api('/api/v1/streams/'));
    const body = (await res.json()) as { streams: { name: string; publish: { active: boolean } }[] };
    return body.streams.some((s) => `/live/${s.name}` === path && s.publish.active) ? true : undefined;
  });
}

describe('WHEP play of an RTMP publish in headless Chromium', () => {
  it('decodes frames and advances currentTime; DELETE ends the session', async () => {
    await waitForStream('/live/cam');
    const page = await openTestPage();
    try {
      await page.evaluate((url) => (globalThis as unknown as { whepPlay(u: string): Promise<void> }).whepPlay(url), n.http('/rtc/v1/whep/?app=live&stream=cam'));
      const first = await pollFor('the first frames', 15_000, async () => ((await rtcState(page)).frames > 5 ? rtcState(page) : undefined));
      expect(first.status).toBe(201);
      expect(first.location).toMatch(/^\/rtc\/v1\/whep\/\?action=delete&token=[0-9a-f]{32}&app=live&stream=cam&session=[0-9a-z]{8}$/);
      const t0 = await currentTime(page);
      await page.waitForTimeout(WATCH_MS);
      const after = await rtcState(page);
      expect(after.frames - first.frames).toBeGreaterThanOrEqual(MIN_FRAMES);
      expect((await currentTime(page)) - t0).toBeGreaterThanOrEqual(2);
      const size = await page.$eval('#v', (v) => [(v as unknown as { videoWidth: number }).videoWidth, (v as unknown as { videoHeight: number }).videoHeight]);
      expect(size).toEqual([640, 360]);
      expect(n.node.clients.list().filter((c) => c.type === 'rtc-play')).toHaveLength(1);
      // The RTMP publish's AAC (a 440 Hz sine) reaches the player as Opus through the audio bridge:
      // packets arrive, Chromium's decoder turns them into samples, and they are not silence.
      const audio = await page.evaluate(() => (globalThis as unknown as { rtcStats(): Promise<RtcAudioStats> }).rtcStats());
      expect(audio.audioPackets).toBeGreaterThan(100);
      expect(audio.audioSamples).toBeGreaterThan(48_000);
      expect(audio.audioEnergy).toBeGreaterThan(0);

      const del = await fetch(n.http(first.location!), { method: 'DELETE' });
      expect(del.status).toBe(200);
      expect(n.node.clients.list().filter((c) => c.type === 'rtc-play')).toHaveLength(0);
      expect((await fetch(n.http(first.location!), { method: 'DELETE' })).status).toBe(404);
      await pollFor('on_stop', 5000, async () => (hookCalls.some((c) => c.action === 'on_stop' && c.stream === 'cam') ? true : undefined));
      expect(hookCalls.filter((c) => c.stream === 'cam').map((c) => c.action)).toEqual(['on_publish', 'on_play', 'on_stop']);
    } finally {
      await page.close();
    }
  });

  it('survives garbage UDP at the shared media port, also from an address routed to the session, and the session keeps playing', async () => {
    const page = await openTestPage();
    try {
      await page.evaluate((url) => (globalThis as unknown as { whepPlay(u: string): Promise<void> }).whepPlay(url), n.http('/rtc/v1/whep/?app=live&stream=cam'));
      await pollFor('frames', 15_000, async () => ((await rtcState(page)).frames > 5 ? true : undefined));
      const answer = await page.evaluate(() => (globalThis as unknown as { pc: { remoteDescription: { sdp: string } } }).pc.remoteDescription.sdp);
      const port = Number(/a=candidate:\S+ \d+ udp \d+ 127\.0\.0\.1 (\d+) typ host/.exec(answer)?.[1]);
      expect(port).toBeGreaterThan(0);
      const ufrag = /^a=ice-ufrag:(\S+)/m.exec(answer)![1]!;
      const offer = await page.evaluate(() => (globalThis as unknown as { pc: { localDescription: { sdp: string } } }).pc.localDescription.sdp);
      const clientUfrag = /^a=ice-ufrag:(\S+)/m.exec(offer)![1]!;
      const sock = createSocket('udp4');
      // First a Binding request naming the session's ufrags (no MESSAGE-INTEGRITY: an attacker who
      // learnt both): the UDP mux routes this address to the session from then on, so what
      // follows reaches werift and its address guard, not just the mux's unrouted count.
      const user = Buffer.from(`${ufrag}:${clientUfrag}`);
      const attr = Buffer.concat([Buffer.from([0, 6, 0, user.length]), user, Buffer.alloc((4 - (user.length % 4)) % 4)]);
      const request = Buffer.concat([Buffer.from([0, 1, 0, attr.length, 0x21, 0x12, 0xa4, 0x42]), Buffer.alloc(12, 9), attr]);
      const unroutedBefore = n.node.rtcMuxStats?.unrouted ?? 0;
      await new Promise((r) => sock.send(Buffer.alloc(20, 0xee), port, '127.0.0.1', r)); // before the request: unrouted
      await sleep(50);
      expect(n.node.rtcMuxStats?.unrouted).toBe(unroutedBefore + 1);
      await new Promise((r) => sock.send(request, port, '127.0.0.1', r));
      // Malformed STUN (bad length, wrong cookie), a truncated DTLS record and a DTLS ClientHello
      // from an address that never passed ICE, plain garbage and RTP-looking bytes.
      const junk = [
        Buffer.from('0001ffff2112a442000000000000000000000000', 'hex'),
        Buffer.from('000100080000000000000000000000000000000000000000', 'hex'),
        Buffer.from('16fefd0000000000000000ffff0100', 'hex'),
        Buffer.concat([Buffer.from('16fefd000000000000000000400100003400000000000000', 'hex'), Buffer.alloc(52, 7)]),
        Buffer.from('80e0000100000001000000010000', 'hex'),
        Buffer.alloc(1400, 0xff),
        Buffer.alloc(1),
      ];
      for (let i = 0; i < 50; i++) {
        for (const j of junk) await new Promise((r) => sock.send(j, port, '127.0.0.1', r));
        await sleep(2); // paced: a burst would overflow the session socket's receive buffer, not test the guard
      }
      await sleep(500);
      sock.close();
      const before = (await rtcState(page)).frames;
      await page.waitForTimeout(2000);
      expect((await rtcState(page)).frames - before).toBeGreaterThanOrEqual(25);
      // The session ends through DELETE; its stats line counts what the address guard dropped: the
      // datagrams whose first byte is not STUN's (RFC 7983: the two DTLS records, the RTP-looking one
      // and the 0xff block) x 50 rounds. The STUN-looking ones go to werift's STUN parser, which drops them.
      const location = (await rtcState(page)).location!;
      const session = new URL(location, 'http://x').searchParams.get('session');
      expect((await fetch(n.http(location), { method: 'DELETE' })).status).toBe(200);
      const stats = n.log.events('rtc_play_stats').find((r) => r.fields.client === session);
      expect(stats?.fields).toMatchObject({ address_guard: true });
      // The unsigned Binding request (and the malformed one with a lying length) got no answer and made
      // no pair: werift would have answered them (it does not check MESSAGE-INTEGRITY); the guard drops them.
      expect(stats?.fields.unauthenticated_stun).toBeGreaterThan(40);
      expect(stats?.fields.unauthenticated_stun).toBeLessThanOrEqual(51);
      // Loopback UDP may still drop a few under load; the guard saw (nearly) all of them and no more.
      expect(stats?.fields.unverified_datagrams).toBeGreaterThan(150);
      expect(stats?.fields.unverified_datagrams).toBeLessThanOrEqual(200);
    } finally {
      await page.close();
    }
  });
});

describe('SRS 4 JSON API', () => {
  it('POST /rtc/v1/play/ with {streamurl, sdp} on the API port (where SRS players call it) plays like WHEP', async () => {
    const page = await openTestPage();
    try {
      await page.evaluate(
        ([api, streamurl]) => (globalThis as unknown as { srsPlay(a: string, s: string): Promise<void> }).srsPlay(api, streamurl),
        [n.api('/rtc/v1/play/'), 'webrtc://127.0.0.1/live/cam?token=abc'] as const,
      );
      const api = await page.evaluate(() => (globalThis as unknown as { rtc: { api: { code: number; server: string; sessionid: string } } }).rtc.api);
      expect(api.code).toBe(0);
      expect(api.server).toBe('vid-e2etest');
      expect(api.sessionid).toMatch(/^[0-9a-z]{8}:\S+$/);
      await pollFor('frames', 15_000, async () => ((await rtcState(page)).frames > 25 ? true : undefined));
      expect(hookCalls.some((c) => c.action === 'on_play' && c.param === '?token=abc')).toBe(true);
    } finally {
      await page.close();
    }
    const bad = await fetch(n.http('/rtc/v1/play/'), { method: 'POST', body: JSON.stringify({ streamurl: 'webrtc://h/live/cam', sdp: 'v=0\r\n' }) });
    expect([bad.status, ((await bad.json()) as { code: number; error: string }).error]).toEqual([200, 'sdp_bad_line']);
  });
});

describe('WHIP publish from Chromium fake devices', () => {
  it('reaches HTTP-FLV as H.264 + AAC (Bearer token as on_publish param) and WHEP players with audio', async () => {
    const page = await openTestPage();
    try {
      await page.evaluate(
        ([url, token]) => (globalThis as unknown as { whipPublish(u: string, t: string): Promise<void> }).whipPublish(url, token),
        [n.http('/rtc/v1/whip/?app=live&stream=browser'), 'secret-token'] as const,
      );
      expect((await rtcState(page)).status).toBe(201);
      await waitForStream('/live/browser');
      // 3 s of the HTTP-FLV stream into a file: the browser's Opus arrives as AAC-LC (the audio
      // bridge), which FFmpeg 5.1 (Debian 12) reads like any FLV.
      const file = join(tmp, 'whip.flv');
      writeFileSync(file, await fetchFor(n.http('/live/browser.flv'), 3000));
      const p = await probe(file);
      const video = p.streams.find((s) => s.codec_type === 'video');
      expect([video?.codec_name, video?.width, video?.height]).toEqual(['h264', 640, 360]);
      const aac = p.streams.find((s) => s.codec_type === 'audio');
      expect([aac?.codec_name, aac?.sample_rate, aac?.channels]).toEqual(['aac', '48000', 2]);
      const frames = readFlvFrames(file);
      const audio = frames.filter((f) => f.kind === 'audio').map((f) => decodeAudioData(f.payload));
      expect(audio[0]).toMatchObject({ codec: 'aac', packetType: 'sequence-header' });
      // 1024-sample frames at 48 kHz: about 140 in 3 s.
      expect(audio.filter((a) => a.codec === 'aac' && a.packetType === 'frame').length).toBeGreaterThan(80);
      expect(frames.filter((f) => f.kind === 'video').length).toBeGreaterThan(30);
      expect(hookParams.some((q) => q.includes('token=secret-token'))).toBe(true);

      // HLS too: the node asks the browser for a key frame every rtc.pli_for_rtmp_ms (1 s here), so
      // segments close; ffprobe reads the live playlist over HTTP.
      await pollFor('two HLS segments of the WHIP stream', 15_000, async () => {
        const res = await fetch(n.http('/live/browser.m3u8'));
        return res.ok && ((await res.text()).match(/#EXTINF/g) ?? []).length >= 2 ? true : undefined;
      });
      const hls = await probe(n.http('/live/browser.m3u8'));
      expect(hls.streams.map((s) => [s.codec_type, s.codec_name]).sort()).toEqual([['audio', 'aac'], ['video', 'h264']]);
      // Once the encoder has settled (its first seconds bring key frames of their own as the resolution
      // ramps up), key frames come because the node asks: the GOP cache's one, then one per
      // rtc.pli_for_rtmp_ms (1 s here). Without it: 1 in 8 s (measured).
      const later = join(tmp, 'whip-later.flv');
      writeFileSync(later, await fetchFor(n.http('/live/browser.flv'), 4000));
      const keyframes = readFlvFrames(later).filter((f) => f.kind === 'video').map((f) => decodeVideoData(f.payload)).filter((v) => v.packetType === 'frame' && v.keyframe);
      expect(keyframes.length).toBeGreaterThanOrEqual(3);

      // WebRTC to WebRTC: a WHEP player of the WHIP stream gets its video, and its audio as Opus again.
      const viewer = await openTestPage();
      try {
        await viewer.evaluate((url) => (globalThis as unknown as { whepPlay(u: string): Promise<void> }).whepPlay(url), n.http('/rtc/v1/whep/?app=live&stream=browser'));
        await pollFor('frames of the WHIP stream', 15_000, async () => ((await rtcState(viewer)).frames > 25 ? true : undefined));
        const stats = await viewer.evaluate(() => (globalThis as unknown as { rtcStats(): Promise<RtcAudioStats> }).rtcStats());
        expect(stats.audioPackets).toBeGreaterThan(25);
        expect(stats.audioEnergy).toBeGreaterThan(0);
      } finally {
        await viewer.close();
      }
      expect(n.node.clients.list().find((c) => c.type === 'rtc-publish')?.url).toBe('/live/browser');
    } finally {
      await page.close();
    }
    await pollFor('the publisher to leave', 20_000, async () => (n.node.clients.list().some((c) => c.type === 'rtc-publish') ? undefined : true));
  });
});

describe('signalling refusals', () => {
  it('answers problem JSON for bad offers, before any peer connection', async () => {
    const post = (body: string, path = '/rtc/v1/whep/?app=live&stream=cam', type = 'application/sdp') =>
      fetch(n.http(path), { method: 'POST', headers: { 'Content-Type': type }, body });
    const cases: { body: string; status: number; code: string; path?: string; type?: string }[] = [
      { body: 'v=0\r\no=- 1 1 IN IP4 0.0.0.0\r\ns=-\r\nt=0 0\r\n', status: 400, code: 'sdp_no_video_or_audio' },
      { body: 'v=1\r\n', status: 400, code: 'sdp_bad_version' },
      { body: 'v=0\r\n' + 'a=x\r\n'.repeat(20_000), status: 413, code: 'sdp_too_large' },
      { body: 'v=0\r\n', status: 415, code: 'rtc_not_sdp', type: 'application/json' },
      { body: 'v=0\r\n', status: 400, code: 'rtc_bad_stream', path: '/rtc/v1/whep/?app=live&stream=..%2Fx' },
      { body: 'v=0\r\n', status: 404, code: 'rtc_not_found', path: '/rtc/v1/nope/' },
    ];
    const players = () => n.node.clients.list().filter((c) => c.type === 'rtc-play').length;
    const before = players();
    for (const c of cases) {
      const res = await post(c.body, c.path, c.type);
      expect({ status: res.status, type: res.headers.get('content-type') }).toEqual({ status: c.status, type: 'application/problem+json' });
      expect(((await res.json()) as { code: string }).code).toBe(c.code);
    }
    // No session was opened for any of them (players of earlier tests may still be timing out).
    expect(players()).toBe(before);
  });
});
