import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { syntheticStream } from '../../format/remux/synthetic-stream.ts';
import { FakeClock } from '../../hub/clock.ts';
import { Source } from '../../hub/source.ts';
import type { HlsSegmentEvent } from '../../output/hls/hls-events.ts';
import { MemoryStore } from '../../storage/memory-store.ts';
import { ClientRegistry, type ClientRecord } from '../clients.ts';
import { validateConfig } from '../config/index.ts';
import { FakeHookClient } from '../hooks/fake-hook-client.ts';
import type { HookClient } from '../hooks/hook-client.ts';
import { createMemoryLogger } from '../log/index.ts';
import { hookSegmentUrl, HlsOutputs, MAX_PENDING_HLS_HOOKS } from './hls-outputs.ts';
import type { HlsOutputsOptions } from './hls-outputs.ts';

const ROOT = join('/srv', 'hls');

async function until(f: () => boolean, ms = 3000): Promise<void> {
  const end = Date.now() + ms;
  while (!f()) {
    if (Date.now() > end) throw new Error('timed out waiting');
    await new Promise((r) => setTimeout(r, 5));
  }
}

function setup(over: Partial<HlsOutputsOptions> = {}, hlsConfig: Record<string, unknown> = {}) {
  const config = validateConfig({ hls: { fragment_ms: 1000, reconnect_window_ms: 0, ...hlsConfig } }).hls;
  const hooks = new FakeHookClient();
  const clients = new ClientRegistry();
  clients.add({ id: 'pub00001', ip: '10.1.2.3', tcUrl: 'rtmp://node/live' } as ClientRecord);
  clients.add({ id: 'pub00002', ip: '10.9.9.9', tcUrl: 'rtmp://node2/live' } as ClientRecord);
  const store = new MemoryStore();
  const events: HlsSegmentEvent[] = [];
  const log = createMemoryLogger('info');
  const hls = new HlsOutputs({
    store, config, log, hooks, clients, fileRoot: ROOT, cwd: '/srv/node', listener: { onHls: (e) => events.push(e) }, ...over,
  });
  const source = new Source({ id: 'vid-hls0001', vhost: '__defaultVhost__', app: 'live', stream: 'cam' }, new FakeClock(), { observer: hls });
  return { hls, hooks, store, events, log, source };
}

/** Publishes `ms` of 1 s GOPs as `clientId`, with timestamps from `startTs`; returns once the segmenter has had it. */
async function publish(source: Source, clientId: string, ms: number, startTs = 0): Promise<() => void> {
  const r = source.publish({ clientId, protocol: 'rtmp' });
  if (!r.ok) throw new Error('refused');
  // A second of media at a time, letting the segmenter drain in between (its hub queue holds 30 s, as SRS's queue_length).
  let last = startTs;
  for (const t of syntheticStream({ durationMs: ms, gopMs: 1000, startTs })) {
    if (t.timestamp - last >= 1000) {
      last = t.timestamp;
      await new Promise((resolve) => setImmediate(resolve));
    }
    r.publisher.push(t.kind, t.timestamp, t.payload);
  }
  await new Promise((resolve) => setImmediate(resolve));
  return () => r.publisher.unpublish();
}

