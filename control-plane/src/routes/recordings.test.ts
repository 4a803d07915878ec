import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { webhookDeliveries } from '../db/schema.ts';
import { createEndpoint } from '../webhooks/endpoints.ts';
import { idPattern } from '../services/ids.ts';
import { recordingFormat } from '../services/recordings.ts';
import { recordingSchema } from '../views/response-schemas.ts';
import { call, harness, newTenant } from '../testing/harness.ts';
import type { Harness } from '../testing/harness.ts';
import { hook, registerNode } from '../testing/nodes.ts';

let h: Harness;
let key: string;
let tenantId: string;
beforeEach(async () => {
  h = await harness();
  ({ key, tenantId } = await newTenant(h));
  await registerNode(h, 'n1');
});
afterEach(() => h.close());

const newStream = async () => (await call(h, 'POST', '/v1/live-streams', { auth: key, body: { name: 'x', recording: { mode: 'automatic' } } })).json.data;
const dvr = (extra: Record<string, unknown>) => ({ client_id: 'pub1', cwd: '/srv', ...extra });

/** A stream published by client pub1 on n1; returns it, its playback id and its session id. */
async function publishing() {
  const s = await newStream();
  const pub = await hook(h, 'on_publish', 'n1', s.stream_key, { client_id: 'pub1', protocol: 'rtmp' });
  return { s, pid: s.playback_ids[0].id as string, sessionId: pub.json.data.session_id as string };
}

describe('recordings from on_dvr', () => {
  it('records a bucket file with its URL, format, duration and size, linked to the publisher\'s session, and serves it by id', async () => {
    const { s, pid, sessionId } = await publishing();
    const file = `media/recordings/live/${pid}.1767225600000.mp4`;
    const r = await hook(h, 'on_dvr', 'n1', pid, dvr({ file, url: `https://cdn.example/${file}`, duration: 12.345, bytes: 1_234_567 }));
    expect(r.json).toEqual({ code: 0 });

    const list = await call(h, 'GET', `/v1/live-streams/${s.id}/recordings`, { auth: key });
    expect(list.status).toBe(200);
    expect(list.json.next_cursor).toBeNull();
    expect(list.json.data).toEqual([
      {
        id: expect.stringMatching(idPattern('rec')),
        live_stream_id: s.id,
        session_id: sessionId,
        node_id: 'n1',
        status: 'ready',
        format: 'mp4',
        storage_key: file,
        url: `https://cdn.example/${file}`,
        file_path: expect.stringMatching(/^\/v1\/recordings\/rec_[0-9a-z]+\/file$/),
        duration_ms: 12_345,
        bytes: 1_234_567,
        created_at: new Date(h.clock.now()).toISOString(),
      },
    ]);
    const one = await call(h, 'GET', `/v1/recordings/${list.json.data[0].id}`, { auth: key });
    expect(one.status).toBe(200);
    expect(one.json.data).toEqual(list.json.data[0]);
    // the OpenAPI document's Recording schema describes what was served
    expect(recordingSchema.parse(one.json.data)).toEqual(one.json.data);
  });

  it('keeps an SRS body (a local file, no url, duration or size) with nulls, and links a file announced after the unpublish to that session', async () => {
    const { s, pid, sessionId } = await publishing();
    await hook(h, 'on_unpublish', 'n1', pid, { client_id: 'pub1' });
    await hook(h, 'on_dvr', 'n1', pid, dvr({ file: '/srv/dvr/live/cam.1767225600000.flv' }));
    const [rec] = (await call(h, 'GET', `/v1/live-streams/${s.id}/recordings`, { auth: key })).json.data;
    expect(rec).toMatchObject({ session_id: sessionId, format: 'flv', url: null, duration_ms: null, bytes: null, storage_key: '/srv/dvr/live/cam.1767225600000.flv' });
  });

  it('records a file the node announces twice (a retried hook) once, with one recording.ready carrying the recording', async () => {
    const ep = await createEndpoint(h.db, tenantId, { url: 'http://127.0.0.1:9/hook', events: ['recording.ready'], enabled: true }, h.clock.now());
    const { s, pid, sessionId } = await publishing();
    await hook(h, 'on_dvr', 'n1', pid, dvr({ file: 'a/b.mp4', bytes: 10 }));
    await hook(h, 'on_dvr', 'n1', pid, dvr({ file: 'a/b.mp4', bytes: 10 }));
    const recs = (await call(h, 'GET', `/v1/live-streams/${s.id}/recordings`, { auth: key })).json.data;
    expect(recs).toHaveLength(1);
    const rows = (await h.db.select().from(webhookDeliveries)).filter((d) => d.endpointId === ep.id);
    expect(rows.map((d) => d.eventType)).toEqual(['recording.ready']);
    const data = JSON.parse(rows[0].payload).data;
    expect(data).toMatchObject({ live_stream_id: s.id, recording_id: recs[0].id, session_id: sessionId, file: 'a/b.mp4' });
    expect(data.recording).toEqual(recs[0]);
  });

  it('ignores a file of an unknown playback name', async () => {
    const { s } = await publishing();
    expect((await hook(h, 'on_dvr', 'n1', 'nosuchplayback', dvr({ file: 'x.mp4' }))).json).toEqual({ code: 0 });
    expect((await call(h, 'GET', `/v1/live-streams/${s.id}/recordings`, { auth: key })).json.data).toEqual([]);
  });

  it('refuses an on_dvr body with a negative size or a non-number duration (422), so nothing bogus is stored', async () => {
    const { pid } = await publishing();
    expect((await hook(h, 'on_dvr', 'n1', pid, dvr({ file: 'x.mp4', bytes: -1 }))).status).toBe(422);
    expect((await hook(h, 'on_dvr', 'n1', pid, dvr({ file: 'x.mp4', duration: '3' }))).status).toBe(422);
  });
});

