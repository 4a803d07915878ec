import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { inspectMp4 } from '../../format/mp4/inspect-mp4.ts';
import { syntheticStream } from '../../format/remux/synthetic-stream.ts';
import { FakeClock } from '../../hub/clock.ts';
import { Source } from '../../hub/source.ts';
import type { DvrFileEvent } from '../../output/dvr/dvr-events.ts';
import { ClientRegistry, type ClientRecord } from '../clients.ts';
import { validateConfig } from '../config/index.ts';
import { FakeHookClient } from '../hooks/fake-hook-client.ts';
import { createMemoryLogger } from '../log/index.ts';
import { DVR_SPOOL_DIR, DvrOutputs } from './dvr-outputs.ts';

const dataDir = mkdtempSync(join(tmpdir(), 'runnel-dvrout-'));
afterAll(() => rmSync(dataDir, { recursive: true, force: true }));

async function until(f: () => boolean, ms = 3000): Promise<void> {
  const end = Date.now() + ms;
  while (!f()) {
    if (Date.now() > end) throw new Error('timed out waiting');
    await new Promise((r) => setTimeout(r, 5));
  }
}

describe('DvrOutputs', () => {
  it('records each publish to dvr.path and posts SRS on_dvr with the publisher, cwd and the file path', async () => {
    const config = validateConfig({ dvr: { enabled: true, plan: 'segment', duration_ms: 2000, file: '[app]/[stream].[timestamp].mp4' } }).dvr;
    const hooks = new FakeHookClient();
    const clients = new ClientRegistry();
    clients.add({ id: 'c0ffee01', ip: '10.1.2.3', tcUrl: 'rtmp://node/live' } as ClientRecord);
    const events: DvrFileEvent[] = [];
    const log = createMemoryLogger('info');
    const dvr = await DvrOutputs.open({ config, dataDir, hooks, clients, log, listener: { onDvr: (e) => events.push(e) }, cwd: '/srv/node' });
    const source = new Source({ id: 'vid-abc1234', vhost: '__defaultVhost__', app: 'live', stream: 'cam' }, new FakeClock(), { observer: dvr });
    const r = source.publish({ clientId: 'c0ffee01', protocol: 'rtmp' });
    if (!r.ok) throw new Error('refused');
    for (const t of syntheticStream({ durationMs: 5000, gopMs: 1000 })) r.publisher.push(t.kind, t.timestamp, t.payload);
    await new Promise((resolve) => setImmediate(resolve));
    r.publisher.unpublish();
    await until(() => hooks.calls.length === 3);

    expect(events.map((e) => [Math.round(e.duration), e.reason])).toEqual([[2, 'duration'], [2, 'duration'], [1, 'unpublish']]);
    const files = events.map((e) => join(dvr.root!, e.file));
    for (const f of files) expect(inspectMp4(new Uint8Array(readFileSync(f))).tracks).toHaveLength(2);
    expect(hooks.calls.map((c) => c.action)).toEqual(['on_dvr', 'on_dvr', 'on_dvr']);
    expect(hooks.calls[0]!.request).toEqual({
      clientId: 'c0ffee01', ip: '10.1.2.3', vhost: '__defaultVhost__', app: 'live', stream: 'cam', param: '', tcUrl: 'rtmp://node/live',
      pageUrl: '', streamId: 'vid-abc1234', cwd: '/srv/node', file: files[0], recordingDuration: events[0]!.duration, recordingBytes: events[0]!.bytes,
    });
    expect(events[0]!.bytes).toBe(readFileSync(files[0]!).length);
    expect(readdirSync(join(dataDir, DVR_SPOOL_DIR))).toEqual([]);
    expect(log.events('dvr_file')).toHaveLength(3);
  });

  it('does not record a publish its control plane said not to record (record: false), and records one it said to', async () => {
    const config = validateConfig({ dvr: { enabled: true, path: 'rec-switch' } }).dvr;
    const hooks = new FakeHookClient();
    const dvr = await DvrOutputs.open({ config, dataDir, hooks, clients: new ClientRegistry(), log: createMemoryLogger('info') });
    for (const [stream, record] of [['off', false], ['on', true]] as const) {
      const source = new Source({ id: `vid-${stream}`, vhost: '__defaultVhost__', app: 'live', stream }, new FakeClock(), { observer: dvr });
      const r = source.publish({ clientId: stream, record });
      if (!r.ok) throw new Error('refused');
      for (const t of syntheticStream({ durationMs: 1000 })) r.publisher.push(t.kind, t.timestamp, t.payload);
      r.publisher.unpublish();
    }
    await dvr.stop();
    expect(hooks.calls.map((c) => c.request.stream)).toEqual(['on']);
    expect(readdirSync(join(dvr.root!, 'live'))).toEqual([expect.stringMatching(/^on\.\d+\.flv$/)]);
  });

  it('finishes and stores an open recording at node shutdown', async () => {
    const config = validateConfig({ dvr: { enabled: true, path: 'rec' } }).dvr;
    const hooks = new FakeHookClient();
    const dvr = await DvrOutputs.open({ config, dataDir, hooks, clients: new ClientRegistry(), log: createMemoryLogger('info') });
    const source = new Source({ id: 'vid-2', vhost: '__defaultVhost__', app: 'live', stream: 'long' }, new FakeClock(), { observer: dvr });
    const r = source.publish({ clientId: 'x' });
    if (!r.ok) throw new Error('refused');
    for (const t of syntheticStream({ durationMs: 1000 })) r.publisher.push(t.kind, t.timestamp, t.payload);
    await new Promise((resolve) => setImmediate(resolve));
    await dvr.stop();
    expect(hooks.calls).toHaveLength(1);
    expect(hooks.calls[0]!.request.file).toMatch(/rec\/live\/long\.\d+\.flv$/);
    expect(existsSync(hooks.calls[0]!.request.file!)).toBe(true);
  });

  it('shutdown waits for files still being stored after an unpublish', async () => {
    const config = validateConfig({ dvr: { enabled: true, path: 'rec2' } }).dvr;
    const hooks = new FakeHookClient();
    const dvr = await DvrOutputs.open({ config, dataDir, hooks, clients: new ClientRegistry(), log: createMemoryLogger('info') });
    const source = new Source({ id: 'vid-3', vhost: '__defaultVhost__', app: 'live', stream: 'gone' }, new FakeClock(), { observer: dvr });
    const r = source.publish({ clientId: 'y' });
    if (!r.ok) throw new Error('refused');
    for (const t of syntheticStream({ durationMs: 1000 })) r.publisher.push(t.kind, t.timestamp, t.payload);
    r.publisher.unpublish();
    await dvr.stop();
    expect(hooks.calls.map((c) => c.action)).toEqual(['on_dvr']);
  });
});
