import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createMemoryLogger } from '../log/memory-logger.ts';
import type { HookRequest } from './hook-body.ts';
import type { HookVerdict } from './hook-client.ts';
import { startHookTestServer } from './hook-test-server.ts';
import type { HookTestReply, HookTestServer } from './hook-test-server.ts';
import { createHttpHookClient, MAX_HOOK_ANSWER_BYTES, redactUrl } from './http-hook-client.ts';
import type { HooksConfig } from './http-hook-client.ts';

/** Short, so the timeout cases keep this file fast; the node's default is 3000. */
const TIMEOUT_MS = 300;
/** Slack for scheduling on a loaded 2-core test machine. */
const MARGIN_MS = 400;

const ids = { serverId: 'vid-unit001', serviceId: 'svc00001' };
const request: HookRequest = {
  clientId: 'abcd1234',
  ip: '10.0.0.7',
  vhost: '__defaultVhost__',
  app: 'live',
  stream: 'cam',
  param: '?token=good',
  tcUrl: 'rtmp://127.0.0.1/live',
  pageUrl: '',
};

const NONE: HooksConfig = { onConnect: [], onClose: [], onPublish: [], onUnpublish: [], onPlay: [], onStop: [], onDvr: [], onHls: [], timeoutMs: TIMEOUT_MS };

/** An accepting answer too large to read. */
const BIG_OK = `{"code":0,"pad":"${'x'.repeat(MAX_HOOK_ANSWER_BYTES)}"}`;

let server: HookTestServer;

beforeAll(async () => {
  server = await startHookTestServer();
});

afterAll(async () => {
  await server.close();
});

beforeEach(() => {
  server.clear();
  server.reply = () => ({});
});

function client(config: Partial<HooksConfig>) {
  const log = createMemoryLogger('debug');
  return { hooks: createHttpHookClient({ config: { ...NONE, ...config }, ids, log }), log };
}

/** on_publish through one URL answering `reply`. */
async function publishWith(reply: HookTestReply): Promise<HookVerdict> {
  server.reply = () => reply;
  return client({ onPublish: [server.url('/hook')] }).hooks.admit('on_publish', request);
}

function reason(v: HookVerdict): string {
  return v.ok ? 'ok' : v.reason;
}