describe('HlsOutputs: on_hls', () => {
  it('posts SRS on_hls for every stored segment, in order, with the publisher, paths under the HLS root and the playlist', async () => {
    const { hls, hooks, events, source } = setup();
    const unpublish = await publish(source, 'pub00001', 5000);
    unpublish();
    await until(() => hooks.calls.length === events.length && events.at(-1)?.m3u8 !== undefined && events.length >= 5);
    await hls.stop();

    expect(hooks.actions().every((a) => a === 'on_hls')).toBe(true);
    const seqs = hooks.calls.map((c) => c.request.seqNo!);
    expect(seqs).toEqual(events.map((e) => e.seq_no));
    expect(seqs.slice(1).map((s, i) => s - seqs[i])).toEqual(seqs.slice(1).map(() => 1));
    for (const c of hooks.calls.slice(0, -1)) expect(c.request.duration).toBeCloseTo(1, 1);
    const first = events[0];
    expect(hooks.calls[0].request).toEqual({
      clientId: 'pub00001', ip: '10.1.2.3', vhost: '__defaultVhost__', app: 'live', stream: 'cam', param: '', tcUrl: 'rtmp://node/live',
      pageUrl: '', streamId: 'vid-hls0001', cwd: '/srv/node', duration: first.duration,
      file: join(ROOT, `live/cam-${first.seq_no}.ts`), url: `live/cam-${first.seq_no}.ts`,
      m3u8: join(ROOT, 'live/cam.m3u8'), m3u8Url: 'live/cam.m3u8', seqNo: first.seq_no,
    });
  });

  it('each segment is in the store and in the playlist before its on_hls', async () => {
    const store = new MemoryStore();
    const listed: boolean[] = [];
    const checking: HookClient = {
      admit: async () => ({ ok: true }),
      notify: async (_action, request) => {
        const key = request.file!.slice(ROOT.length + 1);
        listed.push(store.objects.has(key) && store.text('live/cam.m3u8')!.includes(key.slice('live/'.length)));
      },
    };
    const { hls, source } = setup({ store, hooks: checking });
    await publish(source, 'pub00001', 4000);
    await until(() => listed.length >= 3);
    await hls.stop();
    expect(listed.every(Boolean)).toBe(true);
  });

  it('a republish carries the new publisher in later bodies; store keys stay keys when HLS lives in a bucket', async () => {
    const { hls, hooks, source } = setup({ fileRoot: null }, { reconnect_window_ms: 30_000 });
    const first = await publish(source, 'pub00001', 3000);
    first();
    await until(() => hooks.calls.length >= 3);
    const before = hooks.calls.length;
    await publish(source, 'pub00002', 3000, 10_000);
    await hls.stop();
    await until(() => hooks.calls.length > before + 1);
    expect(hooks.calls.slice(0, before).map((c) => c.request.clientId)).toEqual(Array(before).fill('pub00001'));
    expect(hooks.calls.slice(before).map((c) => c.request.ip)).toEqual(Array(hooks.calls.length - before).fill('10.9.9.9'));
    expect(hooks.calls[0].request.file).toMatch(/^live\/cam-\d+\.ts$/);
    expect(hooks.calls[0].request.m3u8).toBe('live/cam.m3u8');
  });

  it(`a hook that never answers holds at most ${MAX_PENDING_HLS_HOOKS} calls and never holds back segments`, async () => {
    const sent: number[] = [];
    const hanging: HookClient = {
      admit: async () => ({ ok: true }),
      notify: (_action, request) => {
        sent.push(request.seqNo!);
        return new Promise<void>(() => undefined);
      },
    };
    const { hls, events, log, source } = setup({ hooks: hanging });
    await publish(source, 'pub00001', (MAX_PENDING_HLS_HOOKS + 8) * 1000);
    await until(() => events.length >= MAX_PENDING_HLS_HOOKS + 6);
    await hls.stop();
    expect(sent).toEqual([events[0].seq_no]);
    expect(log.events('hls_hook_dropped')).toHaveLength(events.length - MAX_PENDING_HLS_HOOKS);
  });

  it('a listener that throws is logged and changes nothing else', async () => {
    const { hls, hooks, log, source } = setup({ listener: { onHls: () => { throw new Error('boom'); } } });
    await publish(source, 'pub00001', 3000);
    await until(() => hooks.calls.length >= 2);
    await hls.stop();
    expect(log.events('hls_listener_error').length).toBe(hooks.calls.length);
  });
});

describe('hookSegmentUrl (SRS on_hls url)', () => {
  it.each([
    ['a URI relative to the playlist', 'cam-5.ts', 'live/cam.m3u8', 'live/cam-5.ts'],
    ['in a subdirectory', '2015-04-23/01/476584165.ts', 'live/livestream/live.m3u8', 'live/livestream/2015-04-23/01/476584165.ts'],
    ['a playlist at the root', 'cam-5.ts', 'cam.m3u8', 'cam-5.ts'],
    ['an entry prefix (CDN URL)', 'http://cdn.example/live/cam-5.ts', 'live/cam.m3u8', 'http://cdn.example/live/cam-5.ts'],
    ['a root-relative URI', '/ts/live/cam-5.ts', 'm3u8/live/cam.m3u8', 'ts/live/cam-5.ts'],
  ])('%s', (_name, uri, m3u8Url, want) => {
    expect(hookSegmentUrl(uri, m3u8Url)).toBe(want);
  });
});
