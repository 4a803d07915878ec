import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { signToken } from '@runnel/shared/signed-token';
import { NODE_TOKEN, PLAYBACK_KEY, call, harness, newTenant } from '../testing/harness.ts';
import type { Harness } from '../testing/harness.ts';
import { hook, registerNode } from '../testing/nodes.ts';

/** SRS's accept rule (srs.md 3.1, SrsHttpHooks::do_post): 200/201, and a body `0` or an object with integer code 0. */
function srsAccepts(status: number, body: unknown): boolean {
  if (status !== 200 && status !== 201) return false;
  if (body === 0) return true;
  return typeof body === 'object' && body !== null && (body as { code?: unknown }).code === 0;
}

let h: Harness;
let key: string;
let tenantId: string;
beforeEach(async () => {
  h = await harness();
  ({ key, tenantId } = await newTenant(h));
  await registerNode(h, 'n1');
  await registerNode(h, 'n2');
});
afterEach(() => h.close());

async function newStream(body: Record<string, unknown> = {}) {
  return (await call(h, 'POST', '/v1/live-streams', { auth: key, body: { name: 'x', ...body } })).json.data;
}
const getStream = async (id: string) => (await call(h, 'GET', `/v1/live-streams/${id}`, { auth: key })).json.data;

describe('on_publish', () => {
  it('admits the stream key with code 0 and what the node needs, under the playback name', async () => {
    const s = await newStream({ recording: { mode: 'automatic' }, reconnect_window_s: 30 });
    const r = await hook(h, 'on_publish', 'n1', s.stream_key, { protocol: 'rtmp' });
    expect(srsAccepts(r.status, r.json)).toBe(true);
    expect(r.json).toEqual({
      code: 0,
      data: {
        live_stream_id: s.id,
        tenant_id: tenantId,
        session_id: expect.stringMatching(/^ses_/),
        app: 'live',
        playback_name: s.playback_ids[0].id,
        playback_policy: 'public',
        recording: { mode: 'automatic' },
        reconnect_window_s: 30,
      },
    });
    expect(await getStream(s.id)).toMatchObject({ status: 'connected', node_id: 'n1', current_session_id: r.json.data.session_id });
  });

  it('gives an SRT publish the stream\'s passphrase (the node checks the caller\'s keys with it); RTMP grants never carry it', async () => {
    const s = await newStream();
    const srt = await hook(h, 'on_publish', 'n1', s.stream_key, { protocol: 'srt', tcUrl: 'srt://127.0.0.1:10080/live' });
    expect(srt.json.data.srt_passphrase).toBe(s.srt_passphrase);
    expect(srt.json.data.srt_passphrase).toMatch(/^.{10,80}$/);
  });

  const refusals: ReadonlyArray<{ name: string; reason: string; code: number; make: () => Promise<{ node: string; stream: string }> }> = [
    { name: 'an unknown key', reason: 'stream_key_invalid', code: 403, make: async () => ({ node: 'n1', stream: 'nosuchkey' }) },
    {
      name: 'a disabled stream',
      reason: 'stream_disabled',
      code: 403,
      make: async () => ({ node: 'n1', stream: (await newStream({ enabled: false })).stream_key }),
    },
    {
      name: 'the playback id instead of the key',
      reason: 'stream_key_invalid',
      code: 403,
      make: async () => ({ node: 'n1', stream: (await newStream()).playback_ids[0].id }),
    },
    { name: 'a node that never registered', reason: 'node_not_registered', code: 412, make: async () => ({ node: 'ghost', stream: (await newStream()).stream_key }) },
  ];

  it.each(refusals)('refuses $name with a non-zero code SRS rejects on', async (c) => {
    const { node, stream } = await c.make();
    const r = await hook(h, 'on_publish', node, stream);
    expect(r.status).toBe(200);
    expect(srsAccepts(r.status, r.json)).toBe(false);
    expect(r.json).toEqual({ code: c.code, reason: c.reason, msg: expect.any(String) });
  });

  it('refuses the old key at once after a rotation, and admits the new one', async () => {
    const s = await newStream();
    const rotated = (await call(h, 'POST', `/v1/live-streams/${s.id}/rotate-keys`, { auth: key })).json.data;
    const old = await hook(h, 'on_publish', 'n1', s.stream_key);
    expect(old.json).toMatchObject({ code: 403, reason: 'stream_key_invalid' });
    expect((await hook(h, 'on_publish', 'n1', rotated.stream_key)).json.code).toBe(0);
  });

  it('refuses a second publisher on another healthy node while the first is live', async () => {
    const s = await newStream();
    expect((await hook(h, 'on_publish', 'n1', s.stream_key, { client_id: 'a' })).json.code).toBe(0);
    const second = await hook(h, 'on_publish', 'n2', s.stream_key, { client_id: 'b' });
    expect(second.json).toMatchObject({ code: 409, reason: 'already_publishing' });
    expect((await getStream(s.id)).node_id).toBe('n1');
  });

  it('lets the same node publish again (it lost our answer to its unpublish): the old session is replaced', async () => {
    const s = await newStream();
    const first = (await hook(h, 'on_publish', 'n1', s.stream_key, { client_id: 'a' })).json.data.session_id;
    const second = (await hook(h, 'on_publish', 'n1', s.stream_key, { client_id: 'b' })).json.data.session_id;
    expect(second).not.toBe(first);
    expect((await getStream(s.id)).current_session_id).toBe(second);
    // the replaced session is closed: its late unpublish does not touch the stream
    await hook(h, 'on_unpublish', 'n1', s.playback_ids[0].id, { client_id: 'a' });
    expect(await getStream(s.id)).toMatchObject({ status: 'connected', current_session_id: second });
  });

  it('lets another node take over when the first node was lost', async () => {
    const s = await newStream();
    await hook(h, 'on_publish', 'n1', s.stream_key);
    h.clock.advance(15_000);
    await call(h, 'POST', '/internal/nodes/n2/heartbeat', {
      auth: NODE_TOKEN,
      body: { load: { streams: 0, clients: 0, bitrate_in_kbps: 0, bitrate_out_kbps: 0, cpu: 0 } },
    });
    expect((await hook(h, 'on_publish', 'n2', s.stream_key)).json.code).toBe(0);
    expect((await getStream(s.id)).node_id).toBe('n2');
  });
});