describe('HTTP hook client: SRS accept rule over a real HTTP server', () => {
  const table: ReadonlyArray<{ name: string; reply: HookTestReply; want: string }> = [
    { name: '200 0', reply: { body: '0' }, want: 'ok' },
    { name: '200 {"code":0}', reply: { body: '{"code":0,"msg":"OK"}' }, want: 'ok' },
    { name: '201 0', reply: { status: 201, body: '0' }, want: 'ok' },
    { name: '200 {"code":1}', reply: { body: '{"code":1}' }, want: 'hook_rejected' },
    { name: '403', reply: { status: 403, body: 'no' }, want: 'hook_rejected' },
    { name: '200 empty', reply: { body: '' }, want: 'auth_unavailable' },
    { name: '200 not JSON', reply: { body: 'OK' }, want: 'auth_unavailable' },
    { name: '500', reply: { status: 500, body: '0' }, want: 'auth_unavailable' },
    { name: '302 to an accepting hook (not followed)', reply: { status: 302, body: '0', headers: { Location: '/elsewhere' } }, want: 'auth_unavailable' },
    { name: `chunked answer over ${MAX_HOOK_ANSWER_BYTES} bytes`, reply: { body: BIG_OK }, want: 'auth_unavailable' },
    { name: `declared answer over ${MAX_HOOK_ANSWER_BYTES} bytes`, reply: { body: BIG_OK, headers: { 'Content-Length': String(BIG_OK.length) } }, want: 'auth_unavailable' },
    { name: 'chunked answer of exactly the limit', reply: { body: `{"code":0,"p":"${'x'.repeat(MAX_HOOK_ANSWER_BYTES - 17)}"}` }, want: 'ok' },
  ];

  it.each(table)('$name -> $want', async (c) => {
    expect(reason(await publishWith(c.reply))).toBe(c.want);
    expect(server.received.map((h) => h.path)).toEqual(['/hook']);
  });

  it('posts the SRS body as JSON', async () => {
    await publishWith({});
    const [hook] = server.received;
    expect(hook.method).toBe('POST');
    expect(hook.contentType).toBe('application/json');
    expect(hook.body).toEqual({
      server_id: 'vid-unit001', service_id: 'svc00001', action: 'on_publish', client_id: 'abcd1234', ip: '10.0.0.7',
      vhost: '__defaultVhost__', app: 'live', tcUrl: 'rtmp://127.0.0.1/live', stream: 'cam', param: '?token=good', stream_url: '/live/cam',
    });
  });

  it('fails closed within the timeout when the hook does not answer', async () => {
    const t0 = performance.now();
    const v = await publishWith({ delayMs: 5000 });
    const took = performance.now() - t0;
    expect(v).toMatchObject({ ok: false, reason: 'auth_unavailable', detail: `timed out after ${TIMEOUT_MS} ms` });
    expect(took).toBeGreaterThanOrEqual(TIMEOUT_MS - 20);
    expect(took).toBeLessThan(TIMEOUT_MS + MARGIN_MS);
  });

  it('fails closed when nothing listens', async () => {
    const gone = await startHookTestServer();
    const url = gone.url('/hook');
    await gone.close();
    const v = await client({ onPlay: [url] }).hooks.admit('on_play', request);
    expect(v).toMatchObject({ ok: false, reason: 'auth_unavailable' });
    expect(v.ok ? '' : v.detail).toMatch(/^request failed: /);
  });

  it('allows without any request when no URL is configured', async () => {
    expect(await client({}).hooks.admit('on_connect', request)).toEqual({ ok: true });
    expect(server.received).toHaveLength(0);
  });

  it('calls every URL in order and stops at the first refusal', async () => {
    server.reply = (h) => (h.path.startsWith('/deny') ? { body: '{"code":403}' } : {});
    const urls = [server.url('/a'), server.url('/deny?secret=s3'), server.url('/never')];
    const v = await client({ onConnect: urls }).hooks.admit('on_connect', request);
    expect(v).toEqual({ ok: false, reason: 'hook_rejected', detail: 'code 403', url: server.url('/deny') });
    expect(server.received.map((h) => h.path)).toEqual(['/a', '/deny?secret=s3']);
  });

  it('notifies every URL even when one fails, and logs the failure', async () => {
    server.reply = (h) => (h.path === '/broken' ? { status: 500 } : {});
    const { hooks, log } = client({ onUnpublish: [server.url('/broken'), server.url('/ok')] });
    await hooks.notify('on_unpublish', request);
    expect(server.received.map((h) => [h.path, h.body?.action])).toEqual([
      ['/broken', 'on_unpublish'],
      ['/ok', 'on_unpublish'],
    ]);
    const failed = log.events('hook_failed');
    expect(failed).toHaveLength(1);
    expect(failed[0].fields).toMatchObject({ action: 'on_unpublish', reason: 'auth_unavailable', detail: 'status 500', url: server.url('/broken') });
  });

  it('posts on_dvr to hooks.on_dvr with the recording\'s cwd and file', async () => {
    const { hooks } = client({ onDvr: [server.url('/dvr')] });
    await hooks.notify('on_dvr', { ...request, cwd: '/srv', file: '/srv/dvr/live/cam.1.mp4' });
    expect(server.received.map((h) => h.path)).toEqual(['/dvr']);
    expect(server.received[0].body).toMatchObject({ action: 'on_dvr', cwd: '/srv', file: '/srv/dvr/live/cam.1.mp4' });
  });

  it('posts on_hls to hooks.on_hls with the segment\'s fields, and nothing to the other events', async () => {
    const { hooks } = client({ onHls: [server.url('/hls')], onDvr: [server.url('/dvr')] });
    const segment = { duration: 2.002, file: '/srv/hls/live/cam-5.ts', url: 'live/cam-5.ts', m3u8: '/srv/hls/live/cam.m3u8', m3u8Url: 'live/cam.m3u8', seqNo: 5 };
    await hooks.notify('on_hls', { ...request, cwd: '/srv', ...segment });
    expect(server.received.map((h) => h.path)).toEqual(['/hls']);
    expect(server.received[0].body).toMatchObject({
      action: 'on_hls', cwd: '/srv', duration: 2.002, file: '/srv/hls/live/cam-5.ts', url: 'live/cam-5.ts', m3u8: '/srv/hls/live/cam.m3u8',
      m3u8_url: 'live/cam.m3u8', seq_no: 5,
    });
  });

  it('notification timeouts resolve, never reject', async () => {
    server.reply = () => ({ delayMs: 5000 });
    const { hooks, log } = client({ onClose: [server.url('/slow')] });
    await expect(hooks.notify('on_close', { ...request, sendBytes: 1, recvBytes: 2 })).resolves.toBeUndefined();
    expect(log.events('hook_failed')[0].fields.detail).toBe(`timed out after ${TIMEOUT_MS} ms`);
    expect(server.received[0].body).toMatchObject({ action: 'on_close', send_bytes: 1, recv_bytes: 2 });
  });
});

describe('redactUrl', () => {
  it('keeps scheme, host and path; drops query and credentials', () => {
    expect(redactUrl('https://user:pw@hooks.example.com:8443/srs/on_publish?secret=x')).toBe('https://hooks.example.com:8443/srs/on_publish');
  });
});
