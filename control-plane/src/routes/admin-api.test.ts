import { afterEach, describe, expect, it } from 'vitest';
import { ADMIN_TOKEN, NODE_TOKEN, call, harness, newTenant } from '../testing/harness.ts';
import type { Harness } from '../testing/harness.ts';
import { beat, hook, registerNode } from '../testing/nodes.ts';

let h: Harness;
afterEach(() => h.close());

describe('/admin/tenants', () => {
  it('creates a tenant whose key works at once', async () => {
    h = await harness();
    const r = await call(h, 'POST', '/admin/tenants', { auth: ADMIN_TOKEN, body: { name: 'acme' } });
    expect(r.status).toBe(201);
    expect(r.json.data.tenant_id).toMatch(/^tn_/);
    expect(r.json.data.api_key.key).toMatch(/^rnl_/);
    expect((await call(h, 'GET', '/v1/live-streams', { auth: r.json.data.api_key.key })).status).toBe(200);
  });

  it('answers 401 to anything but the admin token', async () => {
    h = await harness();
    expect((await call(h, 'POST', '/admin/tenants', { body: { name: 'a' } })).status).toBe(401);
    expect((await call(h, 'POST', '/admin/tenants', { auth: NODE_TOKEN, body: { name: 'a' } })).status).toBe(401);
  });

  it('does not exist without RUNNEL_ADMIN_TOKEN', async () => {
    h = await harness({ adminToken: undefined });
    const r = await call(h, 'POST', '/admin/tenants', { auth: ADMIN_TOKEN, body: { name: 'a' } });
    expect(r.status).toBe(404);
  });

  it('validates the name (422)', async () => {
    h = await harness();
    const r = await call(h, 'POST', '/admin/tenants', { auth: ADMIN_TOKEN, body: { name: '' } });
    expect(r.status).toBe(422);
    expect(r.json.errors).toContainEqual(expect.objectContaining({ field: 'name' }));
  });
});

/** The `name=value` part of a Set-Cookie, to send back as Cookie. */
const cookieOf = (headers: Headers): string => (headers.get('set-cookie') ?? '').split(';')[0];

async function signUp(email: string) {
  const r = await call(h, 'POST', '/auth/sign-up', { body: { email, password: 'a-long-enough-password' } });
  return { cookie: cookieOf(r.headers), csrf: r.json.data.csrf_token as string, admin: r.json.data.admin as boolean, tenantId: r.json.data.tenant_id as string };
}

describe('admin accounts', () => {
  it('makes the first account of a deployment an admin, and no later one', async () => {
    h = await harness();
    const first = await signUp('ops@example.com');
    const second = await signUp('tenant@example.com');
    expect([first.admin, second.admin]).toEqual([true, false]);
    expect((await call(h, 'GET', '/admin/nodes', { headers: { cookie: first.cookie } })).status).toBe(200);
    const refused = await call(h, 'GET', '/admin/nodes', { headers: { cookie: second.cookie } });
    expect(refused.status).toBe(403);
    expect(refused.json.code).toBe('forbidden');
  });

  it('lets the admin token grant and take away admin; the change applies to live sessions at once', async () => {
    h = await harness();
    await signUp('ops@example.com');
    const other = await signUp('Second@Example.com');
    const grant = await call(h, 'POST', '/admin/accounts/admin', { auth: ADMIN_TOKEN, body: { email: 'second@example.com', admin: true } });
    expect(grant.status).toBe(200);
    expect(grant.json.data).toMatchObject({ email: 'second@example.com', admin: true });
    expect((await call(h, 'GET', '/admin/nodes', { headers: { cookie: other.cookie } })).status).toBe(200);
    await call(h, 'POST', '/admin/accounts/admin', { auth: ADMIN_TOKEN, body: { email: 'SECOND@example.com', admin: false } });
    expect((await call(h, 'GET', '/admin/nodes', { headers: { cookie: other.cookie } })).status).toBe(403);
    expect((await call(h, 'POST', '/admin/accounts/admin', { auth: ADMIN_TOKEN, body: { email: 'nobody@example.com', admin: true } })).status).toBe(404);
  });

  it('without RUNNEL_ADMIN_TOKEN: an admin cookie still opens /admin, a tenant cookie gets 403, a bearer or a dead cookie 404', async () => {
    h = await harness({ adminToken: undefined });
    const admin = await signUp('ops@example.com');
    const tenant = await signUp('tenant@example.com');
    expect((await call(h, 'GET', '/admin/nodes', { headers: { cookie: admin.cookie } })).status).toBe(200);
    expect((await call(h, 'GET', '/admin/nodes', { headers: { cookie: tenant.cookie } })).status).toBe(403);
    expect((await call(h, 'GET', '/admin/nodes', { auth: ADMIN_TOKEN })).status).toBe(404);
    expect((await call(h, 'GET', '/admin/nodes', { headers: { cookie: 'runnel_session=not-a-live-session' } })).status).toBe(404);
  });

  it('a Bearer header wins over an admin cookie: a wrong token is refused even from an admin browser', async () => {
    h = await harness();
    const admin = await signUp('ops@example.com');
    expect((await call(h, 'GET', '/admin/nodes', { auth: 'wrong-token', headers: { cookie: admin.cookie } })).status).toBe(401);
  });

  it('an admin cookie needs the CSRF header to change anything', async () => {
    h = await harness();
    const admin = await signUp('ops@example.com');
    await signUp('tenant@example.com');
    const body = { email: 'tenant@example.com', admin: true };
    expect((await call(h, 'POST', '/admin/accounts/admin', { headers: { cookie: admin.cookie }, body })).status).toBe(403);
    const ok = await call(h, 'POST', '/admin/accounts/admin', { headers: { cookie: admin.cookie, 'x-runnel-csrf': admin.csrf }, body });
    expect(ok.status).toBe(200);
    expect(ok.json.data.admin).toBe(true);
  });
});

