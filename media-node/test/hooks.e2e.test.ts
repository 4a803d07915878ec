import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { startHookTestServer } from '../src/server/hooks/hook-test-server.ts';
import type { HookTestReply, HookTestServer, ReceivedHook } from '../src/server/hooks/hook-test-server.ts';
import { probe, publishRtmp, runPeer, sleep } from './support/ffmpeg.ts';
import type { Peer } from './support/ffmpeg.ts';
import { freePort } from './support/free-port.ts';
import { startNodeUnderTest } from './support/node-under-test.ts';
import type { NodeUnderTest } from './support/node-under-test.ts';

/**
 * SRS http_hooks end to end: ffmpeg publishes and plays through a node whose
 * hooks point at a real HTTP hook server (bad-inputs rows 32-34).
 *
 * The hook server plays an SRS-style auth backend: on_publish and on_play
 * admit `?token=good` and answer `{"code":403}` otherwise; some stream names
 * make on_publish misbehave (slow, 500, empty, not JSON).
 */

/** The node's default hook timeout (config hooks.timeout_ms); the tests use the real default. */
const HOOK_TIMEOUT_MS = 3000;

/** How on_publish misbehaves, by stream name. */
const BROKEN: Record<string, HookTestReply> = {
  slow: { delayMs: 10_000 },
  e500: { status: 500, body: '{"code":0}' },
  empty: { body: '' },
  garbage: { body: 'OK' },
};

function answer(h: ReceivedHook): HookTestReply {
  const b = h.body ?? {};
  if (h.path === '/deny-connect') return { body: '{"code":1,"msg":"go away"}' };
  if (b.action === 'on_publish' && typeof b.stream === 'string' && b.stream in BROKEN) return BROKEN[b.stream];
  if (b.action === 'on_publish' || b.action === 'on_play') return { body: b.param === '?token=good' ? '{"code":0,"msg":"OK"}' : '{"code":403}' };
  return { body: '0' };
}

let hooks: HookTestServer;
let n: NodeUnderTest;
let dir: string;

beforeAll(async () => {
  hooks = await startHookTestServer(answer);
  const on = (path: string) => [hooks.url(path)];
  n = await startNodeUnderTest({
    hooks: {
      on_connect: on('/connect'),
      on_close: on('/close'),
      on_publish: on('/publish'),
      on_unpublish: on('/unpublish'),
      on_play: on('/play'),
      on_stop: on('/stop'),
    },
  });
  dir = mkdtempSync(join(tmpdir(), 'runnel-hooks-e2e-'));
});

afterAll(async () => {
  await n.stop();
  await hooks.close();
  rmSync(dir, { recursive: true, force: true });
});

function bodies(action: string, stream?: string): Array<Record<string, unknown>> {
  return hooks.received
    .map((h) => h.body ?? {})
    .filter((b) => b.action === action && (stream === undefined || b.stream === stream));
}

function rejects(stream: string): Array<Record<string, unknown>> {
  return n.log.records.filter((r) => r.event === 'reject' && r.fields.stream === stream).map((r) => r.fields);
}

async function apiStreamNames(node: NodeUnderTest): Promise<string[]> {
  const res = (await (await fetch(node.api('/api/v1/streams'))).json()) as { streams: Array<{ name: string }> };
  return res.streams.map((s) => s.name);
}

async function until(what: string, cond: () => boolean, timeoutMs = 5000): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!cond()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await sleep(50);
  }
}

/** Resolves with the exit code and the wall-clock time of the exit. */
function exit(p: Peer): Promise<{ code: number | null; at: number }> {
  return p.exited.then((code) => ({ code, at: Date.now() }));
}