describe('recordings API', () => {
  it('pages newest first with a cursor', async () => {
    const { s, pid } = await publishing();
    for (const n of [1, 2, 3]) {
      h.clock.advance(1000);
      await hook(h, 'on_dvr', 'n1', pid, dvr({ file: `rec/${n}.flv` }));
    }
    const first = await call(h, 'GET', `/v1/live-streams/${s.id}/recordings?limit=2`, { auth: key });
    expect(first.json.data.map((r: { storage_key: string }) => r.storage_key)).toEqual(['rec/3.flv', 'rec/2.flv']);
    const second = await call(h, 'GET', `/v1/live-streams/${s.id}/recordings?limit=2&cursor=${first.json.next_cursor}`, { auth: key });
    expect(second.json.data.map((r: { storage_key: string }) => r.storage_key)).toEqual(['rec/1.flv']);
    expect(second.json.next_cursor).toBeNull();
  });

  it('hides another tenant\'s recordings (404) and answers 404 for unknown or malformed ids', async () => {
    const { s, pid } = await publishing();
    await hook(h, 'on_dvr', 'n1', pid, dvr({ file: 'rec/1.flv' }));
    const [rec] = (await call(h, 'GET', `/v1/live-streams/${s.id}/recordings`, { auth: key })).json.data;
    const other = await newTenant(h, 'other');
    expect((await call(h, 'GET', `/v1/recordings/${rec.id}`, { auth: other.key })).status).toBe(404);
    expect((await call(h, 'GET', `/v1/live-streams/${s.id}/recordings`, { auth: other.key })).status).toBe(404);
    expect((await call(h, 'GET', '/v1/recordings/rec_nope', { auth: key })).status).toBe(404);
    expect((await call(h, 'GET', `/v1/recordings/${rec.id}`)).status).toBe(401);
  });
});

describe('recordingFormat', () => {
  it.each([
    ['/srv/dvr/live/cam.1767225600000.flv', 'flv'],
    ['media/recordings/live/x.MP4', 'mp4'],
    ['a/b/seg.ts', 'ts'],
    ['a.b/noext', null],
    ['a/b.mkv', null],
    ['a/b.mp4?x=1', 'mp4'],
  ])('%s -> %s', (file, format) => expect(recordingFormat(file)).toBe(format));
});
