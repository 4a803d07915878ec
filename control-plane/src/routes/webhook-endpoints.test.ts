import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { MAX_ENDPOINTS_PER_TENANT } from '../webhooks/endpoints.ts';
import { call, harness, newTenant } from '../testing/harness.ts';
import type { Harness } from '../testing/harness.ts';
import { registerNode, hook } from '../testing/nodes.ts';

let h: Harness;
let key: string;
beforeEach(async () => {
  h = await harness();
  ({ key } = await newTenant(h));
});
afterEach(() => h.close());

const create = (body: Record<string, unknown>, auth = key) => call(h, 'POST', '/v1/webhook-endpoints', { auth, body });

describe('/v1/webhook-endpoints', () => {
  it('shows the signing secret once; the list does not', async () => {
    const made = await create({ url: 'https://example.com/hooks', events: ['stream.connected', 'stream.connected'] });
    expect(made.status).toBe(201);
    const ep = made.json.data;
    expect(ep).toMatchObject({ url: 'https://example.com/hooks', events: ['stream.connected'], enabled: true, created_at: new Date(h.clock.now()).toISOString() });
    expect(ep.id).toMatch(/^wh_/);
    expect(ep.secret).toMatch(/^whsec_[0-9a-z]{32}$/);
    const list = await call(h, 'GET', '/v1/webhook-endpoints', { auth: key });
    expect(list.status).toBe(200);
    expect(list.json).toEqual({ data: [{ ...ep, secret: undefined }], next_cursor: null });
    expect(JSON.stringify(list.json)).not.toContain(ep.secret);
  });

  it('validates the body: URL scheme, unknown event types', async () => {
    const bad = await create({ url: 'ftp://example.com/x' });
    expect(bad.status).toBe(422);
    expect(bad.json.errors).toContainEqual(expect.objectContaining({ field: 'url' }));
    const ev = await create({ url: 'https://example.com/x', events: ['stream.exploded'] });
    expect(ev.status).toBe(422);
    expect(ev.json.errors).toContainEqual(expect.objectContaining({ field: 'events.0' }));
  });

  it.each([
    ['http://hooks.example.com/x', 'not_https'],
    ['https://127.0.0.1:8080/x', 'blocked_address'],
    ['https://169.254.169.254/latest/meta-data/', 'blocked_address'],
    ['https://[::ffff:10.0.0.1]/x', 'blocked_address'],
    ['https://[fd00::1]/x', 'blocked_address'],
    ['https://metadata.google.internal/', 'internal_name'],
    ['https://localhost/x', 'internal_name'],
  ])('refuses %s with 422 webhook_url_unsafe (%s)', async (url, reason) => {
    const r = await create({ url });
    expect(r.status).toBe(422);
    expect(r.json).toMatchObject({ code: 'webhook_url_unsafe', errors: [{ in: 'body', field: 'url', message: reason }] });
    expect((await call(h, 'GET', '/v1/webhook-endpoints', { auth: key })).json.data).toEqual([]);
  });

  it('takes http and loopback URLs when RUNNEL_WEBHOOK_ALLOW_INSECURE is on (the local platform, tests)', async () => {
    h.close();
    h = await harness({ webhookAllowInsecure: true });
    ({ key } = await newTenant(h));
    expect((await create({ url: 'http://127.0.0.1:9000/hooks' })).status).toBe(201);
    expect((await create({ url: 'ftp://127.0.0.1/x' })).status).toBe(422);
  });

  it(`refuses more than ${MAX_ENDPOINTS_PER_TENANT} endpoints per tenant`, async () => {
    for (let i = 0; i < MAX_ENDPOINTS_PER_TENANT; i++) expect((await create({ url: `https://example.com/${i}` })).status).toBe(201);
    const r = await create({ url: 'https://example.com/one-more' });
    expect(r.status).toBe(409);
    expect(r.json.code).toBe('conflict');
  });

  it('queues a test event (202) that shows in the deliveries list; 409 when disabled', async () => {
    const ep = (await create({ url: 'https://example.com/hooks', events: ['stream.idle'] })).json.data;
    const t = await call(h, 'POST', `/v1/webhook-endpoints/${ep.id}/test`, { auth: key });
    expect(t.status).toBe(202);
    expect(t.json.data).toMatchObject({ endpoint_id: ep.id, event_type: 'webhook.test', status: 'pending', attempts: 0, next_attempt_at: new Date(h.clock.now()).toISOString() });
    const list = await call(h, 'GET', `/v1/webhook-endpoints/${ep.id}/deliveries`, { auth: key });
    expect(list.json).toEqual({ data: [t.json.data], next_cursor: null });
    const off = (await create({ url: 'https://example.com/off', enabled: false })).json.data;
    expect((await call(h, 'POST', `/v1/webhook-endpoints/${off.id}/test`, { auth: key })).status).toBe(409);
  });

  it('lists deliveries of stream events newest first, with cursors', async () => {
    await registerNode(h, 'n1');
    const ep = (await create({ url: 'https://example.com/hooks' })).json.data;
    const s = (await call(h, 'POST', '/v1/live-streams', { auth: key, body: { name: 'x' } })).json.data;
    await hook(h, 'on_publish', 'n1', s.stream_key, { client_id: 'p1' });
    h.clock.advance(1);
    await call(h, 'POST', `/v1/live-streams/${s.id}/rotate-keys`, { auth: key });
    const first = await call(h, 'GET', `/v1/webhook-endpoints/${ep.id}/deliveries?limit=1`, { auth: key });
    expect(first.json.data.map((d: { event_type: string }) => d.event_type)).toEqual(['stream.key_rotated']);
    const second = await call(h, 'GET', `/v1/webhook-endpoints/${ep.id}/deliveries?limit=1&cursor=${first.json.next_cursor}`, { auth: key });
    expect(second.json.data.map((d: { event_type: string }) => d.event_type)).toEqual(['stream.connected']);
    expect(second.json.next_cursor).toBeNull();
  });

  it('deletes (204), then 404', async () => {
    const ep = (await create({ url: 'https://example.com/hooks' })).json.data;
    expect((await call(h, 'DELETE', `/v1/webhook-endpoints/${ep.id}`, { auth: key })).status).toBe(204);
    expect((await call(h, 'DELETE', `/v1/webhook-endpoints/${ep.id}`, { auth: key })).status).toBe(404);
    expect((await call(h, 'GET', '/v1/webhook-endpoints', { auth: key })).json.data).toEqual([]);
  });

  it("needs a key; a read-only key cannot write; another tenant's endpoint is 404 everywhere", async () => {
    expect((await call(h, 'GET', '/v1/webhook-endpoints')).status).toBe(401);
    expect((await create({ url: 'https://example.com/x' }, 'rnl_nosuchkeynosuchkeynosuchkeynosuchkey00')).status).toBe(401);
    const ro = (await call(h, 'POST', '/v1/api-keys', { auth: key, body: { name: 'ro', permission: 'read_only' } })).json.data.key;
    expect((await create({ url: 'https://example.com/x' }, ro)).status).toBe(403);
    expect((await call(h, 'GET', '/v1/webhook-endpoints', { auth: ro })).status).toBe(200);

    const ep = (await create({ url: 'https://example.com/mine' })).json.data;
    const other = await newTenant(h, 'other');
    expect((await call(h, 'GET', '/v1/webhook-endpoints', { auth: other.key })).json.data).toEqual([]);
    expect((await call(h, 'POST', `/v1/webhook-endpoints/${ep.id}/test`, { auth: other.key })).status).toBe(404);
    expect((await call(h, 'GET', `/v1/webhook-endpoints/${ep.id}/deliveries`, { auth: other.key })).status).toBe(404);
    expect((await call(h, 'DELETE', `/v1/webhook-endpoints/${ep.id}`, { auth: other.key })).status).toBe(404);
    expect((await call(h, 'GET', '/v1/webhook-endpoints', { auth: key })).json.data.map((e: { id: string }) => e.id)).toEqual([ep.id]);
  });

  it('answers 404 for an id of the wrong shape', async () => {
    expect((await call(h, 'DELETE', '/v1/webhook-endpoints/ls_123', { auth: key })).status).toBe(404);
  });
});
