import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:http';
import { createRequire } from 'node:module';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Miniflare, convertV4MiniflareOptions } from 'miniflare';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { verifySignature } from '../webhooks/signature.ts';

/**
 * The same app inside workerd with D1, offline. The bundle is what
 * `wrangler deploy` would upload (built by wrangler's own dry run from
 * wrangler.toml); Miniflare runs it in workerd with an in-memory D1 bound
 * as DB. This checks the deployable bundle from outside (cron, webhooks to a
 * real receiver, the rate-limit binding); control-plane/test/workers/ runs
 * tests inside workerd with Cloudflare's Vitest integration.
 */

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const wrangler = join(dirname(createRequire(import.meta.url).resolve('wrangler/package.json')), 'bin', 'wrangler.js');
const NODE_TOKEN = 'worker-node-token-0123456789abcdefghijkl';
const API_KEY = 'rnl_workerdtest0123456789abcdefghjkmnpqrs';
const PLAYBACK_KEYS = 'k2:worker-playback-secret-0123456789abcdef,k1:worker-old-playback-secret-0123456789ab';

let outDir: string;
let mf: Miniflare;

beforeAll(async () => {
  outDir = mkdtempSync(join(tmpdir(), 'runnel-worker-'));
  execFileSync(process.execPath, [wrangler, 'deploy', '--dry-run', '--outdir', outDir], {
    cwd: root,
    env: { ...process.env, WRANGLER_SEND_METRICS: 'false', CI: '1' },
    stdio: 'pipe',
  });
  // Miniflare 5 (beta, shipped with this wrangler) takes a new options shape; its converter
  // accepts the documented v4 options, which say plainly what this test needs.
  mf = new Miniflare(
    convertV4MiniflareOptions({
      modules: true,
      scriptPath: join(outDir, 'worker.js'),
      modulesRoot: outDir,
      compatibilityDate: '2025-11-01',
      d1Databases: { DB: 'runnel-test' },
      r2Buckets: { HLS_BUCKET: 'runnel-hls-test' },
      bindings: {
        RUNNEL_NODE_TOKEN: NODE_TOKEN,
        RUNNEL_BOOTSTRAP_API_KEY: API_KEY,
        RUNNEL_PUBLIC_URL: 'https://cp.example.com',
        RUNNEL_PLAYBACK_KEYS: PLAYBACK_KEYS,
        RUNNEL_HLS_BUCKET_PREFIX: 'hls/',
        // The webhook receiver of these tests is plain http on 127.0.0.1.
        RUNNEL_WEBHOOK_ALLOW_INSECURE: '1',
      },
    }),
  );
  await mf.ready;
});

afterAll(async () => {
  await mf?.dispose();
  rmSync(outDir, { recursive: true, force: true });
});

async function call(method: string, path: string, opts: { auth?: string; body?: unknown } = {}) {
  const headers: Record<string, string> = {};
  if (opts.auth !== undefined) headers.authorization = `Bearer ${opts.auth}`;
  if (opts.body !== undefined) headers['content-type'] = 'application/json';
  const res = await mf.dispatchFetch(`http://localhost${path}`, { method, headers, body: opts.body === undefined ? undefined : JSON.stringify(opts.body) });
  const text = await res.text();
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  return { status: res.status, json: (text === '' ? null : JSON.parse(text)) as any };
}

