import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer } from 'node:http';
import type { Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { errorsOf, launchChromium, saveScreenshot, waitForPlayback, watchVideo } from './support/browser.ts';
import { publishRtmp } from './support/ffmpeg.ts';
import type { Peer } from './support/ffmpeg.ts';
import { freePort } from './support/free-port.ts';

/**
 * The dashboard end to end, as a tenant uses it: the platform launcher
 * (control-plane/src/entry/platform.ts) on free ports, headless Chromium
 * signing up, creating a stream, reading its RTMP settings off the page,
 * ffmpeg publishing with them, the status turning live without a reload
 * (with the bitrate and codecs of the node's heartbeat in the list),
 * the preview playing (HTTP-FLV with mpegts.js, then HLS with hls.js, both
 * served by the control plane), the key rotated behind its confirmation and
 * the publisher cut and its recording listed; a webhook endpoint with a test delivery; an API key
 * created, used and revoked; sign-out. Screenshots of the main pages land in
 * media-node/test-results/dashboard-*.png.
 */

const LAUNCHER = fileURLToPath(new URL('../../control-plane/src/entry/platform.ts', import.meta.url));
/** The launcher wants a bootstrap key; the dashboard never uses it (its tenant is another one). */
const BOOTSTRAP_KEY = 'rnl_dashboarde2etest0123456789abcdefghjk';
const EMAIL = 'tenant@example.com';
const PASSWORD = 'correct-horse-battery-staple';

let platform: ChildProcess;
let output = '';
let dir: string;
let cp: string;
let rtmpPort: number;
let browser: Browser;
let context: BrowserContext;
const peers: Peer[] = [];

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'runnel-dashboard-e2e-'));
  const port = await freePort();
  rtmpPort = await freePort();
  cp = `http://127.0.0.1:${port}`;
  const args = [LAUNCHER, '--port', String(port), '--rtmp-port', String(rtmpPort), '--http-port', String(await freePort()), '--api-port', String(await freePort()), '--srt-port', String(await freePort()), '--data-dir', dir];
  // The webhook receiver below is on 127.0.0.1: the local platform may call plain http on loopback.
  const env = { ...process.env, RUNNEL_BOOTSTRAP_API_KEY: BOOTSTRAP_KEY, RUNNEL_WEBHOOK_ALLOW_INSECURE: 'true' };
  platform = spawn(process.execPath, args, { stdio: ['ignore', 'pipe', 'pipe'], env });
  const started = new Promise<void>((resolve, reject) => {
    const onData = (d: Buffer) => {
      output += d.toString();
      if (output.includes('Runnel is running.')) resolve();
    };
    platform.stdout?.on('data', onData);
    platform.stderr?.on('data', onData);
    platform.once('exit', (code) => reject(new Error(`the launcher exited ${code}: ${output}`)));
  });
  [browser] = await Promise.all([launchChromium(), started]);
  // Clipboard permissions: the test copies the stream key with the page's Copy button and reads it back.
  context = await browser.newContext({ viewport: { width: 1280, height: 900 }, permissions: ['clipboard-read', 'clipboard-write'] });
});

afterAll(async () => {
  await Promise.all(peers.map((p) => p.stop()));
  await browser?.close();
  if (platform?.exitCode === null) {
    const exited = new Promise<void>((r) => platform.once('exit', () => r()));
    platform.kill('SIGTERM');
    await exited;
  }
  rmSync(dir, { recursive: true, force: true });
});

/** A page of the shared context (one cookie jar), recording its errors like support/browser.ts `openPage`. */
async function open(path: string): Promise<Page> {
  const page = await context.newPage();
  const errors: string[] = [];
  page.on('pageerror', (e) => errors.push(`pageerror: ${e.message}`));
  page.on('console', (m) => {
    if (m.type() === 'error') errors.push(`console: ${m.text()}`);
  });
  (page as unknown as { runnelErrors: string[] }).runnelErrors = errors;
  await page.goto(`${cp}${path}`);
  return page;
}
const pageErrors = (page: Page): string[] => [...(page as unknown as { runnelErrors: string[] }).runnelErrors, ...errorsOf(page)];

/** Marks the document; `stillSameDocument` is false after any reload or navigation. */
async function markDocument(page: Page): Promise<void> {
  await page.evaluate(() => {
    (globalThis as { runnelMark?: number }).runnelMark = 1;
  });
}
const stillSameDocument = (page: Page): Promise<boolean> => page.evaluate(() => (globalThis as { runnelMark?: number }).runnelMark === 1);