describe('http_hooks: on_publish', () => {
  it('admits a publisher with the right token; the hooks get SRS bodies in SRS order', async () => {
    const pub = publishRtmp(n.rtmp('/live/good?token=good'), { seconds: 2 });
    expect(await pub.exited, pub.stderr()).toBe(0);
    await until('on_close', () => bodies('on_close').length > 0);

    const [publish] = bodies('on_publish', 'good');
    expect(publish).toEqual({
      server_id: 'vid-e2etest',
      service_id: expect.stringMatching(/^[a-z0-9]{8}$/),
      action: 'on_publish',
      client_id: expect.stringMatching(/^[a-z0-9]{8}$/),
      ip: '127.0.0.1',
      vhost: '__defaultVhost__',
      app: 'live',
      tcUrl: `rtmp://127.0.0.1:${n.node.ports.rtmp}/live`,
      stream: 'good',
      param: '?token=good',
      stream_url: '/live/good',
    });
    const cid = publish.client_id;
    const mine = hooks.received.filter((h) => h.body?.client_id === cid);
    expect(mine.map((h) => [h.path, h.body?.action])).toEqual([
      ['/connect', 'on_connect'],
      ['/publish', 'on_publish'],
      ['/unpublish', 'on_unpublish'],
      ['/close', 'on_close'],
    ]);
    expect(mine.every((h) => h.method === 'POST' && h.contentType === 'application/json')).toBe(true);
    const unpublish = mine[2].body!;
    expect(unpublish).toMatchObject({ stream: 'good', param: '?token=good', stream_url: '/live/good', stream_id: expect.stringMatching(/^vid-/) });
    const close = mine[3].body!;
    expect(close.recv_bytes as number).toBeGreaterThan(50_000);
    expect(close.send_bytes as number).toBeGreaterThan(0);
  });

  it('refuses a wrong or missing token before any source exists, and sends no on_unpublish', async () => {
    const wrong = publishRtmp(n.rtmp('/live/wrong?token=bad'), { seconds: 2 });
    const missing = publishRtmp(n.rtmp('/live/missing'), { seconds: 2 });
    const codes = await Promise.all([wrong.exited, missing.exited]);
    expect(codes[0]).not.toBe(0);
    expect(codes[1]).not.toBe(0);
    expect(bodies('on_publish', 'wrong')[0]).toMatchObject({ param: '?token=bad' });
    expect(bodies('on_publish', 'missing')[0]).toMatchObject({ param: '' });
    expect(rejects('live/wrong')[0]).toMatchObject({ reason: 'hook_rejected', hook: 'on_publish', detail: 'code 403' });
    expect(rejects('live/missing')[0]).toMatchObject({ reason: 'hook_rejected' });
    const names = await apiStreamNames(n);
    expect(names).not.toContain('wrong');
    expect(names).not.toContain('missing');
    expect(n.node.streams.get({ app: 'live', stream: 'wrong' })).toBeUndefined();
    await sleep(300);
    expect(bodies('on_unpublish', 'wrong')).toHaveLength(0);
    expect(bodies('on_unpublish', 'missing')).toHaveLength(0);
    expect(n.log.events('publish').filter((r) => r.fields.stream === 'live/wrong')).toHaveLength(0);
  });

  it('fails closed with auth_unavailable when the hook is down, slow, failing or answers garbage', async () => {
    const down = await startNodeUnderTest({ hooks: { on_publish: [`http://127.0.0.1:${await freePort()}/hook`] } });
    try {
      const names = Object.keys(BROKEN);
      const pubs = names.map((s) => publishRtmp(n.rtmp(`/live/${s}?token=good`), { seconds: 6 }));
      const downPub = publishRtmp(down.rtmp('/live/down?token=good'), { seconds: 6 });
      const exits = await Promise.all([...pubs, downPub].map(exit));
      for (const [i, name] of names.entries()) {
        expect(exits[i].code, `${name}: ${pubs[i].stderr()}`).not.toBe(0);
        expect(rejects(`live/${name}`)[0], name).toMatchObject({ reason: 'auth_unavailable', hook: 'on_publish' });
      }
      expect(exits[names.length].code).not.toBe(0);
      expect(down.log.records.find((r) => r.event === 'reject')?.fields).toMatchObject({ reason: 'auth_unavailable', stream: 'live/down' });
      expect(down.log.records.find((r) => r.event === 'reject')?.fields.detail).toMatch(/^request failed: ECONNREFUSED/);

      // The slow hook: refused at the hook timeout, not at ffmpeg's or the hook's pace.
      const slowHook = hooks.received.find((h) => h.body?.action === 'on_publish' && h.body.stream === 'slow')!;
      const waited = exits[names.indexOf('slow')].at - slowHook.at;
      expect(waited).toBeGreaterThanOrEqual(HOOK_TIMEOUT_MS - 50);
      expect(waited).toBeLessThan(HOOK_TIMEOUT_MS + 1500);
      expect(rejects('live/slow')[0].detail).toBe(`timed out after ${HOOK_TIMEOUT_MS} ms`);

      const live = [...(await apiStreamNames(n)), ...(await apiStreamNames(down))];
      for (const name of [...names, 'down']) expect(live).not.toContain(name);
    } finally {
      await down.stop();
    }
  });
});

describe('http_hooks: on_connect', () => {
  it('closes a connection on_connect refuses; on_publish is never asked and no on_close follows', async () => {
    const strict = await startNodeUnderTest({
      hooks: { on_connect: [hooks.url('/deny-connect')], on_publish: [hooks.url('/publish')], on_close: [hooks.url('/close')] },
    });
    try {
      const pub = publishRtmp(strict.rtmp('/live/connless?token=good'), { seconds: 2 });
      expect(await pub.exited).not.toBe(0);
      const reject = strict.log.records.find((r) => r.event === 'reject')?.fields;
      expect(reject).toMatchObject({ reason: 'hook_rejected', hook: 'on_connect', detail: 'code 1' });
      const close = strict.log.records.find((r) => r.event === 'close')?.fields;
      expect(close).toMatchObject({ client: reject?.client, reason: 'hook_rejected' });
      await sleep(300);
      const mine = hooks.received.filter((h) => h.body?.client_id === reject?.client);
      expect(mine.map((h) => h.body?.action)).toEqual(['on_connect']);
      expect(mine[0].body).toMatchObject({ app: 'live', param: '', tcUrl: `rtmp://127.0.0.1:${strict.node.ports.rtmp}/live` });
    } finally {
      await strict.stop();
    }
  });
});