describe('the control plane in workerd with D1', () => {
  it('migrates D1, knows the bootstrap key, creates a stream and fetches it', async () => {
    const made = await call('POST', '/v1/live-streams', { auth: API_KEY, body: { name: 'from workerd' } });
    expect(made.status).toBe(201);
    expect(made.json.data).toMatchObject({ name: 'from workerd', status: 'idle', enabled: true });
    const got = await call('GET', `/v1/live-streams/${made.json.data.id}`, { auth: API_KEY });
    expect(got.status).toBe(200);
    expect(got.json).toEqual(made.json);
  });

  it('wrote to D1 (read back through the binding, not the app)', async () => {
    const d1 = await mf.getD1Database('DB');
    const row = await d1.prepare('SELECT name FROM live_streams WHERE name = ?').bind('from workerd').first<{ name: string }>();
    expect(row?.name).toBe('from workerd');
    const tags = await d1.prepare('SELECT tag FROM _runnel_migrations').all<{ tag: string }>();
    expect(tags.results.map((r: { tag: string }) => r.tag)).toContain('0000_init');
  });

  it('runs batches on D1: a node registers, a publish is admitted, the key rotates and the old key is refused', async () => {
    const reg = await call('POST', '/internal/nodes/register', {
      auth: NODE_TOKEN,
      body: { node_id: 'w1', region: 'local', urls: { rtmp: 'rtmp://w1:1935', http: 'http://w1:8080' }, capacity: { max_streams: 10, max_egress_kbps: 100_000 } },
    });
    expect(reg.status).toBe(200);
    const s = (await call('POST', '/v1/live-streams', { auth: API_KEY, body: { name: 'batch' } })).json.data;
    const urls = await call('POST', `/v1/live-streams/${s.id}/publish-urls`, { auth: API_KEY });
    expect(urls.json.data.rtmp).toEqual({ url: 'rtmp://w1:1935/live', stream_key: s.stream_key });
    const hookBody = { server_id: 'w1', action: 'on_publish', client_id: 'c1', ip: '127.0.0.1', vhost: '__defaultVhost__', app: 'live', stream: s.stream_key, param: '' };
    expect((await call('POST', '/internal/hooks', { auth: NODE_TOKEN, body: hookBody })).json.code).toBe(0);
    await call('POST', `/v1/live-streams/${s.id}/rotate-keys`, { auth: API_KEY });
    const again = await call('POST', '/internal/hooks', { auth: NODE_TOKEN, body: { ...hookBody, client_id: 'c2' } });
    expect(again.json).toMatchObject({ code: 403, reason: 'stream_key_invalid' });
    const beat = await call('POST', '/internal/nodes/w1/heartbeat', {
      auth: NODE_TOKEN,
      body: { load: { streams: 1, clients: 0, bitrate_in_kbps: 0, bitrate_out_kbps: 0, cpu: 0.1 } },
    });
    expect(beat.json.data.end_sessions).toEqual([expect.objectContaining({ live_stream_id: s.id, client_id: 'c1', reason: 'key_rotated' })]);
  });

  it('answers errors as problem JSON there too', async () => {
    const r = await call('GET', '/v1/live-streams', { auth: 'rnl_wrong' });
    expect(r.status).toBe(401);
    expect(r.json.code).toBe('unauthorized');
    const bad = await call('POST', '/v1/live-streams', { auth: API_KEY, body: { name: 'x', reconnect_window_s: -1 } });
    expect(bad.status).toBe(422);
    expect(bad.json.errors[0].field).toBe('reconnect_window_s');
  });

  it('runs the cron sweep: a node that stopped beating goes down and its stream is disconnected', async () => {
    const d1 = await mf.getD1Database('DB');
    await d1.prepare('UPDATE media_nodes SET last_heartbeat_at = 0 WHERE id = ?').bind('w1').run();
    // Miniflare's Fetcher type needs @cloudflare/workers-types, which this repo does not install.
    const worker = (await mf.getWorker()) as unknown as { scheduled(o: { cron: string }): Promise<{ outcome: string }> };
    const r = await worker.scheduled({ cron: '* * * * *' });
    expect(r.outcome).toBe('ok');
    expect(await d1.prepare('SELECT state FROM media_nodes WHERE id = ?').bind('w1').first('state')).toBe('down');
    const stream = await d1.prepare("SELECT status FROM live_streams WHERE name = 'batch'").first('status');
    expect(stream).toBe('disconnected');
  });

  it('queues webhooks in D1 batches and the cron delivers them, signed, to a real receiver', async () => {
    const got: { signature: string; body: string }[] = [];
    const server = createServer((req, res) => {
      let body = '';
      req.on('data', (c: Buffer) => (body += c.toString('utf8')));
      req.on('end', () => {
        got.push({ signature: String(req.headers['runnel-signature']), body });
        res.writeHead(200).end();
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    try {
      const port = (server.address() as AddressInfo).port;
      const ep = (await call('POST', '/v1/webhook-endpoints', { auth: API_KEY, body: { url: `http://127.0.0.1:${port}/hooks`, events: ['stream.connected'] } })).json.data;
      await call('POST', '/internal/nodes/register', {
        auth: NODE_TOKEN,
        body: { node_id: 'w2', region: 'r', urls: { rtmp: 'rtmp://w2:1935', http: 'http://w2:8080' }, capacity: { max_streams: 10, max_egress_kbps: 1000 }, heartbeat_interval_ms: 5000 },
      });
      const s = (await call('POST', '/v1/live-streams', { auth: API_KEY, body: { name: 'hooked' } })).json.data;
      const hookBody = { server_id: 'w2', action: 'on_publish', client_id: 'c9', ip: '127.0.0.1', vhost: '__defaultVhost__', app: 'live', stream: s.stream_key, param: '' };
      expect((await call('POST', '/internal/hooks', { auth: NODE_TOKEN, body: hookBody })).json.code).toBe(0);
      await call('POST', `/v1/live-streams/${s.id}/rotate-keys`, { auth: API_KEY });
      const worker = (await mf.getWorker()) as unknown as { scheduled(o: { cron: string }): Promise<{ outcome: string }> };
      expect((await worker.scheduled({ cron: '* * * * *' })).outcome).toBe('ok');
      expect(got).toHaveLength(1);
      const event = JSON.parse(got[0].body);
      expect(event).toMatchObject({ type: 'stream.connected', seq: 1, object: { type: 'live_stream', id: s.id } });
      expect((await verifySignature(got[0].signature, got[0].body, ep.secret, Date.now())).ok).toBe(true);
      const list = await call('GET', `/v1/webhook-endpoints/${ep.id}/deliveries`, { auth: API_KEY });
      expect(list.json.data).toEqual([expect.objectContaining({ event_type: 'stream.connected', status: 'delivered', attempts: 1, last_status_code: 200 })]);
    } finally {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    }
  });
});

describe('/hls in workerd: the R2 bucket behind the edge cache', () => {
  const SEGMENT = new Uint8Array(4096).map((_, i) => (i * 7 + 0x47) & 0xff);
  const playlistOf = (id: string, first: number) => `#EXTM3U\n#EXT-X-TARGETDURATION:2\n#EXT-X-MEDIA-SEQUENCE:${first}\n#EXTINF:2.000,\n${id}-${first}.ts\n`;
  const get = (path: string, method = 'GET') => mf.dispatchFetch(`http://localhost${path}`, { method });
  // Miniflare's R2 types need @cloudflare/workers-types, which this repo does not install.
  type Bucket = { put(key: string, value: string | Uint8Array): Promise<unknown>; delete(key: string): Promise<void> };
  const hlsBucket = () => mf.getR2Bucket('HLS_BUCKET') as unknown as Promise<Bucket>;

  async function stream(policy: 'public' | 'signed'): Promise<{ id: string; pid: string }> {
    const s = (await call('POST', '/v1/live-streams', { auth: API_KEY, body: { name: `hls ${policy}`, playback_policy: policy } })).json.data;
    const pid = s.playback_ids[0].id as string;
    const bucket = await hlsBucket();
    await bucket.put(`hls/live/${pid}.m3u8`, playlistOf(pid, 1));
    await bucket.put(`hls/live/${pid}-1.ts`, SEGMENT);
    return { id: s.id, pid };
  }

  /** The edge-cache put runs after the answer (waitUntil); the next request may come before it lands. */
  async function untilHit(path: string): Promise<Response> {
    for (let i = 0; i < 50; i++) {
      const r = await get(path);
      if (r.headers.get('runnel-cache') === 'HIT') return r;
      await r.arrayBuffer();
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    throw new Error(`${path} never came from the edge cache`);
  }

  it('serves a public playlist and segment from the bucket (prefix applied), then the segment from the edge cache', async () => {
    const { pid } = await stream('public');
    const playlist = await get(`/hls/${pid}/index.m3u8`);
    expect(playlist.status).toBe(200);
    expect(await playlist.text()).toBe(playlistOf(pid, 1));
    expect(playlist.headers.get('content-type')).toBe('application/vnd.apple.mpegurl');
    expect(playlist.headers.get('cache-control')).toBe('public, max-age=1');
    const seg = await get(`/hls/${pid}/${pid}-1.ts`);
    expect(seg.status).toBe(200);
    expect(seg.headers.get('runnel-cache')).toBe('MISS');
    expect(new Uint8Array(await seg.arrayBuffer())).toEqual(SEGMENT);
    expect(seg.headers.get('content-type')).toBe('video/mp2t');
    expect(seg.headers.get('cache-control')).toBe('public, max-age=31536000, immutable');
    // Gone from the bucket, still served: the answer comes from caches.default.
    await (await hlsBucket()).delete(`hls/live/${pid}-1.ts`);
    const cached = await untilHit(`/hls/${pid}/${pid}-1.ts?cb=1`);
    expect(new Uint8Array(await cached.arrayBuffer())).toEqual(SEGMENT);
    expect(cached.headers.get('content-length')).toBe(String(SEGMENT.byteLength));
  });

  it('keeps playlists in the edge cache for about a second only', async () => {
    const { pid } = await stream('public');
    await untilHit(`/hls/${pid}/index.m3u8`);
    await (await hlsBucket()).put(`hls/live/${pid}.m3u8`, playlistOf(pid, 2));
    await new Promise((resolve) => setTimeout(resolve, 2100));
    const fresh = await get(`/hls/${pid}/index.m3u8`);
    expect(await fresh.text()).toBe(playlistOf(pid, 2));
  });

  it('checks tokens of a signed playback id before the cache, and hands the token on in the playlist', async () => {
    const { id, pid } = await stream('signed');
    const none = await get(`/hls/${pid}/index.m3u8`);
    expect(none.status).toBe(401);
    expect(none.headers.get('content-type')).toBe('application/problem+json');
    expect(((await none.json()) as { code: string }).code).toBe('playback_token_required');
    const token = (await call('POST', `/v1/live-streams/${id}/playback-tokens`, { auth: API_KEY })).json.data.token as string;
    const playlist = await get(`/hls/${pid}/index.m3u8?token=${token}`);
    expect(playlist.status).toBe(200);
    expect(playlist.headers.get('cache-control')).toBe('private, max-age=1');
    expect(await playlist.text()).toContain(`\n${pid}-1.ts?token=${token}\n`);
    const seg = await untilHit(`/hls/${pid}/${pid}-1.ts?token=${token}`);
    expect(new Uint8Array(await seg.arrayBuffer())).toEqual(SEGMENT);
    expect(seg.headers.get('cache-control')).toBe('private, max-age=31536000, immutable');
    // In the cache now, and still refused without a token or with a forged one.
    expect((await get(`/hls/${pid}/${pid}-1.ts`)).status).toBe(401);
    const forged = await get(`/hls/${pid}/${pid}-1.ts?token=${token.slice(0, -4)}AAAA`);
    expect(forged.status).toBe(403);
    expect(((await forged.json()) as { code: string }).code).toBe('playback_token_invalid');
  });
});

describe('the rate limit binding in workerd (RATE_LIMITER, [[ratelimits]])', () => {
  let limited: Miniflare;
  beforeAll(async () => {
    // The same bundle, a binding of 5 requests per 10 s, and an isolate bucket too large to be what refuses.
    limited = new Miniflare(
      convertV4MiniflareOptions({
        modules: true,
        scriptPath: join(outDir, 'worker.js'),
        modulesRoot: outDir,
        compatibilityDate: '2025-11-01',
        d1Databases: { DB: 'runnel-rate-test' },
        ratelimits: { RATE_LIMITER: { namespace_id: '1001', simple: { limit: 5, period: 10 } } },
        bindings: { RUNNEL_NODE_TOKEN: NODE_TOKEN, RUNNEL_BOOTSTRAP_API_KEY: API_KEY, RUNNEL_RATE_LIMIT_BURST: '1000', RUNNEL_RATE_LIMIT_PER_S: '1000' },
      }),
    );
    await limited.ready;
  });
  afterAll(async () => {
    await limited?.dispose();
  });

  it('refuses the key past the binding limit with 429 and Retry-After of the period, without made-up counts', async () => {
    const statuses: number[] = [];
    let last: Response | undefined;
    for (let i = 0; i < 7; i++) {
      last = await limited.dispatchFetch('http://localhost/v1/live-streams', { headers: { authorization: `Bearer ${API_KEY}` } });
      statuses.push(last.status);
      await last.arrayBuffer();
    }
    expect(statuses.slice(0, 5)).toEqual([200, 200, 200, 200, 200]);
    expect(statuses.slice(5)).toEqual([429, 429]);
    expect(last?.headers.get('retry-after')).toBe('10');
    expect(last?.headers.get('ratelimit-remaining')).toBeNull();
  });
});
