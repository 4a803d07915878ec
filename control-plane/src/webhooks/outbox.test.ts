import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { eq } from 'drizzle-orm';
import { webhookDeliveries } from '../db/schema.ts';
import { MISSED_BEATS, sweepStaleNodes } from '../services/nodes.ts';
import { sweepIdleStreams } from '../services/idle-sweep.ts';
import { idPattern } from '../services/ids.ts';
import { call, harness, newTenant } from '../testing/harness.ts';
import type { Harness } from '../testing/harness.ts';
import { hook, registerNode } from '../testing/nodes.ts';
import { createEndpoint } from './endpoints.ts';

let h: Harness;
let key: string;
let tenantId: string;
beforeEach(async () => {
  h = await harness();
  ({ key, tenantId } = await newTenant(h));
  await registerNode(h, 'n1');
});
afterEach(() => h.close());

const newStream = async (body: Record<string, unknown> = {}) => (await call(h, 'POST', '/v1/live-streams', { auth: key, body: { name: 'x', ...body } })).json.data;

async function outbox(endpointId?: string) {
  const rows = await h.db.select().from(webhookDeliveries).orderBy(webhookDeliveries.createdAt, webhookDeliveries.id);
  return rows
    .filter((r) => endpointId === undefined || r.endpointId === endpointId)
    .map((r) => ({ ...r, body: JSON.parse(r.payload) }))
    .sort((a, b) => a.body.seq - b.body.seq);
}

const seg = (pid: string) => ({ duration: 2, cwd: '/srv', file: `./live/${pid}-0.ts`, url: `live/${pid}-0.ts`, m3u8: `./live/${pid}.m3u8`, m3u8_url: `live/${pid}.m3u8`, seq_no: 0 });

