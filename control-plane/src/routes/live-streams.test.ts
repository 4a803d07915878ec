import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { call, harness, newTenant } from '../testing/harness.ts';
import type { Harness } from '../testing/harness.ts';

let h: Harness;
let key: string;
beforeEach(async () => {
  h = await harness();
  key = (await newTenant(h)).key;
});
afterEach(() => h.close());

const create = (body: unknown = { name: 'cam 1' }, auth = key) => call(h, 'POST', '/v1/live-streams', { auth, body });

describe('create and get', () => {
  it('creates a stream with defaults and credentials, and gets the same back', async () => {
    const made = await create({ name: 'cam 1', passthrough: 'my-ref' });
    expect(made.status).toBe(201);
    const s = made.json.data;
    expect(s).toMatchObject({
      name: 'cam 1',
      passthrough: 'my-ref',
      enabled: true,
      status: 'idle',
      recording: { mode: 'off' },
      reconnect_window_s: 60,
      current_session_id: null,
      node_id: null,
      keys_rotated_at: null,
      created_at: new Date(h.clock.now()).toISOString(),
    });
    expect(s.id).toMatch(/^ls_[0-9a-z]{26}$/);
    expect(s.stream_key).toMatch(/^[0-9a-z]{32}$/);
    expect(s.srt_passphrase).toMatch(/^[0-9a-z]{24}$/);
    expect(s.playback_ids).toEqual([{ id: expect.stringMatching(/^[0-9a-z]{24}$/), policy: 'public' }]);
    const got = await call(h, 'GET', `/v1/live-streams/${s.id}`, { auth: key });
    expect(got.status).toBe(200);
    expect(got.json).toEqual(made.json);
  });

  it('gives every stream its own key and playback id', async () => {
    const a = (await create()).json.data;
    const b = (await create()).json.data;
    expect(a.stream_key).not.toBe(b.stream_key);
    expect(a.playback_ids[0].id).not.toBe(b.playback_ids[0].id);
  });
});

describe('validation', () => {
  const bad: ReadonlyArray<{ name: string; body: unknown; field: string }> = [
    { name: 'no name', body: {}, field: 'name' },
    { name: 'an empty name', body: { name: '   ' }, field: 'name' },
    { name: 'a window over 1800 s', body: { name: 'x', reconnect_window_s: 1801 }, field: 'reconnect_window_s' },
    { name: 'a fractional window', body: { name: 'x', reconnect_window_s: 1.5 }, field: 'reconnect_window_s' },
    { name: 'an unknown policy', body: { name: 'x', playback_policy: 'drm' }, field: 'playback_policy' },
    { name: 'an unknown recording mode', body: { name: 'x', recording: { mode: 'always' } }, field: 'recording.mode' },
    { name: 'a typo in a field name', body: { name: 'x', reconect_window_s: 5 }, field: '' },
    { name: 'a passthrough over 255', body: { name: 'x', passthrough: 'p'.repeat(256) }, field: 'passthrough' },
  ];

  it.each(bad)('refuses $name with 422 naming the field', async (b) => {
    const r = await create(b.body);
    expect(r.status).toBe(422);
    expect(r.headers.get('content-type')).toBe('application/problem+json');
    expect(r.json.code).toBe('validation_failed');
    expect(r.json.errors).toContainEqual(expect.objectContaining({ in: 'body', field: b.field }));
  });

  it('names the unknown key of a typo', async () => {
    const r = await create({ name: 'x', reconect_window_s: 5 });
    expect(r.json.detail).toContain('reconect_window_s');
  });

  it('refuses a body that is not JSON with 400', async () => {
    const r = await create('{"name":');
    expect(r.status).toBe(400);
    expect(r.json.code).toBe('invalid_json');
  });

  it('refuses a non-JSON content type with 415', async () => {
    const r = await call(h, 'POST', '/v1/live-streams', { auth: key, body: 'name=x', headers: { 'content-type': 'application/x-www-form-urlencoded' } });
    expect(r.status).toBe(415);
  });

  it('refuses a body over the limit with 413 before parsing it', async () => {
    const r = await create({ name: 'x', passthrough: 'p'.repeat(5000) });
    expect(r.status).toBe(413);
    expect(r.json.code).toBe('payload_too_large');
  });

  it('refuses an empty PATCH', async () => {
    const id = (await create()).json.data.id;
    const r = await call(h, 'PATCH', `/v1/live-streams/${id}`, { auth: key, body: {} });
    expect(r.status).toBe(422);
  });

  it('answers 404 for a path id of the wrong shape', async () => {
    const r = await call(h, 'GET', '/v1/live-streams/not-an-id', { auth: key });
    expect(r.status).toBe(404);
    expect(r.json.code).toBe('not_found');
  });
});

