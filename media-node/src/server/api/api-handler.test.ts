import { request } from 'node:http';
import type { IncomingHttpHeaders } from 'node:http';
import { afterEach, describe, expect, it } from 'vitest';
import { createMemoryLogger } from '../log/memory-logger.ts';
import type { MemoryLogger } from '../log/memory-logger.ts';
import { createApiHandler } from './api-handler.ts';
import type { ApiDeps } from './api-handler.ts';
import { ListenError, startApiServer } from './api-server.ts';
import type { ApiServer } from './api-server.ts';
import { FakeNodeStats, FakeSystemProbe, fakeClient, fakeStream, fakeVhost, FAKE_VHOST_ID } from './fake-node-stats.ts';
import { MAX_API_BODY_BYTES } from './request-body.ts';
import { createSystemProbe } from './system-probe.ts';

const NOW = 1_700_000_123_456;

interface Reply {
  status: number;
  headers: IncomingHttpHeaders;
  text: string;
  json: Record<string, unknown>;
}

let running: ApiServer[] = [];
afterEach(async () => {
  await Promise.all(running.map((s) => s.close()));
  running = [];
});

async function start(over: Partial<ApiDeps> = {}) {
  const stats = new FakeNodeStats();
  const probe = new FakeSystemProbe();
  const logger: MemoryLogger = createMemoryLogger();
  const deps: ApiDeps = { stats, probe, version: '0.1.0', cors: true, logger, now: () => NOW, ...over };
  const server = await startApiServer({ host: '127.0.0.1', port: 0, handler: createApiHandler(deps) });
  running.push(server);
  const call = (method: string, path: string, opts: { body?: Uint8Array; headers?: Record<string, string> } = {}) =>
    new Promise<Reply>((resolve, reject) => {
      const req = request({ host: '127.0.0.1', port: server.port, method, path, headers: opts.headers }, (res) => {
        const parts: Buffer[] = [];
        res.on('data', (c: Buffer) => parts.push(c));
        res.on('end', () => {
          const text = Buffer.concat(parts).toString('utf8');
          let json: Record<string, unknown> = {};
          try {
            json = JSON.parse(text) as Record<string, unknown>;
          } catch {
            // JSONP and empty bodies are checked as text
          }
          resolve({ status: res.statusCode ?? 0, headers: res.headers, text, json });
        });
      });
      req.on('error', reject);
      req.end(opts.body);
    });
  return { stats, probe, logger, server, call };
}

const streams = Array.from({ length: 12 }, (_, i) => fakeStream(`vid-s${String(i).padStart(2, '0')}`, `s${i}`));
const common = { server: 'vid-test123', service: 'svc12345', pid: '4242' };