describe('on_unpublish and on_hls', () => {
  it('goes connected -> active (first HLS segment) -> disconnected -> idle after the reconnect window', async () => {
    const s = await newStream({ reconnect_window_s: 10 });
    const pid = s.playback_ids[0].id;
    await hook(h, 'on_publish', 'n1', s.stream_key, { client_id: 'pub1' });
    const seg = { duration: 2, cwd: '/srv', file: `./live/${pid}-0.ts`, url: `live/${pid}-0.ts`, m3u8: `./live/${pid}.m3u8`, m3u8_url: `live/${pid}.m3u8`, seq_no: 0 };
    expect((await hook(h, 'on_hls', 'n1', pid, { client_id: 'pub1', ...seg })).json).toEqual({ code: 0 });
    expect((await getStream(s.id)).status).toBe('active');
    h.clock.advance(60_000);
    expect((await hook(h, 'on_unpublish', 'n1', pid, { client_id: 'pub1' })).json).toEqual({ code: 0 });
    expect(await getStream(s.id)).toMatchObject({ status: 'disconnected', current_session_id: null, node_id: 'n1' });
    h.clock.advance(9_999);
    expect((await getStream(s.id)).status).toBe('disconnected');
    h.clock.advance(1);
    expect((await getStream(s.id)).status).toBe('idle');
  });

  it('keeps the bytes the node received (on_unpublish recv_bytes) on the ended session; null while live or when not sent', async () => {
    const s = await newStream();
    const pid = s.playback_ids[0].id;
    await hook(h, 'on_publish', 'n1', s.stream_key, { client_id: 'pub1' });
    const live = await call(h, 'GET', `/v1/live-streams/${s.id}/sessions`, { auth: key });
    expect(live.json.data[0].bytes_in).toBeNull();
    await hook(h, 'on_unpublish', 'n1', pid, { client_id: 'pub1', recv_bytes: 9_120_344 });
    const ended = await call(h, 'GET', `/v1/live-streams/${s.id}/sessions`, { auth: key });
    expect(ended.json.data[0]).toMatchObject({ end_reason: 'unpublished', bytes_in: 9_120_344 });
    const bad = await hook(h, 'on_unpublish', 'n1', pid, { client_id: 'pub1', recv_bytes: -1 });
    expect(bad.status).toBe(422);
  });

  it('answers code 0 to an unpublish it knows nothing about (SRS ignores errors there anyway)', async () => {
    expect((await hook(h, 'on_unpublish', 'n1', 'whatever', { client_id: 'zzz' })).json).toEqual({ code: 0 });
  });

  it('reconnecting within the window goes back to connected', async () => {
    const s = await newStream();
    await hook(h, 'on_publish', 'n1', s.stream_key, { client_id: 'a' });
    await hook(h, 'on_unpublish', 'n1', s.playback_ids[0].id, { client_id: 'a' });
    await hook(h, 'on_publish', 'n1', s.stream_key, { client_id: 'b' });
    expect((await getStream(s.id)).status).toBe('connected');
  });
});