describe('list', () => {
  it('pages newest first with a cursor until the end', async () => {
    const ids: string[] = [];
    for (let i = 0; i < 5; i++) {
      ids.push((await create({ name: `s${i}` })).json.data.id);
      h.clock.advance(1);
    }
    const seen: string[] = [];
    let cursor: string | null = null;
    let pages = 0;
    do {
      const q: string = cursor === null ? '?limit=2' : `?limit=2&cursor=${cursor}`;
      const r = await call(h, 'GET', `/v1/live-streams${q}`, { auth: key });
      expect(r.status).toBe(200);
      for (const s of r.json.data) {
        expect(s).not.toHaveProperty('stream_key');
        expect(s).not.toHaveProperty('srt_passphrase');
        seen.push(s.id);
      }
      cursor = r.json.next_cursor;
      pages++;
    } while (cursor !== null);
    expect(pages).toBe(3);
    expect(seen).toEqual([...ids].reverse());
  });

  it('has no cursor when the page is exactly the rest', async () => {
    await create();
    await create();
    const r = await call(h, 'GET', '/v1/live-streams?limit=2', { auth: key });
    expect(r.json.data).toHaveLength(2);
    expect(r.json.next_cursor).toBeNull();
  });

  it.each([
    ['limit=0', 'limit'],
    ['limit=101', 'limit'],
    ['limit=abc', 'limit'],
    ['cursor=bm90LWFuLWlk', 'cursor'],
  ])('refuses ?%s with 422 naming %s', async (q, field) => {
    const r = await call(h, 'GET', `/v1/live-streams?${q}`, { auth: key });
    expect(r.status).toBe(422);
    expect(r.json.errors).toContainEqual(expect.objectContaining({ in: 'query', field }));
  });
});

describe('update, enable, disable, delete', () => {
  it('changes only the fields sent', async () => {
    const s = (await create({ name: 'a', passthrough: 'keep' })).json.data;
    h.clock.advance(1000);
    const r = await call(h, 'PATCH', `/v1/live-streams/${s.id}`, { auth: key, body: { name: 'b', recording: { mode: 'automatic' }, playback_policy: 'signed' } });
    expect(r.status).toBe(200);
    expect(r.json.data).toMatchObject({ name: 'b', passthrough: 'keep', recording: { mode: 'automatic' }, playback_ids: [{ policy: 'signed' }] });
    expect(r.json.data.stream_key).toBe(s.stream_key);
    expect(r.json.data.updated_at).not.toBe(s.updated_at);
  });

  it('clears passthrough with null', async () => {
    const s = (await create({ name: 'a', passthrough: 'x' })).json.data;
    const r = await call(h, 'PATCH', `/v1/live-streams/${s.id}`, { auth: key, body: { passthrough: null } });
    expect(r.json.data.passthrough).toBeNull();
  });

  it('disables and enables', async () => {
    const s = (await create()).json.data;
    expect((await call(h, 'POST', `/v1/live-streams/${s.id}/disable`, { auth: key })).json.data.enabled).toBe(false);
    expect((await call(h, 'GET', `/v1/live-streams/${s.id}`, { auth: key })).json.data.enabled).toBe(false);
    expect((await call(h, 'POST', `/v1/live-streams/${s.id}/enable`, { auth: key })).json.data.enabled).toBe(true);
  });

  it('rotates the key and passphrase, keeps the playback id, stamps keys_rotated_at', async () => {
    const s = (await create()).json.data;
    h.clock.advance(5000);
    const r = (await call(h, 'POST', `/v1/live-streams/${s.id}/rotate-keys`, { auth: key })).json.data;
    expect(r.stream_key).not.toBe(s.stream_key);
    expect(r.srt_passphrase).not.toBe(s.srt_passphrase);
    expect(r.playback_ids).toEqual(s.playback_ids);
    expect(r.keys_rotated_at).toBe(new Date(h.clock.now()).toISOString());
  });

  it('deletes, then the stream is gone', async () => {
    const s = (await create()).json.data;
    expect((await call(h, 'DELETE', `/v1/live-streams/${s.id}`, { auth: key })).status).toBe(204);
    expect((await call(h, 'GET', `/v1/live-streams/${s.id}`, { auth: key })).status).toBe(404);
    expect((await call(h, 'DELETE', `/v1/live-streams/${s.id}`, { auth: key })).status).toBe(404);
  });
});

