/**
 * WebRTC in a network namespace that has only loopback (issue 6: "browser
 * tests run in a network namespace that has only loopback, so no traffic
 * can leave the machine"). The node runs as the `runnel node` CLI with the
 * default ports (8080, 1935, rtc 8000: every session on that one UDP port; the namespace is empty), and
 * ffmpeg, ffprobe and Chromium run inside the namespace too (`ip netns
 * exec`; Chromium through a wrapper script, playwright talks to it over
 * pipes). Needs root (CAP_SYS_ADMIN) to create the namespace, as CI has.
 */
import { execFileSync, spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { chmodSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CHROMIUM_PATH } from './support/browser.ts';
import { WEBRTC_CHROMIUM_ARGS, WEBRTC_PAGE_HTML } from './support/webrtc-browser.ts';
import { runPeer, sleep, testSignalArgs } from './support/ffmpeg.ts';
import type { Peer } from './support/ffmpeg.ts';

const NS = `runnel-e2e-${process.pid}`;
const CLI = fileURLToPath(new URL('../src/cli.ts', import.meta.url));
const HTTP = 'http://127.0.0.1:8080';


let tmp: string;
let node: ChildProcess | undefined;
let nodeOut = '';
let browser: Browser | undefined;
const peers: Peer[] = [];

const inNs = (cmd: string, args: readonly string[]): string[] => ['netns', 'exec', NS, cmd, ...args];

beforeAll(async () => {
  tmp = mkdtempSync(join(tmpdir(), 'runnel-netns-e2e-'));
  execFileSync('ip', ['netns', 'add', NS]);
  execFileSync('ip', inNs('ip', ['link', 'set', 'lo', 'up']));
  const config = join(tmp, 'node.json');
  writeFileSync(config, JSON.stringify({ data_dir: join(tmp, 'data'), hls: { enabled: false }, rtc: { allow_loopback_candidates: true } }));
  node = spawn('ip', inNs(process.execPath, [CLI, 'node', '-c', config]), { stdio: ['ignore', 'pipe', 'pipe'] });
  node.stdout!.on('data', (d: Buffer) => (nodeOut += d.toString()));
  node.stderr!.on('data', (d: Buffer) => (nodeOut += d.toString()));
  const deadline = performance.now() + 20_000;
  while (!nodeOut.includes('ready')) {
    if (performance.now() > deadline || node.exitCode !== null) throw new Error(`node did not start in ${NS}: ${nodeOut}`);
    await sleep(100);
  }
  const wrapper = join(tmp, 'chromium-in-netns.sh');
  writeFileSync(wrapper, `#!/bin/sh\nexec ip netns exec ${NS} ${CHROMIUM_PATH} "$@"\n`);
  chmodSync(wrapper, 0o755);
  browser = await chromium.launch({ executablePath: wrapper, headless: true, args: WEBRTC_CHROMIUM_ARGS });
  peers.push(runPeer('ip', inNs('ffmpeg', [...testSignalArgs({ seconds: 40, width: 640, height: 360, fps: 25, gop: 25 }), '-f', 'flv', 'rtmp://127.0.0.1:1935/live/ns'])));
}, 60_000);

afterAll(async () => {
  await browser?.close();
  for (const p of peers) await p.stop();
  if (node !== undefined && node.exitCode === null) {
    const exited = new Promise((r) => node!.once('close', r));
    node.kill('SIGTERM');
    await exited;
  }
  try {
    execFileSync('ip', ['netns', 'del', NS]);
  } catch {
    // already gone
  }
  if (tmp !== undefined) rmSync(tmp, { recursive: true, force: true });
});

async function openTestPage(): Promise<Page> {
  const page = await browser!.newPage();
  await page.goto(`${HTTP}/healthz`);
  await page.setContent(WEBRTC_PAGE_HTML);
  return page;
}

const frames = (page: Page): Promise<number> => page.evaluate(() => (globalThis as unknown as { rtc: { frames: number } }).rtc.frames);

async function until(what: string, timeoutMs: number, f: () => Promise<boolean>): Promise<void> {
  const deadline = performance.now() + timeoutMs;
  while (!(await f())) {
    if (performance.now() > deadline) throw new Error(`timed out waiting for ${what}; node output: ${nodeOut.slice(-2000)}`);
    await sleep(200);
  }
}

describe('WebRTC inside a loopback-only network namespace', () => {
  it('has nothing but loopback, so no packet can leave', () => {
    const links = execFileSync('ip', inNs('ip', ['-o', 'link'])).toString().trim().split('\n');
    expect(links).toHaveLength(1);
    expect(links[0]).toContain('lo:');
    expect(execFileSync('ip', inNs('ip', ['route'])).toString().trim()).toBe('');
  });

  it('plays an RTMP publish over WHEP, media on the default rtc port 8000 (the UDP mux)', async () => {
    const page = await openTestPage();
    try {
      await until('the RTMP publish', 15_000, async () => nodeOut.includes('proto=rtmp stream=live/ns'));
      await page.evaluate((url) => (globalThis as unknown as { whepPlay(u: string): Promise<void> }).whepPlay(url), `${HTTP}/rtc/v1/whep/?app=live&stream=ns`);
      await until('frames', 15_000, async () => (await frames(page)) > 5);
      const before = await frames(page);
      await page.waitForTimeout(2000);
      expect((await frames(page)) - before).toBeGreaterThanOrEqual(25);
      const answer = await page.evaluate(() => (globalThis as unknown as { pc: { remoteDescription: { sdp: string } } }).pc.remoteDescription.sdp);
      const port = Number(/a=candidate:\S+ \d+ udp \d+ 127\.0\.0\.1 (\d+) typ host/.exec(answer)?.[1]);
      expect(port).toBe(8000);
    } finally {
      await page.close();
    }
  });

  it('takes a WHIP publish from the fake camera and microphone that ffprobe reads as H.264 + AAC over HTTP-FLV', async () => {
    const page = await openTestPage();
    try {
      await page.evaluate((url) => (globalThis as unknown as { whipPublish(u: string): Promise<void> }).whipPublish(url), `${HTTP}/rtc/v1/whip/?app=live&stream=cam`);
      await until('the WHIP publish', 15_000, async () => nodeOut.includes('proto=rtc stream=live/cam'));
      // The publisher shares port 8000 with any player.
      const answer = await page.evaluate(() => (globalThis as unknown as { pc: { remoteDescription: { sdp: string } } }).pc.remoteDescription.sdp);
      expect(/a=candidate:\S+ \d+ udp \d+ 127\.0\.0\.1 (\d+) typ host/.exec(answer)?.[1]).toBe('8000');
      await sleep(1500);
      const file = join(tmp, 'whip.flv');
      // 3 s of the live HTTP-FLV body, fetched inside the namespace (curl's -m ends it: exit 28); the
      // microphone's Opus arrives as AAC (the audio bridge).
      const rec = runPeer('ip', inNs('curl', ['-s', '-m', '3', '-o', file, `${HTTP}/live/cam.flv`]));
      expect(await rec.exited).toBe(28);
      const out = execFileSync('ffprobe', ['-v', 'error', '-print_format', 'json', '-show_streams', '-count_packets', file]).toString();
      const streams = (JSON.parse(out) as { streams: { codec_type: string; codec_name: string; width: number; height: number; nb_read_packets: string }[] }).streams;
      const video = streams.find((s) => s.codec_type === 'video')!;
      expect([video.codec_name, video.width, video.height]).toEqual(['h264', 640, 360]);
      expect(streams.find((s) => s.codec_type === 'audio')?.codec_name).toBe('aac');
      expect(Number(video.nb_read_packets)).toBeGreaterThan(30);
    } finally {
      await page.close();
    }
  });
});
