import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { MAX_LOAD_APP_CHARS, MAX_LOAD_STREAMS, MAX_LOAD_STREAM_CHARS } from '@runnel/shared/node-api';
import type { StreamLoad } from '@runnel/shared/node-api';
import { NODE_TOKEN, call, harness, newTenant } from '../testing/harness.ts';
import type { Harness } from '../testing/harness.ts';
import { hook, registerNode } from '../testing/nodes.ts';
import { liveStatsSchema } from '../views/response-schemas.ts';

/** Per-stream figures in heartbeats, kept on the open session and shown as `live` on the stream and as codecs on the session. */

let h: Harness;
let key: string;
beforeEach(async () => {
  h = await harness();
  ({ key } = await newTenant(h));
  await registerNode(h, 'n1');
  await registerNode(h, 'n2');
});
afterEach(() => h.close());

const newStream = async () => (await call(h, 'POST', '/v1/live-streams', { auth: key, body: { name: 'x' } })).json.data;
const getStream = async (id: string) => (await call(h, 'GET', `/v1/live-streams/${id}`, { auth: key })).json.data;

function entry(stream: string, over: Partial<StreamLoad> = {}): StreamLoad {
  return { app: 'live', stream, video: { codec: 'H264', width: 1280, height: 720 }, audio: { codec: 'AAC' }, bitrate_in_kbps: 2487.6, clients: 3, ...over };
}
async function beatWith(node: string, stats: readonly StreamLoad[]) {
  const body = { load: { streams: stats.length, clients: 0, bitrate_in_kbps: 0, bitrate_out_kbps: 0, cpu: 0, stream_stats: stats } };
  return call(h, 'POST', `/internal/nodes/${node}/heartbeat`, { auth: NODE_TOKEN, body });
}

describe('live stats from heartbeats', () => {
  it('shows the latest figures as `live` on the stream (get and list) while it is connected', async () => {
    const s = await newStream();
    const pid = s.playback_ids[0].id;
    const pub = await hook(h, 'on_publish', 'n1', s.stream_key, { client_id: 'pub1', protocol: 'srt' });
    const startedAt = new Date(h.clock.now()).toISOString();
    expect((await getStream(s.id)).live).toEqual({
      session_id: pub.json.data.session_id, since: startedAt, protocol: 'srt', video: null, audio: null, bitrate_kbps: null, clients: null, stats_at: null,
    });

    h.clock.advance(5000);
    expect((await beatWith('n1', [entry(pid)])).status).toBe(200);
    const live = {
      session_id: pub.json.data.session_id,
      since: startedAt,
      protocol: 'srt',
      video: { codec: 'H264', width: 1280, height: 720 },
      audio: { codec: 'AAC' },
      bitrate_kbps: 2488,
      clients: 3,
      stats_at: new Date(h.clock.now()).toISOString(),
    };
    expect((await getStream(s.id)).live).toEqual(live);
    expect(liveStatsSchema.parse(live)).toEqual(live);
    const list = await call(h, 'GET', '/v1/live-streams', { auth: key });
    expect(list.json.data.find((x: { id: string }) => x.id === s.id).live).toEqual(live);

    h.clock.advance(5000);
    await beatWith('n1', [entry(pid, { video: { codec: 'H265', width: 3840, height: 2160 }, audio: null, bitrate_in_kbps: 9000, clients: 0 })]);
    expect((await getStream(s.id)).live).toMatchObject({ video: { codec: 'H265', width: 3840, height: 2160 }, audio: null, bitrate_kbps: 9000, clients: 0 });
  });

  it('drops `live` once the publish ends, and the session keeps its codecs', async () => {
    const s = await newStream();
    const pid = s.playback_ids[0].id;
    await hook(h, 'on_publish', 'n1', s.stream_key, { client_id: 'pub1' });
    await beatWith('n1', [entry(pid)]);
    await hook(h, 'on_unpublish', 'n1', pid, { client_id: 'pub1' });
    expect((await getStream(s.id)).live).toBeNull();
    expect(liveStatsSchema.parse(null)).toBeNull();
    const [ses] = (await call(h, 'GET', `/v1/live-streams/${s.id}/sessions`, { auth: key })).json.data;
    expect(ses).toMatchObject({ video: { codec: 'H264', width: 1280, height: 720 }, audio: { codec: 'AAC' } });
  });

  it('takes figures only from the node the stream is published on, and only for app live', async () => {
    const s = await newStream();
    const pid = s.playback_ids[0].id;
    await hook(h, 'on_publish', 'n1', s.stream_key, { client_id: 'pub1' });
    await beatWith('n2', [entry(pid)]);
    await beatWith('n1', [entry(pid, { app: 'other' })]);
    expect((await getStream(s.id)).live).toMatchObject({ video: null, bitrate_kbps: null });
  });

  it('accepts heartbeats without per-stream figures (older nodes) and refuses an oversized list (422)', async () => {
    const s = await newStream();
    await hook(h, 'on_publish', 'n1', s.stream_key, { client_id: 'pub1' });
    const plain = await call(h, 'POST', '/internal/nodes/n1/heartbeat', {
      auth: NODE_TOKEN,
      body: { load: { streams: 1, clients: 0, bitrate_in_kbps: 0, bitrate_out_kbps: 0, cpu: 0 } },
    });
    expect(plain.status).toBe(200);
    expect((await getStream(s.id)).live).toMatchObject({ video: null });
    // longest names and codecs, so the size check below is the worst case
    const worst = { app: 'a'.repeat(MAX_LOAD_APP_CHARS), video: { codec: 'v'.repeat(32), width: 16_384, height: 16_384 }, audio: { codec: 'a'.repeat(32) }, bitrate_in_kbps: 123_456.789, clients: 99_999 };
    const tooMany = Array.from({ length: MAX_LOAD_STREAMS + 1 }, (_, i) => entry(`${i}`.padEnd(MAX_LOAD_STREAM_CHARS, 'x'), worst));
    const roomy = await harness({ maxBodyBytes: 1 << 20 });
    try {
      await registerNode(roomy, 'n1');
      const beat = (stats: StreamLoad[]) =>
        call(roomy, 'POST', '/internal/nodes/n1/heartbeat', { auth: NODE_TOKEN, body: { load: { streams: 0, clients: 0, bitrate_in_kbps: 0, bitrate_out_kbps: 0, cpu: 0, stream_stats: stats } } });
      expect((await beat(tooMany.slice(0, MAX_LOAD_STREAMS))).status).toBe(200);
      expect((await beat(tooMany)).status).toBe(422);
      expect(JSON.stringify(tooMany.slice(0, MAX_LOAD_STREAMS)).length).toBeLessThan(64 * 1024);
    } finally {
      roomy.close();
    }
  });
});
