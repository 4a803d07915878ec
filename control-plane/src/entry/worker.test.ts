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
 * as DB. Cloudflare's vitest pool needs vitest 4, so this drives Miniflare
 * from a plain vitest test instead.
 */

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const wrangler = join(dirname(createRequire(import.meta.url).resolve('wrangler/package.json')), 'bin', 'wrangler.js');
const NODE_TOKEN = 'worker-node-token-0123456789abcdefghijkl';
const API_KEY = 'rnl_workerdtest0123456789abcdefghjkmnpqrs';

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
      bindings: { RUNNEL_NODE_TOKEN: NODE_TOKEN, RUNNEL_BOOTSTRAP_API_KEY: API_KEY, RUNNEL_PUBLIC_URL: 'https://cp.example.com' },
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