describe('GET /admin/nodes', () => {
  it('lists every node with region, health, load and the live streams on it (no stream keys)', async () => {
    h = await harness();
    const { key, tenantId } = await newTenant(h);
    await registerNode(h, 'n1', { region: 'eu-west', version: '0.1.0' });
    await registerNode(h, 'n2', { region: 'us-east' });
    await beat(h, 'n1', { streams: 1, clients: 7, bitrate_in_kbps: 2500, bitrate_out_kbps: 400_000, cpu: 0.25 });
    const made = (await call(h, 'POST', '/v1/live-streams', { auth: key, body: { name: 'Studio A' } })).json.data;
    const idle = (await call(h, 'POST', '/v1/live-streams', { auth: key, body: { name: 'Idle one' } })).json.data;
    h.clock.advance(1000);
    const published = await hook(h, 'on_publish', 'n1', made.stream_key, { protocol: 'srt' });
    expect(published.json.code).toBe(0);

    const r = await call(h, 'GET', '/admin/nodes', { auth: ADMIN_TOKEN });
    expect(r.status).toBe(200);
    expect(r.json.truncated).toBe(false);
    expect(r.json.data.map((n: { id: string }) => n.id)).toEqual(['n1', 'n2']);
    const [n1, n2] = r.json.data;
    expect(n1).toMatchObject({
      region: 'eu-west',
      state: 'up',
      health: 'healthy',
      version: '0.1.0',
      capacity: { max_streams: 100, max_egress_kbps: 1_000_000 },
      load: { streams: 1, clients: 7, bitrate_in_kbps: 2500, bitrate_out_kbps: 400_000, cpu: 0.25 },
      live_stream_count: 1,
      live_streams_truncated: false,
    });
    // The highest share: 400 000 of 1 000 000 kbps egress beats 1/100 streams and 25 % CPU.
    expect(n1.load_score).toBeCloseTo(0.4);
    expect(n1.live_streams).toEqual([
      {
        id: made.id,
        tenant_id: tenantId,
        name: 'Studio A',
        status: 'connected',
        session_id: published.json.data.session_id,
        protocol: 'srt',
        started_at: new Date(h.clock.now()).toISOString(),
      },
    ]);
    expect(JSON.stringify(r.json)).not.toContain(made.stream_key);
    expect(JSON.stringify(r.json)).not.toContain(idle.id);
    expect(n2).toMatchObject({ region: 'us-east', live_stream_count: 0, live_streams: [] });
  });

  it('says stale when beats are late and down once swept; the streams leave the node', async () => {
    h = await harness();
    const { key } = await newTenant(h);
    await registerNode(h, 'n1');
    await registerNode(h, 'n2');
    const made = (await call(h, 'POST', '/v1/live-streams', { auth: key, body: { name: 'x' } })).json.data;
    await hook(h, 'on_publish', 'n1', made.stream_key);
    const health = async () =>
      Object.fromEntries((await call(h, 'GET', '/admin/nodes', { auth: ADMIN_TOKEN })).json.data.map((n: { id: string; health: string; live_stream_count: number }) => [n.id, [n.health, n.live_stream_count]]));
    expect(await health()).toEqual({ n1: ['healthy', 1], n2: ['healthy', 0] });
    // Three beats of 5 s missed; n2 keeps beating.
    h.clock.advance(10_000);
    await beat(h, 'n2');
    h.clock.advance(5_000);
    expect(await health()).toEqual({ n1: ['stale', 1], n2: ['healthy', 0] });
    // Any node API call sweeps: n1 goes down and its stream is disconnected.
    await beat(h, 'n2');
    expect(await health()).toEqual({ n1: ['down', 0], n2: ['healthy', 0] });
  });

  it('is empty without nodes, and closed to tenant API keys', async () => {
    h = await harness();
    const { key } = await newTenant(h);
    expect((await call(h, 'GET', '/admin/nodes', { auth: ADMIN_TOKEN })).json).toMatchObject({ data: [], truncated: false });
    expect((await call(h, 'GET', '/admin/nodes', { auth: key })).status).toBe(401);
  });
});