let streamPage: Page;
let streamUrl: string;
let publisher: Peer;
let firstKey: string;

describe('dashboard: sign up, create a stream, go live, preview, rotate the key', () => {
  it('signs up and lands on an empty stream list', async () => {
    const page = await open('/dashboard/');
    await page.waitForURL(/\/dashboard\/sign-in\?next=/);
    await page.getByRole('link', { name: 'Create an account' }).click();
    // Keyboard only: type, Tab to the password, Enter submits.
    await page.getByLabel('Email').focus();
    await page.keyboard.type(EMAIL);
    await page.keyboard.press('Tab');
    await page.keyboard.type(PASSWORD);
    await page.keyboard.press('Enter');
    await page.waitForURL(`${cp}/dashboard/`);
    await expect.poll(() => page.locator('#streams-empty').isVisible()).toBe(true);
    await saveScreenshot(page, 'dashboard-streams-empty');
    const cookie = (await context.cookies(cp)).find((c) => c.name === 'runnel_session');
    expect(cookie?.httpOnly).toBe(true);
    expect(cookie?.sameSite).toBe('Lax');
    expect(pageErrors(page)).toEqual([]);
    await page.close();
  });

  it('creates a stream and shows its RTMP settings with the key masked until revealed', async () => {
    const page = await open('/dashboard/');
    await page.getByLabel('Name').fill('Studio A');
    // Recorded: the platform's node has DVR on, and the stream's recording mode says to use it.
    await page.getByLabel('Recording').selectOption('automatic');
    await page.getByRole('button', { name: 'Create stream' }).click();
    await page.waitForURL(/\/dashboard\/streams\/ls_[0-9a-z]{26}$/);
    streamPage = page;
    streamUrl = page.url();
    const server = page.locator('#rtmp-server-value');
    await expect.poll(() => server.textContent(), { timeout: 10_000 }).toBe(`rtmp://127.0.0.1:${rtmpPort}/live`);
    const key = page.locator('#rtmp-key-value');
    expect(await key.textContent()).toMatch(/^•+$/);
    await page.locator('#rtmp-key').getByRole('button', { name: 'Reveal' }).click();
    firstKey = (await key.textContent()) ?? '';
    expect(firstKey).toMatch(/^[0-9a-z]{32}$/);
    await page.locator('#rtmp-key').getByRole('button', { name: 'Copy Stream key' }).click();
    expect(await page.evaluate(() => (globalThis as unknown as { navigator: { clipboard: { readText(): Promise<string> } } }).navigator.clipboard.readText())).toBe(firstKey);
    expect(await page.locator('#flash').textContent()).toBe('Stream key copied to the clipboard.');
    expect(await page.locator('#status').textContent()).toBe('idle');
    await saveScreenshot(page, 'dashboard-stream-idle');
  });

  it('turns live without a reload when ffmpeg publishes with those settings, and the FLV preview plays', async () => {
    const page = streamPage;
    await markDocument(page);
    const server = (await page.locator('#rtmp-server-value').textContent()) ?? '';
    publisher = publishRtmp(`${server}/${firstKey}`, { seconds: 120, width: 640, height: 360, fps: 25, gop: 25 });
    peers.push(publisher);
    await expect.poll(() => page.locator('#status').textContent(), { timeout: 20_000, interval: 250 }).toMatch(/^(connected|active)$/);
    expect(await stillSameDocument(page)).toBe(true);
    await waitForPlayback(page, '#preview', 20_000);
    const w = await watchVideo(page, '#preview', 3000);
    expect(w.engine).toBe('mpegts.js');
    expect(w.currentTimeEnd - w.currentTimeStart).toBeGreaterThanOrEqual(2);
    expect([w.width, w.height]).toEqual([640, 360]);
    expect(await page.locator('#status-detail').textContent()).toMatch(/since .* over RTMP · node local-1/);
    await saveScreenshot(page, 'dashboard-stream-live-flv');
  });

  it('plays HLS in the preview (hls.js from the control plane, through /hls)', async () => {
    const page = streamPage;
    await expect.poll(() => page.locator('#status').textContent(), { timeout: 30_000, interval: 250 }).toBe('active');
    await page.getByRole('button', { name: 'HLS', exact: true }).click();
    await expect.poll(() => page.locator('#preview').getAttribute('data-engine'), { timeout: 10_000 }).toBe('hls.js');
    await waitForPlayback(page, '#preview', 30_000);
    const w = await watchVideo(page, '#preview', 3000);
    expect(w.currentTimeEnd - w.currentTimeStart).toBeGreaterThanOrEqual(2);
    expect(pageErrors(page)).toEqual([]);
    expect(await stillSameDocument(page)).toBe(true);
    await page.locator('#sessions').scrollIntoViewIfNeeded();
    expect(await page.locator('#sessions tbody tr').count()).toBe(1);
    await saveScreenshot(page, 'dashboard-stream-live-hls');
  });

  it('the operator view (the first account is the admin) shows the node healthy, its load and the live stream', async () => {
    const list = await open('/dashboard/');
    await list.getByRole('link', { name: 'Nodes' }).click();
    await list.waitForURL(`${cp}/dashboard/nodes`);
    const row = list.locator('#nodes tbody[data-id="local-1"]');
    await expect.poll(() => row.locator('.badge[data-health]').textContent(), { timeout: 10_000 }).toBe('healthy');
    const live = row.locator('li', { hasText: 'Studio A' });
    await expect.poll(() => live.textContent(), { timeout: 10_000 }).toMatch(/^active Studio A RTMP since .* · tn_[0-9a-z]+$/);
    // The node's heartbeat carries its load: the publish shows up as one stream and some ingest.
    const figures = row.locator('tr.figures td');
    await expect.poll(() => figures.nth(3).textContent(), { timeout: 15_000, interval: 500 }).toMatch(/^1 \/ \d+$/);
    expect(await figures.nth(4).textContent()).not.toBe('0 kb/s');
    expect(await list.locator('#fleet').textContent()).toBe('1 node, 1 healthy · 1 live stream');
    expect(pageErrors(list)).toEqual([]);
    await saveScreenshot(list, 'dashboard-nodes');
    await list.close();
  });

  it('the stream list shows it live and updates by itself when the key is rotated and the publisher cut', async () => {
    const list = await open('/dashboard/');
    const row = list.locator('#streams tbody tr', { hasText: 'Studio A' });
    await expect.poll(() => row.locator('.badge').textContent(), { timeout: 10_000 }).toBe('active');
    // "Live since": the start of the current session, a local date and time.
    await expect.poll(() => row.locator('td').nth(1).textContent(), { timeout: 10_000 }).toMatch(/\d{1,2}:\d{2}:\d{2}/);
    // Bitrate and codecs: the node's heartbeat describes each published stream (ffmpeg sends 640x360 H.264 + AAC).
    await expect.poll(() => row.locator('td').nth(3).textContent(), { timeout: 15_000, interval: 500 }).toBe('H264 640×360 · AAC');
    expect(await row.locator('td').nth(2).textContent()).toMatch(/^\d+(\.\d)? [kM]b\/s$/);
    await saveScreenshot(list, 'dashboard-streams-live');
    await markDocument(list);

    const page = streamPage;
    const dialog = page.getByRole('dialog');
    // Escape cancels: nothing is rotated.
    await page.getByRole('button', { name: 'Rotate stream key…' }).click();
    await expect.poll(() => dialog.isVisible()).toBe(true);
    await page.keyboard.press('Escape');
    await expect.poll(() => dialog.isVisible()).toBe(false);
    await page.waitForTimeout(1000);
    expect(publisher.child.exitCode).toBeNull();
    expect(await page.locator('#status').textContent()).toBe('active');

    await page.getByRole('button', { name: 'Rotate stream key…' }).click();
    await expect.poll(() => dialog.isVisible()).toBe(true);
    expect(await dialog.textContent()).toContain('Anyone publishing with the current key is disconnected now');
    await saveScreenshot(page, 'dashboard-rotate-confirm');
    await dialog.getByRole('button', { name: 'Rotate key and cut publishers' }).click();

    await expect.poll(() => publisher.child.exitCode !== null || publisher.child.signalCode !== null, { timeout: 15_000, interval: 250 }).toBe(true);
    await expect.poll(() => page.locator('#status').textContent(), { timeout: 15_000, interval: 250 }).toMatch(/^(disconnected|idle)$/);
    await expect.poll(() => row.locator('.badge').textContent(), { timeout: 15_000, interval: 250 }).toMatch(/^(disconnected|idle)$/);
    expect(await row.locator('td').nth(1).textContent()).toBe('—');
    expect(await row.locator('td').nth(2).textContent()).toBe('—');
    expect(await stillSameDocument(list)).toBe(true);
    expect(await page.locator('#flash').textContent()).toContain('Stream key rotated');
    await page.locator('#rtmp-key').getByRole('button', { name: 'Reveal' }).click();
    const newKey = await page.locator('#rtmp-key-value').textContent();
    expect(newKey).toMatch(/^[0-9a-z]{32}$/);
    expect(newKey).not.toBe(firstKey);
    expect(await page.locator('#sessions tbody tr').first().textContent()).toContain('key_rotated');
    expect(await page.locator('#sessions tbody tr').first().textContent()).toContain('H264 640×360 · AAC');
    // The cut publish closed its DVR file: on_dvr made it a recording, listed on the page without a reload
    // (on the node's disk here, so no URL: where it is instead of play/download links).
    const rec = page.locator('#recordings tbody tr').first();
    await expect.poll(() => rec.count(), { timeout: 15_000, interval: 250 }).toBe(1);
    const recCells = await rec.locator('td').allTextContents();
    expect(recCells[1]).toBe('FLV');
    expect(recCells[2]).toMatch(/^(\d+m )?\d+s$/);
    expect(recCells[3]).toMatch(/^\d+(\.\d)? (kB|MB)$/);
    // On runnel start the file is on this machine: the API serves it, and the page links to it (with the session cookie).
    expect(recCells[4]).toBe('Play Download');
    const localHref = await rec.locator('a[data-action="download"]').getAttribute('href');
    expect(localHref).toMatch(/^\/v1\/recordings\/rec_[0-9a-z]+\/file$/);
    const downloaded = await page.evaluate(async (href) => {
      const r = await fetch(href);
      return { status: r.status, type: r.headers.get('content-type'), head: new Uint8Array(await r.arrayBuffer()).slice(0, 3) };
    }, localHref!);
    expect([downloaded.status, downloaded.type, String.fromCharCode(...Object.values(downloaded.head))]).toEqual([200, 'video/x-flv', 'FLV']);
    expect(await page.locator('#recordings-empty').isVisible()).toBe(false);
    // A recording in a bucket behind a CDN (what a node with storage.type s3 announces, posted here as that node would):
    // it gets Play and Download links to its URL.
    const streamId = new URL(streamUrl).pathname.split('/').pop() ?? '';
    const pid = await page.evaluate(async (sid) => {
      const r = await fetch(`/v1/live-streams/${sid}`);
      return ((await r.json()) as { data: { playback_ids: Array<{ id: string }> } }).data.playback_ids[0].id;
    }, streamId);
    const cdnUrl = `https://cdn.example.com/media/recordings/live/${pid}.1.mp4`;
    const posted = await fetch(`${cp}/internal/hooks`, {
      method: 'POST',
      headers: { authorization: `Bearer ${readFileSync(join(dir, 'node-token'), 'utf8').trim()}`, 'content-type': 'application/json' },
      body: JSON.stringify({
        action: 'on_dvr', server_id: 'local-1', client_id: 'bucket01', ip: '127.0.0.1', vhost: '__defaultVhost__', app: 'live', stream: pid, param: '',
        cwd: '/', file: `media/recordings/live/${pid}.1.mp4`, url: cdnUrl, duration: 3.5, bytes: 2048,
      }),
    });
    expect(await posted.json()).toEqual({ code: 0 });
    await expect.poll(() => page.locator('#recordings tbody tr').count(), { timeout: 10_000, interval: 250 }).toBe(2);
    const bucketRec = page.locator('#recordings tbody tr').first();
    expect((await bucketRec.locator('td').allTextContents()).slice(1, 4)).toEqual(['MP4', '4s', '2.0 kB']);
    expect(await bucketRec.getByRole('link', { name: 'Play' }).getAttribute('href')).toBe(cdnUrl);
    const download = bucketRec.getByRole('link', { name: 'Download' });
    expect(await download.getAttribute('href')).toBe(cdnUrl);
    expect(await download.getAttribute('download')).toBe('');
    await page.locator('#recordings').scrollIntoViewIfNeeded();
    await saveScreenshot(page, 'dashboard-stream-recordings');
    await page.evaluate(() => (globalThis as unknown as { scrollTo(x: number, y: number): void }).scrollTo(0, 0));
    await saveScreenshot(page, 'dashboard-stream-rotated');
    await list.close();
  });

  it('fits a phone screen', async () => {
    const phone = await browser.newContext({ viewport: { width: 375, height: 812 }, storageState: await context.storageState() });
    const page = await phone.newPage();
    await page.goto(streamUrl);
    await expect.poll(() => page.locator('#rtmp-server-value').isVisible(), { timeout: 10_000 }).toBe(true);
    const overflow = await page.evaluate(() => {
      const d = (globalThis as unknown as { document: { documentElement: { scrollWidth: number; clientWidth: number } } }).document.documentElement;
      return d.scrollWidth - d.clientWidth;
    });
    expect(overflow).toBeLessThanOrEqual(0);
    await saveScreenshot(page, 'dashboard-stream-phone');
    await phone.close();
  });
});

