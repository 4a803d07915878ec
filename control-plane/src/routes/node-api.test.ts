import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { MISSED_BEATS } from '../services/nodes.ts';
import { NODE_TOKEN, call, harness, newTenant } from '../testing/harness.ts';
import type { Harness } from '../testing/harness.ts';
import { beat, hook, registerNode, registration } from '../testing/nodes.ts';

let h: Harness;
let key: string;
beforeEach(async () => {
  h = await harness();
  key = (await newTenant(h)).key;
});
afterEach(() => h.close());

describe('node token', () => {
  it.each([
    ['no token', undefined],
    ['a wrong token', 'node-token-0123456789abcdefghijklmnopqrstuV'],
    ['a tenant API key', 'tenant'],
  ])('answers 401 to %s on every node route', async (_name, token) => {
    const auth = token === 'tenant' ? key : token;
    for (const [path, body] of [
      ['/internal/nodes/register', registration('n1')],
      ['/internal/nodes/n1/heartbeat', { load: { streams: 0, clients: 0, bitrate_in_kbps: 0, bitrate_out_kbps: 0, cpu: 0 } }],
      ['/internal/hooks', { action: 'on_connect' }],
    ] as const) {
      const r = await call(h, 'POST', path, { auth, body });
      expect(r.status, path).toBe(401);
    }
  });
});

describe('register and heartbeat', () => {
  it('registers and answers the node state', async () => {
    const r = await registerNode(h, 'n1');
    expect(r.status).toBe(200);
    expect(r.json).toEqual({ data: { node_id: 'n1', state: 'up', heartbeat_interval_ms: 5000, end_sessions: [] } });
  });

  it('names the bad field of a registration', async () => {
    const r = await call(h, 'POST', '/internal/nodes/register', { auth: NODE_TOKEN, body: { ...registration('n1'), region: 'EU West' } });
    expect(r.status).toBe(422);
    expect(r.json.errors).toContainEqual(expect.objectContaining({ in: 'body', field: 'region' }));
  });

  it('refuses a heartbeat from a node that never registered (404) and a malformed load (422)', async () => {
    expect((await beat(h, 'ghost')).status).toBe(404);
    await registerNode(h, 'n1');
    const r = await beat(h, 'n1', { cpu: 2 });
    expect(r.status).toBe(422);
    expect(r.json.errors).toContainEqual(expect.objectContaining({ field: 'load.cpu' }));
  });

  it('takes a node that stops beating out of allocation, and brings it back when it beats again', async () => {
    await registerNode(h, 'n1');
    const s = (await call(h, 'POST', '/v1/live-streams', { auth: key, body: { name: 'x' } })).json.data;
    expect((await call(h, 'POST', `/v1/live-streams/${s.id}/publish-urls`, { auth: key })).json.data.node_id).toBe('n1');
    h.clock.advance(MISSED_BEATS * 5000);
    const none = await call(h, 'POST', `/v1/live-streams/${s.id}/publish-urls`, { auth: key });
    expect(none.status).toBe(503);
    expect(none.json.code).toBe('no_node_available');
    expect(none.headers.get('retry-after')).toBe('5');
    expect((await beat(h, 'n1')).json.data.state).toBe('up');
    expect((await call(h, 'POST', `/v1/live-streams/${s.id}/publish-urls`, { auth: key })).status).toBe(200);
  });

  it('marks the live streams of a lost node disconnected and ends their sessions', async () => {
    await registerNode(h, 'n1');
    await registerNode(h, 'n2');
    const s = (await call(h, 'POST', '/v1/live-streams', { auth: key, body: { name: 'x', reconnect_window_s: 60 } })).json.data;
    expect((await hook(h, 'on_publish', 'n1', s.stream_key)).json.code).toBe(0);
    expect((await call(h, 'GET', `/v1/live-streams/${s.id}`, { auth: key })).json.data.status).toBe('connected');
    h.clock.advance(MISSED_BEATS * 5000 - 1);
    await beat(h, 'n2');
    expect((await call(h, 'GET', `/v1/live-streams/${s.id}`, { auth: key })).json.data.status).toBe('connected');
    h.clock.advance(1);
    await beat(h, 'n2'); // any node API call sweeps
    const after = (await call(h, 'GET', `/v1/live-streams/${s.id}`, { auth: key })).json.data;
    expect(after).toMatchObject({ status: 'disconnected', current_session_id: null });
    // the reconnect window is counted from the sweep
    h.clock.advance(60_000);
    expect((await call(h, 'GET', `/v1/live-streams/${s.id}`, { auth: key })).json.data.status).toBe('idle');
  });
});

describe('end requests ride on the heartbeat answer', () => {
  it.each([
    ['rotate-keys', 'key_rotated'],
    ['disable', 'stream_disabled'],
    ['complete', 'completed'],
  ])('after %s the node is told to end the publish, once, until it unpublishes', async (action, reason) => {
    await registerNode(h, 'n1');
    const s = (await call(h, 'POST', '/v1/live-streams', { auth: key, body: { name: 'x' } })).json.data;
    const session = (await hook(h, 'on_publish', 'n1', s.stream_key, { client_id: 'pub00001' })).json.data.session_id;
    expect((await beat(h, 'n1')).json.data.end_sessions).toEqual([]);
    await call(h, 'POST', `/v1/live-streams/${s.id}/${action}`, { auth: key });
    const told = (await beat(h, 'n1')).json.data.end_sessions;
    expect(told).toEqual([{ session_id: session, live_stream_id: s.id, client_id: 'pub00001', reason }]);
    await hook(h, 'on_unpublish', 'n1', s.playback_ids[0].id, { client_id: 'pub00001' });
    expect((await beat(h, 'n1')).json.data.end_sessions).toEqual([]);
  });

  it('after delete the node is told too (the session outlives the stream)', async () => {
    await registerNode(h, 'n1');
    const s = (await call(h, 'POST', '/v1/live-streams', { auth: key, body: { name: 'x' } })).json.data;
    await hook(h, 'on_publish', 'n1', s.stream_key);
    await call(h, 'DELETE', `/v1/live-streams/${s.id}`, { auth: key });
    expect((await beat(h, 'n1')).json.data.end_sessions).toEqual([expect.objectContaining({ live_stream_id: s.id, reason: 'stream_deleted' })]);
  });

  it('complete answers 202 while live, 409 when nothing is live', async () => {
    await registerNode(h, 'n1');
    const s = (await call(h, 'POST', '/v1/live-streams', { auth: key, body: { name: 'x' } })).json.data;
    const idle = await call(h, 'POST', `/v1/live-streams/${s.id}/complete`, { auth: key });
    expect(idle.status).toBe(409);
    await hook(h, 'on_publish', 'n1', s.stream_key);
    expect((await call(h, 'POST', `/v1/live-streams/${s.id}/complete`, { auth: key })).status).toBe(202);
    const other = (await newTenant(h, 'other')).key;
    expect((await call(h, 'POST', `/v1/live-streams/${s.id}/complete`, { auth: other })).status).toBe(404);
  });

  it('is only sent to the node holding the publish', async () => {
    await registerNode(h, 'n1');
    await registerNode(h, 'n2');
    const s = (await call(h, 'POST', '/v1/live-streams', { auth: key, body: { name: 'x' } })).json.data;
    await hook(h, 'on_publish', 'n1', s.stream_key);
    await call(h, 'POST', `/v1/live-streams/${s.id}/rotate-keys`, { auth: key });
    expect((await beat(h, 'n2')).json.data.end_sessions).toEqual([]);
    expect((await beat(h, 'n1')).json.data.end_sessions).toHaveLength(1);
  });
});
