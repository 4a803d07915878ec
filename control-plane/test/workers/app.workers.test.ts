import { createExecutionContext, createScheduledController, env, waitOnExecutionContext } from 'cloudflare:test';
import { exports } from 'cloudflare:workers';
import { describe, expect, it } from 'vitest';
import worker from '../../src/entry/worker.ts';

/**
 * The control plane's Worker (wrangler.toml's `main`, the same bundle
 * `wrangler deploy` uploads) tested INSIDE workerd with Cloudflare's Vitest
 * integration (@cloudflare/vitest-plugin): these tests run in the Workers
 * runtime next to the Worker, with the local D1 and R2 bindings of
 * wrangler.toml, offline. The bindings' secrets come from the project's
 * `miniflare.bindings` (vitest.workspace.ts). The tests of this file share
 * one D1 and run in order: later ones use the node and streams earlier ones made.
 */

const API_KEY = 'rnl_workerspooltest0123456789abcdefghjkmn';
const NODE_TOKEN = 'workers-pool-node-token-0123456789abcdef';

async function call(method: string, path: string, opts: { auth?: string; body?: unknown } = {}) {
  const headers: Record<string, string> = {};
  if (opts.auth !== undefined) headers.authorization = `Bearer ${opts.auth}`;
  if (opts.body !== undefined) headers['content-type'] = 'application/json';
  const res = await exports.default.fetch(`http://cp.test${path}`, { method, headers, body: opts.body === undefined ? undefined : JSON.stringify(opts.body) });
  const text = await res.text();
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  return { status: res.status, headers: res.headers, json: (text === '' ? null : JSON.parse(text)) as any };
}

describe('the control plane in workerd (Cloudflare vitest integration)', () => {
  it('migrates its D1 on first use, creates a stream and reads it back through the API and the binding', async () => {
    const made = await call('POST', '/v1/live-streams', { auth: API_KEY, body: { name: 'in the pool' } });
    expect(made.status).toBe(201);
    const got = await call('GET', `/v1/live-streams/${made.json.data.id}`, { auth: API_KEY });
    expect(got.json).toEqual(made.json);
    const row = await env.DB.prepare('SELECT name, stream_key FROM live_streams WHERE id = ?').bind(made.json.data.id).first<{ name: string; stream_key: string }>();
    expect(row).toEqual({ name: 'in the pool', stream_key: made.json.data.stream_key });
  });

  it('admits a publish from a registered node and refuses it after the key rotates (db.batch on D1)', async () => {
    const reg = await call('POST', '/internal/nodes/register', {
      auth: NODE_TOKEN,
      body: { node_id: 'p1', region: 'local', urls: { rtmp: 'rtmp://p1:1935', http: 'http://p1:8080', srt: 'srt://p1:10080' }, capacity: { max_streams: 10, max_egress_kbps: 100_000 } },
    });
    expect(reg.status).toBe(200);
    const s = (await call('POST', '/v1/live-streams', { auth: API_KEY, body: { name: 'rotating' } })).json.data;
    const urls = (await call('POST', `/v1/live-streams/${s.id}/publish-urls`, { auth: API_KEY })).json.data;
    expect(urls.srt).toEqual({ url: 'srt://p1:10080', streamid: `#!::r=live/${s.stream_key},m=publish`, passphrase: s.srt_passphrase });
    const hook = { server_id: 'p1', action: 'on_publish', client_id: 'c1', ip: '127.0.0.1', vhost: '__defaultVhost__', app: 'live', stream: s.stream_key, param: '', tcUrl: 'srt://p1:10080/live', protocol: 'srt' };
    const admitted = await call('POST', '/internal/hooks', { auth: NODE_TOKEN, body: hook });
    expect(admitted.json).toMatchObject({ code: 0, data: { playback_name: s.playback_ids[0].id, srt_passphrase: s.srt_passphrase } });
    await call('POST', `/v1/live-streams/${s.id}/rotate-keys`, { auth: API_KEY });
    const refused = await call('POST', '/internal/hooks', { auth: NODE_TOKEN, body: { ...hook, client_id: 'c2' } });
    expect(refused.json).toMatchObject({ code: 403, reason: 'stream_key_invalid' });
  });

  it('runs the cron: a node that stopped beating goes down and its live stream is disconnected', async () => {
    await env.DB.prepare('UPDATE media_nodes SET last_heartbeat_at = 0 WHERE id = ?').bind('p1').run();
    const ctx = createExecutionContext();
    await worker.scheduled(createScheduledController({ cron: '* * * * *' }), env as unknown as Record<string, unknown>);
    await waitOnExecutionContext(ctx);
    expect(await env.DB.prepare('SELECT state FROM media_nodes WHERE id = ?').bind('p1').first('state')).toBe('down');
    expect(await env.DB.prepare("SELECT status FROM live_streams WHERE name = 'rotating'").first('status')).toBe('disconnected');
  });

  it('serves /hls from the R2 bucket binding, with CDN cache headers', async () => {
    const s = (await call('POST', '/v1/live-streams', { auth: API_KEY, body: { name: 'hls' } })).json.data;
    const pid = s.playback_ids[0].id;
    await env.HLS_BUCKET.put(`live/${pid}.m3u8`, `#EXTM3U\n#EXT-X-TARGETDURATION:2\n#EXTINF:2.0,\n${pid}-1.ts\n`);
    await env.HLS_BUCKET.put(`live/${pid}-1.ts`, new Uint8Array(188).fill(0x47));
    const playlist = await exports.default.fetch(`http://cp.test/hls/${pid}/index.m3u8`);
    expect(playlist.status).toBe(200);
    expect(await playlist.text()).toContain(`${pid}-1.ts`);
    const segment = await exports.default.fetch(`http://cp.test/hls/${pid}/${pid}-1.ts`);
    expect(segment.status).toBe(200);
    expect(segment.headers.get('cache-control')).toContain('immutable');
    expect((await segment.arrayBuffer()).byteLength).toBe(188);
  });

  it('answers errors as problem JSON', async () => {
    const r = await call('GET', '/v1/live-streams', { auth: 'rnl_wrong' });
    expect(r.status).toBe(401);
    expect(r.headers.get('content-type')).toContain('application/problem+json');
    expect(r.json.code).toBe('unauthorized');
  });
});