describe('events in the outbox', () => {
  it('records each status transition once, with seq +1 per stream and the envelope fields', async () => {
    const ep = await createEndpoint(h.db, tenantId, { url: 'http://127.0.0.1:9/hook', events: [], enabled: true }, h.clock.now());
    const s = await newStream({ reconnect_window_s: 10 });
    const pid = s.playback_ids[0].id;
    await hook(h, 'on_publish', 'n1', s.stream_key, { client_id: 'pub1', protocol: 'rtmp' });
    await hook(h, 'on_hls', 'n1', pid, { client_id: 'pub1', ...seg(pid) });
    await hook(h, 'on_hls', 'n1', pid, { client_id: 'pub1', ...seg(pid), seq_no: 1 });
    await hook(h, 'on_dvr', 'n1', pid, { client_id: 'pub1', cwd: '/srv', file: './dvr/a.mp4' });
    await hook(h, 'on_unpublish', 'n1', pid, { client_id: 'pub1' });
    expect(await sweepIdleStreams(h.db, h.clock.now() + 9_999)).toEqual([]);
    expect(await sweepIdleStreams(h.db, h.clock.now() + 10_000)).toEqual([s.id]);
    expect(await sweepIdleStreams(h.db, h.clock.now() + 20_000)).toEqual([]);
    await call(h, 'POST', `/v1/live-streams/${s.id}/rotate-keys`, { auth: key });

    const rows = await outbox(ep.id);
    expect(rows.map((r) => r.body.type)).toEqual(['stream.connected', 'stream.active', 'recording.ready', 'stream.disconnected', 'stream.idle', 'stream.key_rotated']);
    expect(rows.map((r) => r.body.seq)).toEqual([1, 2, 3, 4, 5, 6]);
    for (const r of rows) {
      expect(Object.keys(r.body)).toEqual(['id', 'type', 'created_at', 'tenant_id', 'object', 'data', 'seq']);
      expect(r.body).toMatchObject({ tenant_id: tenantId, object: { type: 'live_stream', id: s.id }, data: { live_stream_id: s.id } });
      expect(r.body.id).toBe(r.eventId);
      expect(r.eventType).toBe(r.body.type);
      expect(r.id).toMatch(idPattern('whd'));
      expect(r).toMatchObject({ status: 'pending', attempts: 0, endpointId: ep.id, tenantId });
    }
    expect(new Set(rows.map((r) => r.eventId)).size).toBe(rows.length);
    expect(rows[0].body.data).toMatchObject({ protocol: 'rtmp', node_id: 'n1' });
    expect(rows[3].body.data).toMatchObject({ reason: 'unpublished' });
    expect(rows[2].body.data).toMatchObject({ file: './dvr/a.mp4' });
    expect((await call(h, 'GET', `/v1/live-streams/${s.id}`, { auth: key })).json.data.status).toBe('idle');
  });

  it('counts seq per stream, and writes one delivery per enabled endpoint whose filter takes the event', async () => {
    const all = await createEndpoint(h.db, tenantId, { url: 'http://127.0.0.1:9/a', events: [], enabled: true }, h.clock.now());
    const onlyRotations = await createEndpoint(h.db, tenantId, { url: 'http://127.0.0.1:9/b', events: ['stream.key_rotated'], enabled: true }, h.clock.now());
    const off = await createEndpoint(h.db, tenantId, { url: 'http://127.0.0.1:9/c', events: [], enabled: false }, h.clock.now());
    const a = await newStream();
    const b = await newStream();
    await hook(h, 'on_publish', 'n1', a.stream_key, { client_id: 'pa' });
    await call(h, 'POST', `/v1/live-streams/${b.id}/rotate-keys`, { auth: key });
    await call(h, 'POST', `/v1/live-streams/${a.id}/rotate-keys`, { auth: key });
    const rows = await outbox(all.id);
    const seqOf = (id: string) => rows.filter((r) => r.body.object.id === id).map((r) => r.body.seq);
    expect(seqOf(a.id)).toEqual([1, 2]);
    expect(seqOf(b.id)).toEqual([1]);
    expect((await outbox(onlyRotations.id)).map((r) => r.body.type)).toEqual(['stream.key_rotated', 'stream.key_rotated']);
    expect(await outbox(off.id)).toEqual([]);
  });

  it('writes nothing for a change that did not happen: a refused publish, a second on_hls, another tenant', async () => {
    const ep = await createEndpoint(h.db, tenantId, { url: 'http://127.0.0.1:9/a', events: [], enabled: true }, h.clock.now());
    const other = await newTenant(h, 'other');
    await createEndpoint(h.db, other.tenantId, { url: 'http://127.0.0.1:9/o', events: [], enabled: true }, h.clock.now());
    const s = await newStream();
    const old = s.stream_key;
    await call(h, 'POST', `/v1/live-streams/${s.id}/rotate-keys`, { auth: key });
    expect((await hook(h, 'on_publish', 'n1', old, { client_id: 'p1' })).json.code).toBe(403);
    expect((await outbox(ep.id)).map((r) => r.body.type)).toEqual(['stream.key_rotated']);
    const all = await h.db.select().from(webhookDeliveries).where(eq(webhookDeliveries.tenantId, other.tenantId));
    expect(all).toEqual([]);
  });

  it('sends stream.disconnected (node_lost) when the sweep finds the node gone', async () => {
    const ep = await createEndpoint(h.db, tenantId, { url: 'http://127.0.0.1:9/a', events: ['stream.disconnected'], enabled: true }, h.clock.now());
    const s = await newStream();
    await hook(h, 'on_publish', 'n1', s.stream_key, { client_id: 'p1' });
    expect(await sweepStaleNodes(h.db, h.clock.now() + MISSED_BEATS * 5000)).toEqual(['n1']);
    const rows = await outbox(ep.id);
    expect(rows.map((r) => [r.body.type, r.body.seq, r.body.data.reason])).toEqual([['stream.disconnected', 2, 'node_lost']]);
  });
});
