import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { LAST_USED_RESOLUTION_MS } from '../services/api-keys.ts';
import { call, harness, newTenant } from '../testing/harness.ts';
import type { Harness } from '../testing/harness.ts';

let h: Harness;
let key: string;
beforeEach(async () => {
  h = await harness();
  key = (await newTenant(h)).key;
});
afterEach(() => h.close());

describe('/v1/api-keys', () => {
  it('shows a new key once; the list shows only its prefix', async () => {
    const made = await call(h, 'POST', '/v1/api-keys', { auth: key, body: { name: 'ci' } });
    expect(made.status).toBe(201);
    const k = made.json.data;
    expect(k.key).toMatch(/^rnl_[0-9a-z]{40}$/);
    expect(k).toMatchObject({ name: 'ci', permission: 'read_write', prefix: k.key.slice(0, 12), revoked_at: null, last_used_at: null });
    const list = await call(h, 'GET', '/v1/api-keys', { auth: key });
    expect(list.json.data).toHaveLength(2);
    const listed = list.json.data.find((x: { id: string }) => x.id === k.id);
    expect(listed).toEqual({ ...k, key: undefined, last_used_at: null });
    expect(JSON.stringify(list.json)).not.toContain(k.key);
    expect(JSON.stringify(list.json)).not.toContain(key);
  });

  it('lets the new key work at once', async () => {
    const k = (await call(h, 'POST', '/v1/api-keys', { auth: key, body: { name: 'ci' } })).json.data.key;
    expect((await call(h, 'GET', '/v1/live-streams', { auth: k })).status).toBe(200);
  });

  it('revokes: the key is refused on the next request', async () => {
    const k = (await call(h, 'POST', '/v1/api-keys', { auth: key, body: { name: 'ci' } })).json.data;
    expect((await call(h, 'GET', '/v1/live-streams', { auth: k.key })).status).toBe(200);
    expect((await call(h, 'DELETE', `/v1/api-keys/${k.id}`, { auth: key })).status).toBe(204);
    const after = await call(h, 'GET', '/v1/live-streams', { auth: k.key });
    expect(after.status).toBe(401);
    const listed = (await call(h, 'GET', '/v1/api-keys', { auth: key })).json.data.find((x: { id: string }) => x.id === k.id);
    expect(listed.revoked_at).toBe(new Date(h.clock.now()).toISOString());
  });

  it("cannot see or revoke another tenant's keys", async () => {
    const other = await newTenant(h, 'other');
    const theirs = (await call(h, 'GET', '/v1/api-keys', { auth: other.key })).json.data[0];
    expect((await call(h, 'DELETE', `/v1/api-keys/${theirs.id}`, { auth: key })).status).toBe(404);
    expect((await call(h, 'GET', '/v1/api-keys', { auth: key })).json.data.map((x: { id: string }) => x.id)).not.toContain(theirs.id);
    expect((await call(h, 'GET', '/v1/live-streams', { auth: other.key })).status).toBe(200);
  });

  it('records last use, at most once per resolution window', async () => {
    const k = (await call(h, 'POST', '/v1/api-keys', { auth: key, body: { name: 'ci' } })).json.data;
    const lastUsed = async () => (await call(h, 'GET', '/v1/api-keys', { auth: key })).json.data.find((x: { id: string }) => x.id === k.id).last_used_at;
    const t1 = h.clock.now();
    await call(h, 'GET', '/v1/live-streams', { auth: k.key });
    expect(await lastUsed()).toBe(new Date(t1).toISOString());
    h.clock.advance(LAST_USED_RESOLUTION_MS - 1);
    await call(h, 'GET', '/v1/live-streams', { auth: k.key });
    expect(await lastUsed()).toBe(new Date(t1).toISOString());
    h.clock.advance(1);
    await call(h, 'GET', '/v1/live-streams', { auth: k.key });
    expect(await lastUsed()).toBe(new Date(h.clock.now()).toISOString());
  });

  it('validates the body (422 naming the field)', async () => {
    const r = await call(h, 'POST', '/v1/api-keys', { auth: key, body: { name: 'x', permission: 'root' } });
    expect(r.status).toBe(422);
    expect(r.json.errors).toContainEqual(expect.objectContaining({ field: 'permission' }));
  });

  it('answers 404 for an id of the wrong shape', async () => {
    expect((await call(h, 'DELETE', '/v1/api-keys/ls_123', { auth: key })).status).toBe(404);
  });
});