describe('on_play', () => {
  it('admits a public playback id and never needs the key', async () => {
    const s = await newStream();
    const r = await hook(h, 'on_play', 'n1', s.playback_ids[0].id, { pageUrl: '' });
    expect(r.json).toEqual({
      code: 0,
      data: { live_stream_id: s.id, tenant_id: tenantId, app: 'live', playback_name: s.playback_ids[0].id, playback_policy: 'public' },
    });
  });

  it('refuses an unknown playback id, and the stream key used as one', async () => {
    const s = await newStream();
    expect((await hook(h, 'on_play', 'n1', 'nosuchid')).json).toMatchObject({ code: 404, reason: 'playback_not_found' });
    expect((await hook(h, 'on_play', 'n1', s.stream_key)).json).toMatchObject({ code: 404, reason: 'playback_not_found' });
  });

  it('asks a signed playback id for a valid token of that id', async () => {
    const s = await newStream({ playback_policy: 'signed' });
    const pid = s.playback_ids[0].id;
    const exp = Math.floor(h.clock.now() / 1000) + 600;
    const good = await signToken({ sub: pid, aud: 'play', exp }, PLAYBACK_KEY);
    const other = await signToken({ sub: 'someoneelse', aud: 'play', exp }, PLAYBACK_KEY);
    const expired = await signToken({ sub: pid, aud: 'play', exp: exp - 3600 }, PLAYBACK_KEY);
    expect((await hook(h, 'on_play', 'n1', pid)).json).toMatchObject({ code: 401, reason: 'playback_token_required' });
    expect((await hook(h, 'on_play', 'n1', pid, { param: `?token=${good}` })).json.code).toBe(0);
    expect((await hook(h, 'on_play', 'n1', pid, { param: `?token=${other}` })).json).toMatchObject({ reason: 'playback_token_invalid' });
    const e = (await hook(h, 'on_play', 'n1', pid, { param: `?a=1&token=${expired}` })).json;
    expect(e).toMatchObject({ reason: 'playback_token_invalid', msg: expect.stringContaining('expired') });
  });
});

describe('other events and bad bodies', () => {
  it.each(['on_connect', 'on_stop'])('answers %s with code 0', async (action) => {
    expect((await hook(h, action, 'n1', 'x')).json).toEqual({ code: 0 });
  });

  it('answers on_close with code 0', async () => {
    const r = await call(h, 'POST', '/internal/hooks', {
      auth: NODE_TOKEN,
      body: { server_id: 'n1', action: 'on_close', client_id: 'c', ip: '1.2.3.4', vhost: 'v', app: 'live', send_bytes: 1, recv_bytes: 2 },
    });
    expect(r.json).toEqual({ code: 0 });
  });

  it('refuses an unknown action with 422 naming it', async () => {
    const r = await hook(h, 'on_everything', 'n1', 'x');
    expect(r.status).toBe(422);
    expect(r.json.errors).toContainEqual(expect.objectContaining({ field: 'action' }));
  });

  it('refuses a publish without a stream name with 422 naming it', async () => {
    const r = await call(h, 'POST', '/internal/hooks', {
      auth: NODE_TOKEN,
      body: { server_id: 'n1', action: 'on_publish', client_id: 'c', ip: '1.2.3.4', vhost: 'v', app: 'live', param: '' },
    });
    expect(r.status).toBe(422);
    expect(r.json.errors).toContainEqual(expect.objectContaining({ field: 'stream' }));
  });
});
