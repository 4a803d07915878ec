import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { call, harness, newTenant } from '../testing/harness.ts';
import type { Harness } from '../testing/harness.ts';
import { hook, registerNode } from '../testing/nodes.ts';

let h: Harness;
let key: string;
beforeEach(async () => {
  h = await harness();
  key = (await newTenant(h)).key;
  await registerNode(h, 'n1');
});
afterEach(() => h.close());

async function newStream(body: Record<string, unknown> = {}) {
  return (await call(h, 'POST', '/v1/live-streams', { auth: key, body: { name: 'x', ...body } })).json.data;
}

describe('playback tokens', () => {
  it('issues a token the on_play hook accepts until it expires', async () => {
    const s = await newStream({ playback_policy: 'signed' });
    const pid = s.playback_ids[0].id;
    const r = await call(h, 'POST', `/v1/live-streams/${s.id}/playback-tokens`, { auth: key, body: { expires_in_s: 600 } });
    expect(r.status).toBe(201);
    expect(r.json.data).toEqual({ playback_id: pid, token: expect.any(String), expires_at: new Date(h.clock.now() + 600_000).toISOString() });
    const play = () => hook(h, 'on_play', 'n1', pid, { param: `?token=${r.json.data.token}` });
    expect((await play()).json.code).toBe(0);
    h.clock.advance(700_000);
    expect((await play()).json).toMatchObject({ reason: 'playback_token_invalid' });
  });

  it('defaults to one hour', async () => {
    const s = await newStream({ playback_policy: 'signed' });
    const r = await call(h, 'POST', `/v1/live-streams/${s.id}/playback-tokens`, { auth: key });
    expect(r.json.data.expires_at).toBe(new Date(h.clock.now() + 3_600_000).toISOString());
  });

  it('refuses a public playback id with 409', async () => {
    const s = await newStream();
    const r = await call(h, 'POST', `/v1/live-streams/${s.id}/playback-tokens`, { auth: key });
    expect(r.status).toBe(409);
    expect(r.json.code).toBe('conflict');
  });

  it('refuses with 409 when no playback key is configured', async () => {
    h.close();
    h = await harness({ playbackKeys: [] });
    key = (await newTenant(h)).key;
    const s = await newStream({ playback_policy: 'signed' });
    const r = await call(h, 'POST', `/v1/live-streams/${s.id}/playback-tokens`, { auth: key });
    expect(r.status).toBe(409);
    expect(r.json.detail).toContain('RUNNEL_PLAYBACK_KEYS');
  });

  it('validates the lifetime (422) and hides other tenants (404)', async () => {
    const s = await newStream({ playback_policy: 'signed' });
    const bad = await call(h, 'POST', `/v1/live-streams/${s.id}/playback-tokens`, { auth: key, body: { expires_in_s: 10 } });
    expect(bad.status).toBe(422);
    expect(bad.json.errors).toContainEqual(expect.objectContaining({ field: 'expires_in_s' }));
    const other = (await newTenant(h, 'other')).key;
    expect((await call(h, 'POST', `/v1/live-streams/${s.id}/playback-tokens`, { auth: other })).status).toBe(404);
  });
});

describe('sessions', () => {
  it('lists one session per broadcast, newest first, with duration and end reason', async () => {
    const s = await newStream();
    await hook(h, 'on_publish', 'n1', s.stream_key, { client_id: 'a', protocol: 'rtmp' });
    h.clock.advance(30_000);
    await hook(h, 'on_unpublish', 'n1', s.playback_ids[0].id, { client_id: 'a' });
    h.clock.advance(1000);
    await hook(h, 'on_publish', 'n1', s.stream_key, { client_id: 'b', protocol: 'srt' });
    h.clock.advance(5000);
    const r = await call(h, 'GET', `/v1/live-streams/${s.id}/sessions`, { auth: key });
    expect(r.status).toBe(200);
    expect(r.json.data).toMatchObject([
      { protocol: 'srt', ended_at: null, end_reason: null, duration_ms: 5000, node_id: 'n1', client_ip: '203.0.113.7' },
      { protocol: 'rtmp', end_reason: 'unpublished', duration_ms: 30_000 },
    ]);
    expect(r.json.next_cursor).toBeNull();
    const first = await call(h, 'GET', `/v1/live-streams/${s.id}/sessions?limit=1`, { auth: key });
    const second = await call(h, 'GET', `/v1/live-streams/${s.id}/sessions?limit=1&cursor=${first.json.next_cursor}`, { auth: key });
    expect([...first.json.data, ...second.json.data].map((x: { id: string }) => x.id)).toEqual(r.json.data.map((x: { id: string }) => x.id));
  });

  it("hides another tenant's sessions (404)", async () => {
    const s = await newStream();
    const other = (await newTenant(h, 'other')).key;
    expect((await call(h, 'GET', `/v1/live-streams/${s.id}/sessions`, { auth: other })).status).toBe(404);
  });
});
