import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { call, harness, newTenant } from '../testing/harness.ts';
import type { Harness } from '../testing/harness.ts';
import { beat, hook, registerNode } from '../testing/nodes.ts';

let h: Harness;
let key: string;
beforeEach(async () => {
  h = await harness();
  key = (await newTenant(h)).key;
});
afterEach(() => h.close());

async function newStream(body: Record<string, unknown> = {}) {
  return (await call(h, 'POST', '/v1/live-streams', { auth: key, body: { name: 'x', ...body } })).json.data;
}
const publishUrls = (id: string, body?: unknown) => call(h, 'POST', `/v1/live-streams/${id}/publish-urls`, { auth: key, body });

describe('publish URLs', () => {
  it('answers RTMP, SRT and WHIP credentials pointing at the node', async () => {
    await registerNode(h, 'n1');
    const s = await newStream();
    const r = await publishUrls(s.id);
    expect(r.status).toBe(200);
    expect(r.json.data).toEqual({
      live_stream_id: s.id,
      node_id: 'n1',
      region: 'eu-west',
      rtmp: { url: 'rtmp://n1.example.com:1935/live', stream_key: s.stream_key },
      srt: { url: 'srt://n1.example.com:10080', streamid: `#!::r=live/${s.stream_key},m=publish`, passphrase: s.srt_passphrase },
      whip: { url: 'http://n1.example.com:1985/rtc/v1/whip/?app=live', token: s.stream_key },
    });
    expect((await call(h, 'GET', `/v1/live-streams/${s.id}`, { auth: key })).json.data.node_id).toBe('n1');
  });

  it('leaves out protocols the node does not offer', async () => {
    await registerNode(h, 'n1', { urls: { rtmp: 'rtmp://n1:1935', http: 'http://n1:8080' } });
    const r = (await publishUrls((await newStream()).id)).json.data;
    expect(r.srt).toBeNull();
    expect(r.whip).toBeNull();
  });

  it('picks the least-loaded node by its fullest resource', async () => {
    await registerNode(h, 'n1');
    await registerNode(h, 'n2');
    await registerNode(h, 'n3');
    await beat(h, 'n1', { cpu: 0.5 });
    await beat(h, 'n2', { streams: 30 }); // 30 of 100 streams = 0.3
    await beat(h, 'n3', { bitrate_out_kbps: 400_000 }); // 40 % of egress
    expect((await publishUrls((await newStream()).id)).json.data.node_id).toBe('n2');
  });

  it('skips full nodes', async () => {
    await registerNode(h, 'n1', { capacity: { max_streams: 2, max_egress_kbps: 1000 } });
    await beat(h, 'n1', { streams: 2 });
    expect((await publishUrls((await newStream()).id)).status).toBe(503);
  });

  it('allocates in the requested region, and 503 when that region has none', async () => {
    await registerNode(h, 'n1');
    await registerNode(h, 'us1', { region: 'us-east' });
    await beat(h, 'us1', { cpu: 0.9 });
    expect((await publishUrls((await newStream()).id, { region: 'us-east' })).json.data.node_id).toBe('us1');
    const none = await publishUrls((await newStream()).id, { region: 'ap-south' });
    expect(none.status).toBe(503);
    expect(none.json.detail).toContain('ap-south');
  });

  it('keeps a stream on its node while that node is healthy (URLs pasted in an encoder keep working)', async () => {
    await registerNode(h, 'n1');
    const s = await newStream();
    expect((await publishUrls(s.id)).json.data.node_id).toBe('n1');
    await registerNode(h, 'n2');
    await beat(h, 'n1', { cpu: 0.8 });
    expect((await publishUrls(s.id)).json.data.node_id).toBe('n1');
    h.clock.advance(15_000);
    await beat(h, 'n2');
    expect((await publishUrls(s.id)).json.data.node_id).toBe('n2');
  });

  it('keeps a live stream on the node it is live on, even when asked for another region', async () => {
    await registerNode(h, 'n1');
    await registerNode(h, 'us1', { region: 'us-east' });
    const s = await newStream();
    await hook(h, 'on_publish', 'n1', s.stream_key);
    expect((await publishUrls(s.id, { region: 'us-east' })).json.data.node_id).toBe('n1');
  });

  it('refuses a disabled stream with 409', async () => {
    await registerNode(h, 'n1');
    const s = await newStream({ enabled: false });
    const r = await publishUrls(s.id);
    expect(r.status).toBe(409);
    expect(r.json.code).toBe('stream_disabled');
  });

  it('validates the region (422)', async () => {
    const r = await publishUrls((await newStream()).id, { region: 'Not A Region' });
    expect(r.status).toBe(422);
    expect(r.json.errors).toContainEqual(expect.objectContaining({ field: 'region' }));
  });
});

describe('playback URLs', () => {
  it('gives HLS through the CDN before any node, and node outputs once assigned, never the key', async () => {
    const s = await newStream();
    const pid = s.playback_ids[0].id;
    const before = (await call(h, 'GET', `/v1/live-streams/${s.id}/playback-urls`, { auth: key })).json.data;
    expect(before).toEqual({
      playback_id: pid,
      policy: 'public',
      token_required: false,
      hls: { url: `https://cdn.example.com/hls/${pid}/index.m3u8` },
      flv: null,
      rtmp: null,
      whep: null,
    });
    await registerNode(h, 'n1');
    await publishUrls(s.id);
    const after = await call(h, 'GET', `/v1/live-streams/${s.id}/playback-urls`, { auth: key });
    expect(after.json.data).toMatchObject({
      flv: { url: `http://n1.example.com:8080/live/${pid}.flv` },
      rtmp: { url: `rtmp://n1.example.com:1935/live/${pid}` },
      whep: { url: `http://n1.example.com:1985/rtc/v1/whep/?app=live&stream=${pid}` },
    });
    expect(JSON.stringify(after.json)).not.toContain(s.stream_key);
  });

  it('says a token is needed for a signed playback id', async () => {
    const s = await newStream({ playback_policy: 'signed' });
    const r = (await call(h, 'GET', `/v1/live-streams/${s.id}/playback-urls`, { auth: key })).json.data;
    expect(r).toMatchObject({ policy: 'signed', token_required: true });
  });
});