describe('http_hooks: on_play', () => {
  it('admits players with the right token and refuses the others (HTTP-FLV 403, WS-FLV 1008, RTMP error)', async () => {
    const pub = publishRtmp(n.rtmp('/live/watch?token=good'), { seconds: 8 });
    await until('publish', () => n.log.events('publish').some((r) => r.fields.stream === 'live/watch'));
    await sleep(1000);

    const denied = await fetch(n.http('/live/watch.flv?token=bad'));
    expect(denied.status).toBe(403);
    await denied.body?.cancel();

    const ws = new WebSocket(n.http('/live/watch.flv?token=bad').replace('http:', 'ws:'));
    ws.on('error', () => undefined);
    const wsClose = await new Promise<number>((resolve) => ws.on('close', (code) => resolve(code)));
    expect(wsClose).toBe(1008);

    const rtmpDenied = runPeer('ffprobe', ['-v', 'error', '-rw_timeout', '5000000', n.rtmp('/live/watch?token=bad')]);
    expect(await rtmpDenied.exited).not.toBe(0);
    expect(rejects('live/watch').filter((r) => r.hook === 'on_play').map((r) => [r.proto, r.reason])).toEqual([
      ['flv', 'hook_rejected'],
      ['ws-flv', 'hook_rejected'],
      ['rtmp', 'hook_rejected'],
    ]);

    const flv = await fetch(n.http('/live/watch.flv?token=good'), { headers: { Referer: 'http://page.example/watch' } });
    expect(flv.status).toBe(200);
    const reader = flv.body!.getReader();
    const { value } = await reader.read();
    expect(new TextDecoder().decode(value!.subarray(0, 3))).toBe('FLV');
    await reader.cancel();

    const info = await probe(n.rtmp('/live/watch?token=good'));
    expect(info.streams.map((s) => s.codec_type)).toEqual(expect.arrayContaining(['audio', 'video']));

    const flvPlay = bodies('on_play', 'watch').find((b) => b.param === '?token=good' && b.pageUrl === 'http://page.example/watch');
    expect(flvPlay).toMatchObject({
      action: 'on_play',
      ip: '127.0.0.1',
      vhost: '__defaultVhost__',
      app: 'live',
      tcUrl: `http://127.0.0.1:${n.node.ports.http}/live`,
      stream_url: '/live/watch',
      stream_id: expect.stringMatching(/^vid-/),
    });
    await until('on_stop of the HTTP-FLV player', () => bodies('on_stop', 'watch').some((b) => b.client_id === flvPlay!.client_id));
    expect(bodies('on_stop', 'watch').find((b) => b.client_id === flvPlay!.client_id)).toMatchObject({ param: '?token=good' });
    await pub.stop();
  });
});

describe('http_hooks: shell metacharacters (bad-inputs row 32)', () => {
  it('never runs anything: names are refused, queries reach the hook as plain data', async () => {
    const sentinel = join(dir, 'pwned');
    const injections = [`$(touch\${IFS}${sentinel})`, `;touch\${IFS}${sentinel}`, `\`touch\${IFS}${sentinel}\``, `&touch\${IFS}${sentinel}`];
    const peers: Peer[] = [];
    for (const [i, inj] of injections.entries()) {
      peers.push(publishRtmp(n.rtmp(`/live/inj${i}?token=${inj}`), { seconds: 1 }));
      peers.push(publishRtmp(n.rtmp(`/live/${inj}?token=good`), { seconds: 1 }));
    }
    const codes = await Promise.all(peers.map((p) => p.exited));
    expect(codes.every((c) => c !== 0)).toBe(true);

    const statuses: number[] = [];
    for (const inj of injections) {
      const q = await fetch(n.http(`/live/injq.flv?token=${inj}`));
      statuses.push(q.status);
      await q.body?.cancel();
      const p = await fetch(n.http(`/live/${inj}.flv?token=good`));
      statuses.push(p.status);
      await p.body?.cancel();
    }
    // A query is data the hook refuses (403); a name fails the allowlist before any hook (404).
    expect(statuses).toEqual(injections.flatMap(() => [403, 404]));
    const flvParams = bodies('on_play', 'injq').map((b) => b.param);
    expect(flvParams).toEqual(injections.map((inj) => `?token=${new URL(`http://x/?token=${inj}`).search.slice(7)}`));

    await sleep(500);
    expect(existsSync(sentinel)).toBe(false);
  });
});