describe('SRS API over HTTP', () => {
  it('GET /api/v1/versions', async () => {
    const { call } = await start();
    const r = await call('GET', '/api/v1/versions');
    expect(r.status).toBe(200);
    expect(r.headers['content-type']).toBe('application/json');
    expect(r.headers.server).toBe('Runnel/0.1.0');
    expect(r.headers['access-control-allow-origin']).toBe('*');
    expect(r.json).toEqual({ code: 0, ...common, data: { major: 0, minor: 1, revision: 0, version: '0.1.0' } });
    expect(Object.keys(r.json)[0]).toBe('code');
  });

  it('GET /api/v1/summaries: probe figures plus the node counters', async () => {
    const { call, stats, probe } = await start();
    stats.clientList = [fakeClient('a', { recv_bytes: 5, send_bytes: 7 }), fakeClient('b', { recv_bytes: 1, send_bytes: 2 })];
    const r = await call('GET', '/api/v1/summaries');
    const data = r.json.data as Record<string, Record<string, unknown>>;
    const fixed = new FakeSystemProbe().sample();
    expect(data.ok).toBe(true);
    expect(data.now_ms).toBe(NOW);
    expect(data.self).toEqual(fixed.self);
    expect(data.system).toMatchObject(fixed.system);
    expect(data.system).toMatchObject({ conn_srs: 2, srs_recv_bytes: 6, srs_send_bytes: 9, srs_sample_time: NOW });
    expect(probe.samples).toBe(1);
  });

  it('GET /api/v1/summaries with the real probe reports this process', async () => {
    const { call } = await start({ probe: createSystemProbe({ version: '0.1.0', argv: ['node', 'runnel', 'node'], cwd: '/x' }) });
    const r = await call('GET', '/api/v1/summaries');
    const self = (r.json.data as Record<string, Record<string, unknown>>).self;
    expect(r.json.pid).toBe(String(process.pid));
    expect(self).toMatchObject({ pid: process.pid, ppid: process.ppid, argv: 'node runnel node', cwd: '/x', version: '0.1.0' });
    expect(self.mem_kbyte as number).toBeGreaterThan(1000);
  });

  it('GET /api/v1/streams pages with SRS count = max(10, count)', async () => {
    const { call, stats } = await start();
    stats.streamList = streams;
    const ids = async (q: string) => ((await call('GET', `/api/v1/streams${q}`)).json.streams as { id: string }[]).map((s) => s.id);
    expect(await ids('')).toEqual(streams.slice(0, 10).map((s) => s.id));
    expect(await ids('?count=3')).toHaveLength(10);
    expect(await ids('?count=11')).toEqual(streams.slice(0, 11).map((s) => s.id));
    expect(await ids('/?start=10')).toEqual(['vid-s10', 'vid-s11']);
    expect(await ids('?start=20')).toEqual([]);
    const bad = await call('GET', '/api/v1/streams?start=-1');
    expect(bad.status).toBe(400);
    expect(bad.json).toMatchObject({ code: 400, message: 'start must be a whole number, got "-1"' });
  });

  it('GET /api/v1/streams/{id} and code 2048 for an unknown stream', async () => {
    const { call, stats } = await start();
    stats.streamList = streams;
    const r = await call('GET', '/api/v1/streams/vid-s03');
    expect(r.json).toEqual({ code: 0, ...common, stream: streams[3] });
    const missing = await call('GET', '/api/v1/streams/nope');
    expect(missing.status).toBe(200);
    expect(missing.json).toEqual({ code: 2048, ...common });
  });

  it('decodes the id and rejects bad percent-encoding', async () => {
    const { call, stats } = await start();
    stats.streamList = [fakeStream('a b', 'x')];
    expect((await call('GET', '/api/v1/streams/a%20b')).json.stream).toEqual(stats.streamList[0]);
    expect((await call('GET', '/api/v1/streams/%E0%A4%A')).status).toBe(400);
  });

  it('GET /api/v1/clients[/{id}] and code 2049 for an unknown client', async () => {
    const { call, stats } = await start();
    stats.clientList = [fakeClient('c1'), fakeClient('c2', { type: 'fmle-publish', publish: true })];
    expect((await call('GET', '/api/v1/clients')).json).toEqual({ code: 0, ...common, clients: stats.clientList });
    expect((await call('GET', '/api/v1/clients/c2')).json).toEqual({ code: 0, ...common, client: stats.clientList[1] });
    expect((await call('GET', '/api/v1/clients/zz')).json).toEqual({ code: 2049, ...common });
  });

  it('DELETE /api/v1/clients/{id} kicks the client', async () => {
    const { call, stats, logger } = await start();
    stats.clientList = [fakeClient('c1'), fakeClient('c2')];
    const r = await call('DELETE', '/api/v1/clients/c1');
    expect(r.json).toEqual({ code: 0, ...common });
    expect(stats.kicked).toEqual(['c1']);
    expect(logger.events('api_kick').map((e) => e.fields.client)).toEqual(['c1']);
    expect((await call('GET', '/api/v1/clients/c1')).json.code).toBe(2049);
    expect((await call('DELETE', '/api/v1/clients/c1')).json).toEqual({ code: 2049, ...common });
    expect(stats.kicked).toEqual(['c1']);
  });

  it('GET /api/v1/vhosts[/{id}] and code 2014 for an unknown vhost', async () => {
    const { call, stats } = await start();
    stats.streamList = streams.slice(0, 2);
    stats.vhostList = [fakeVhost(stats.streamList)];
    const list = await call('GET', '/api/v1/vhosts');
    expect(list.json.vhosts).toEqual(stats.vhostList);
    expect(stats.vhostList[0]).toMatchObject({ name: '__defaultVhost__', streams: 2, clients: 4, recv_bytes: 10000 });
    expect((await call('GET', `/api/v1/vhosts/${FAKE_VHOST_ID}`)).json.vhost).toEqual(stats.vhostList[0]);
    expect((await call('GET', '/api/v1/vhosts/nope')).json).toEqual({ code: 2014, ...common });
  });

  it('navigation at /, /api/ and /api/v1/', async () => {
    const { call } = await start();
    expect((await call('GET', '/')).json).toEqual({ code: 0, ...common, urls: { api: 'the api root' } });
    expect((await call('GET', '/api/')).json).toEqual({ code: 0, ...common, urls: { v1: 'the api version 1.0' } });
    const v1 = await call('GET', '/api/v1/');
    expect(Object.keys(v1.json.urls as object)).toEqual(['versions', 'summaries', 'vhosts', 'streams', 'clients']);
    // every URL the navigation names answers
    for (const name of Object.keys(v1.json.urls as object)) expect((await call('GET', `/api/v1/${name}`)).json.code).toBe(0);
  });

  it('GET /healthz', async () => {
    let now = NOW;
    const { call } = await start({ now: () => now });
    now += 1500;
    const r = await call('GET', '/healthz');
    expect(r.status).toBe(200);
    expect(r.json).toMatchObject({ code: 0, status: 'ok', uptime_ms: 1500 });
  });

  it('404 for unknown paths, 405 with Allow for wrong methods', async () => {
    const { call } = await start();
    for (const p of ['/api/v2/versions', '/nope', '/api/v1/streams/a/b', '/api/v1/versionsx']) {
      const r = await call('GET', p);
      expect(r.status, p).toBe(404);
      expect(r.json.code).toBe(404);
    }
    const post = await call('POST', '/api/v1/streams');
    expect(post.status).toBe(405);
    expect(post.headers.allow).toBe('GET, HEAD, OPTIONS');
    const del = await call('DELETE', '/api/v1/clients');
    expect(del.status).toBe(405);
    const put = await call('PUT', '/api/v1/clients/c1');
    expect(put.status).toBe(405);
    expect(put.headers.allow).toBe('GET, HEAD, DELETE, OPTIONS');
  });

  it('HEAD answers like GET without a body', async () => {
    const { call } = await start();
    const r = await call('HEAD', '/api/v1/versions');
    expect(r.status).toBe(200);
    expect(r.text).toBe('');
    expect(Number(r.headers['content-length'])).toBeGreaterThan(50);
  });

  it('JSONP wraps the body and lets method=DELETE kick', async () => {
    const { call, stats } = await start();
    stats.clientList = [fakeClient('c1')];
    const r = await call('GET', '/api/v1/versions?callback=cb_1$');
    expect(r.headers['content-type']).toBe('text/javascript');
    const m = /^cb_1\$\((.*)\)$/.exec(r.text);
    expect(m).not.toBeNull();
    expect(JSON.parse(m?.[1] ?? '')).toMatchObject({ code: 0, data: { version: '0.1.0' } });
    expect((await call('GET', '/api/v1/clients/c1?method=DELETE')).json.code).toBe(0);
    expect(stats.kicked).toEqual([]);
    const kicked = await call('GET', '/api/v1/clients/c1?callback=k&method=DELETE');
    expect(kicked.text).toMatch(/^k\(\{"code":0,/);
    expect(stats.kicked).toEqual(['c1']);
    expect((await call('GET', '/api/v1/streams/x?callback=k')).text).toBe(`k(${JSON.stringify({ code: 2048, ...common })})`);
  });

  it('refuses a JSONP callback that is not an identifier, without echoing it', async () => {
    const { call } = await start();
    for (const cb of ['alert(1)//', '1abc', 'a.b', 'x'.repeat(129), '%3Cscript%3E']) {
      const r = await call('GET', `/api/v1/versions?callback=${cb}`);
      expect(r.status, cb).toBe(400);
      expect(r.headers['content-type']).toBe('application/json');
      expect(r.text).not.toContain(decodeURIComponent(cb));
    }
  });

  it('CORS: preflight when on; no CORS headers and 405 for OPTIONS when off', async () => {
    const on = await start();
    const pre = await on.call('OPTIONS', '/api/v1/clients/c1');
    expect(pre.status).toBe(200);
    expect(pre.headers['access-control-allow-methods']).toContain('DELETE');
    const off = await start({ cors: false });
    expect((await off.call('GET', '/api/v1/versions')).headers['access-control-allow-origin']).toBeUndefined();
    expect((await off.call('OPTIONS', '/api/v1/versions')).status).toBe(405);
  });

  it('413 for a body over the limit, declared or streamed; a small body is fine', async () => {
    const { call } = await start();
    const big = new Uint8Array(MAX_API_BODY_BYTES + 1);
    expect((await call('POST', '/api/v1/versions', { body: big })).status).toBe(413);
    const chunked = await call('POST', '/api/v1/versions', { body: big, headers: { 'Transfer-Encoding': 'chunked' } });
    expect(chunked.status).toBe(413);
    expect(chunked.headers.connection).toBe('close');
    expect((await call('POST', '/api/v1/versions', { body: new Uint8Array(10) })).status).toBe(405);
  });

  it('500 and an error line when the node throws', async () => {
    const { call, stats, logger } = await start();
    stats.streams = () => {
      throw new Error('hub exploded');
    };
    const r = await call('GET', '/api/v1/streams');
    expect(r.status).toBe(500);
    expect(r.text).not.toContain('exploded');
    expect(logger.events('api_error')[0].fields.error).toEqual(new Error('hub exploded'));
  });
});

describe('startApiServer', () => {
  it('says what to do when the port is taken, and closes', async () => {
    const { server } = await start();
    const err = await startApiServer({ host: '127.0.0.1', port: server.port, handler: () => {} }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ListenError);
    expect((err as ListenError).errno).toBe('EADDRINUSE');
    expect((err as Error).message).toContain('--api-port');
    await server.close();
    running = running.filter((s) => s !== server);
    const refused = await fetch(`http://127.0.0.1:${server.port}/`).catch((e: unknown) => e);
    expect(refused).toBeInstanceOf(Error);
  });
});