describe('dashboard: webhooks, API keys, sign-out', () => {
  let receiver: Server;
  const received: string[] = [];

  beforeAll(async () => {
    receiver = createServer((req, res) => {
      let body = '';
      req.on('data', (d: Buffer) => (body += d.toString()));
      req.on('end', () => {
        received.push(body);
        res.writeHead(204).end();
      });
    });
    await new Promise<void>((r) => receiver.listen(0, '127.0.0.1', () => r()));
  });

  afterAll(async () => {
    await new Promise<void>((r) => receiver.close(() => r()));
  });

  it('adds a webhook endpoint (secret shown once), sends a test event and shows its delivery', async () => {
    const page = await open('/dashboard/webhooks');
    await expect.poll(() => page.locator('#endpoints-empty').isVisible()).toBe(true);
    const port = (receiver.address() as { port: number }).port;
    await page.getByLabel('URL').fill(`http://127.0.0.1:${port}/hooks`);
    await page.getByRole('button', { name: 'Add endpoint' }).click();
    await expect.poll(() => page.locator('#webhook-secret-field-value').textContent(), { timeout: 10_000 }).toMatch(/^whsec_/);
    await page.getByRole('button', { name: 'Send test event' }).click();
    await expect.poll(() => received.length, { timeout: 15_000, interval: 250 }).toBeGreaterThan(0);
    const delivered = page.locator('.deliveries tbody tr[data-status=delivered]');
    await expect.poll(() => delivered.count(), { timeout: 15_000, interval: 250 }).toBe(1);
    expect(await delivered.textContent()).toContain('204');
    await saveScreenshot(page, 'dashboard-webhooks');
    // The secret is in the create answer only: a fresh page does not show it.
    await page.reload();
    await expect.poll(() => page.locator('.endpoint').count()).toBe(1);
    expect(await page.locator('#webhook-secret').isVisible()).toBe(false);
    expect(pageErrors(page)).toEqual([]);
    await page.close();
  });

  it('creates an API key shown once that works as Bearer, and revokes it', async () => {
    const page = await open('/dashboard/api-keys');
    await expect.poll(() => page.locator('#keys-empty').isVisible()).toBe(true);
    await page.getByLabel('Name').fill('ci');
    await page.getByRole('button', { name: 'Create key' }).click();
    const keyText = page.locator('#new-key-field-value');
    await expect.poll(() => keyText.textContent(), { timeout: 10_000 }).toMatch(/^rnl_/);
    const key = (await keyText.textContent()) ?? '';
    const listed = await fetch(`${cp}/v1/live-streams`, { headers: { authorization: `Bearer ${key}` } });
    expect(listed.status).toBe(200);
    expect(((await listed.json()) as { data: Array<{ name: string }> }).data.map((s) => s.name)).toEqual(['Studio A']);
    await expect.poll(() => page.locator('#keys tbody tr').count()).toBe(1);
    await saveScreenshot(page, 'dashboard-api-keys');
    await page.getByRole('button', { name: 'Revoke ci' }).click();
    await page.getByRole('dialog').getByRole('button', { name: 'Revoke key' }).click();
    await expect.poll(() => page.locator('#keys tbody tr').first().textContent(), { timeout: 10_000 }).toContain('revoked');
    expect((await fetch(`${cp}/v1/live-streams`, { headers: { authorization: `Bearer ${key}` } })).status).toBe(401);
    expect(pageErrors(page)).toEqual([]);
    await page.close();
  });

  it('signs out: the session no longer opens the API or the pages', async () => {
    const page = await open('/dashboard/');
    const cookie = (await context.cookies(cp)).find((c) => c.name === 'runnel_session');
    await page.getByRole('button', { name: 'Sign out' }).click();
    await page.waitForURL(`${cp}/dashboard/sign-in`);
    expect((await fetch(`${cp}/v1/live-streams`, { headers: { cookie: `runnel_session=${cookie?.value}` } })).status).toBe(401);
    await page.goto(`${cp}/dashboard/`);
    await page.waitForURL(/\/dashboard\/sign-in/);
    await saveScreenshot(page, 'dashboard-sign-in');
    await page.close();
  });
});