describe('auth', () => {
  it.each([
    ['no header', {}],
    ['an unknown key', { authorization: 'Bearer rnl_0000000000000000000000000000000000000000' }],
    ['another scheme', { authorization: `Basic ${btoa('a:b')}` }],
  ])('answers 401 with %s', async (_name, headers) => {
    const r = await call(h, 'GET', '/v1/live-streams', { headers });
    expect(r.status).toBe(401);
    expect(r.json.code).toBe('unauthorized');
  });

  it('answers 401 to the node token on the tenant API', async () => {
    const r = await call(h, 'GET', '/v1/live-streams', { auth: 'node-token-0123456789abcdefghijklmnopqrstuv' });
    expect(r.status).toBe(401);
  });

  it('lets a read-only key read but not write (403)', async () => {
    const s = (await create()).json.data;
    const ro = (await call(h, 'POST', '/v1/api-keys', { auth: key, body: { name: 'dashboard', permission: 'read_only' } })).json.data.key;
    expect((await call(h, 'GET', `/v1/live-streams/${s.id}`, { auth: ro })).status).toBe(200);
    for (const [method, path] of [
      ['POST', '/v1/live-streams'],
      ['PATCH', `/v1/live-streams/${s.id}`],
      ['DELETE', `/v1/live-streams/${s.id}`],
      ['POST', `/v1/live-streams/${s.id}/rotate-keys`],
      ['POST', '/v1/api-keys'],
    ]) {
      const r = await call(h, method, path, { auth: ro, body: { name: 'x' } });
      expect(r.status, `${method} ${path}`).toBe(403);
      expect(r.json.code).toBe('forbidden');
    }
  });
});

describe('tenants are isolated', () => {
  it("answers 404 for every verb on another tenant's stream and leaves it unchanged", async () => {
    const s = (await create()).json.data;
    const other = (await newTenant(h, 'other')).key;
    for (const [method, path, body] of [
      ['GET', `/v1/live-streams/${s.id}`, undefined],
      ['PATCH', `/v1/live-streams/${s.id}`, { name: 'stolen' }],
      ['DELETE', `/v1/live-streams/${s.id}`, undefined],
      ['POST', `/v1/live-streams/${s.id}/rotate-keys`, undefined],
      ['POST', `/v1/live-streams/${s.id}/disable`, undefined],
      ['POST', `/v1/live-streams/${s.id}/publish-urls`, undefined],
      ['GET', `/v1/live-streams/${s.id}/playback-urls`, undefined],
    ] as const) {
      const r = await call(h, method, path, { auth: other, body });
      expect(r.status, `${method} ${path}`).toBe(404);
    }
    expect((await call(h, 'GET', '/v1/live-streams', { auth: other })).json.data).toEqual([]);
    const mine = (await call(h, 'GET', `/v1/live-streams/${s.id}`, { auth: key })).json.data;
    expect(mine).toMatchObject({ name: s.name, enabled: true, stream_key: s.stream_key });
  });
});

describe('errors', () => {
  it('answers unknown routes with problem JSON 404', async () => {
    const r = await call(h, 'GET', '/v2/nothing');
    expect(r.status).toBe(404);
    expect(r.json).toMatchObject({ type: 'urn:runnel:problem:not_found', status: 404, code: 'not_found' });
  });
});
