import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { validateConfig } from '../config/index.ts';
import { createMemoryLogger } from '../log/index.ts';
import { startNode } from '../node.ts';
import type { RunningNode } from '../node.ts';
import { RtmpClient } from '../rtmp-client/index.ts';
import type { RtmpClientState } from '../rtmp-client/index.ts';

/**
 * A node with `control_plane.url` against a fake control plane (a real HTTP
 * server speaking the node API): registration, admission with the playback
 * name as the published stream name, refusals and a timeout that fail
 * closed with no source created, end_sessions kicking a publisher.
 */

const TOKEN = 'n'.repeat(40);
/** The node's hook timeout in this test: short, so "fails closed on timeout" is quick. */
const TIMEOUT_MS = 300;

interface Received {
  readonly path: string;
  readonly auth: string;
  readonly body: Record<string, unknown>;
}

const received: Received[] = [];
/** Client ids the next heartbeat answer asks to end. */
let endClients: string[] = [];
let cpUrl = '';
const unpublishFailed = new Set<string>();
const cp = createServer((req, res) => {
  let raw = '';
  req.on('data', (c: Buffer) => (raw += c.toString()));
  req.on('end', () => {
    const body = JSON.parse(raw) as Record<string, unknown>;
    received.push({ path: req.url ?? '', auth: req.headers.authorization ?? '', body });
    const reply = (o: unknown, delay = 0) => setTimeout(() => res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(o)), delay);
    if (req.url === '/internal/hooks') {
      // The first on_unpublish of each client finds the control plane down: the node must retry it.
      if (body.action === 'on_unpublish' && !unpublishFailed.has(String(body.client_id))) {
        unpublishFailed.add(String(body.client_id));
        return res.writeHead(503).end();
      }
      if (body.action !== 'on_publish') return reply({ code: 0 });
      if (body.stream === 'slowkey') return reply({ code: 0 }, TIMEOUT_MS * 3);
      if (body.stream === 'noname') return reply({ code: 0 });
      if (body.stream !== 'goodkey') return reply({ code: 403, reason: 'stream_key_invalid', msg: 'no such stream key' });
      const data = { live_stream_id: 'ls1', tenant_id: 't1', session_id: 's1', app: 'live', playback_name: 'pb1', playback_policy: 'public', recording: { mode: 'off' }, reconnect_window_s: 60 };
      return reply({ code: 0, data });
    }
    const ends = endClients.map((client_id) => ({ session_id: 's1', live_stream_id: 'ls1', client_id, reason: 'key_rotated' }));
    return reply({ data: { node_id: 'node-1', state: 'up', heartbeat_interval_ms: 1000, end_sessions: ends } });
  });
});

let node: RunningNode;
let dataDir: string;
const clients: RtmpClient[] = [];

beforeAll(async () => {
  await new Promise<void>((r) => cp.listen(0, '127.0.0.1', r));
  cpUrl = `http://127.0.0.1:${(cp.address() as AddressInfo).port}`;
  dataDir = mkdtempSync(join(tmpdir(), 'runnel-cp-node-'));
  const parsed = validateConfig({
    data_dir: dataDir,
    listen: { host: '127.0.0.1', rtmp: 0, http: 0, api: 0, srt: 0 },
    hooks: { timeout_ms: TIMEOUT_MS },
    control_plane: { url: cpUrl, node_token: TOKEN, node_id: 'node-1', region: 'eu-test', max_streams: 7, max_egress_kbps: 50_000 },
  });
  node = await startNode({ ...parsed, serverId: 'vid-cptest' }, createMemoryLogger('error'));
});

afterEach(async () => {
  endClients = [];
  await Promise.all(clients.splice(0).map((c) => c.close()));
});

afterAll(async () => {
  await node.stop();
  await new Promise<void>((r) => cp.close(() => r()));
  rmSync(dataDir, { recursive: true, force: true });
});

/** Publish `live/<key>` once (no reconnect); resolves with the first state past connecting. */
function publish(key: string): { client: RtmpClient; outcome: Promise<RtmpClientState> } {
  let settle: (s: RtmpClientState) => void = () => {};
  const outcome = new Promise<RtmpClientState>((r) => (settle = r));
  const client = new RtmpClient({
    url: `rtmp://127.0.0.1:${node.ports.rtmp}/live/${key}`,
    mode: 'publish',
    reconnect: false,
    connectTimeoutMs: 5000,
    onState: (s) => (s === 'publishing' || s === 'disconnected' || s === 'closed') && settle(s),
  });
  clients.push(client);
  client.start();
  return { client, outcome };
}

const streamNames = () => node.streams.list().map((s) => s.stream);

describe('a node with a control plane', () => {
  it('registers with its id, region, URLs, configured capacity and the node token', () => {
    const reg = received.find((r) => r.path === '/internal/nodes/register');
    expect(reg?.auth).toBe(`Bearer ${TOKEN}`);
    expect(reg?.body.capacity).toEqual({ max_streams: 7, max_egress_kbps: 50_000 });
    expect(reg?.body).toMatchObject({ node_id: 'node-1', region: 'eu-test', urls: { rtmp: `rtmp://127.0.0.1:${node.ports.rtmp}`, http: `http://127.0.0.1:${node.ports.http}`, srt: `srt://127.0.0.1:${node.ports.srt}`, webrtc: `http://127.0.0.1:${node.ports.http}` } });
  });

  it('publishes an admitted key under the playback name, and the key never names a source', async () => {
    const { outcome } = publish('goodkey');
    expect(await outcome).toBe('publishing');
    expect(streamNames()).toContain('pb1');
    expect(streamNames()).not.toContain('goodkey');
    // The grant's recording mode (off) reaches the publisher: DVR skips this publish.
    expect(node.streams.list().find((s) => s.stream === 'pb1')?.publisher?.record).toBe(false);
    const hook = received.find((r) => r.path === '/internal/hooks' && r.body.action === 'on_publish' && r.body.stream === 'goodkey');
    expect(hook?.auth).toBe(`Bearer ${TOKEN}`);
    expect(hook?.body.server_id).toBe('node-1');
    expect(hook?.body.protocol).toBe('rtmp');
  });

  it.each([
    ['a refused key', 'wrongkey'],
    ['an answer slower than the timeout (fails closed)', 'slowkey'],
    ['an admission without a playback name', 'noname'],
  ])('refuses %s and creates no source', async (_, key) => {
    const { outcome } = publish(key);
    expect(await outcome).not.toBe('publishing');
    expect(streamNames()).not.toContain(key);
  });

  it('kicks a publisher listed in end_sessions; its on_unpublish names the playback name and is retried while unanswered', async () => {
    const { outcome } = publish('goodkey');
    expect(await outcome).toBe('publishing');
    const admitted = received.filter((r) => r.body.action === 'on_publish' && r.body.stream === 'goodkey').at(-1);
    const ended = new Promise<RtmpClientState>((resolve) => {
      const t = setInterval(() => {
        if (clients[0].state !== 'publishing') {
          clearInterval(t);
          resolve(clients[0].state);
        }
      }, 50);
    });
    endClients = [String(admitted?.body.client_id)];
    expect(await ended).not.toBe('publishing');
    const unpublishes = () => received.filter((r) => r.body.action === 'on_unpublish' && r.body.client_id === admitted?.body.client_id);
    // Sent twice: the first answered 503, the retry half a second later admitted.
    await expect.poll(() => unpublishes().map((r) => r.body.stream), { timeout: 3000 }).toEqual(['pb1', 'pb1']);
  });
});
