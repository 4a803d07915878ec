import { afterEach, describe, expect, it } from 'vitest';
import { ADMIN_TOKEN, NODE_TOKEN, call, harness } from '../testing/harness.ts';
import type { Harness } from '../testing/harness.ts';

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
