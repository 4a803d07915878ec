import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { inspectMp4 } from '../../format/mp4/inspect-mp4.ts';
import { syntheticStream } from '../../format/remux/synthetic-stream.ts';
import { FakeClock } from '../../hub/clock.ts';
import { Source } from '../../hub/source.ts';
import type { DvrFileEvent } from '../../output/dvr/dvr-events.ts';
import { checkKey, type PutOptions } from '../../storage/storage.ts';
import { ClientRegistry, type ClientRecord } from '../clients.ts';
import { validateConfig } from '../config/index.ts';
import { hookBodySchema } from '@runnel/shared/hook-api';
import { FakeHookClient } from '../hooks/fake-hook-client.ts';
import { buildHookBody } from '../hooks/hook-body.ts';
import { createMemoryLogger } from '../log/index.ts';
import type { BucketStore } from './bucket-dvr-sink.ts';
import { DVR_UPLOAD_DIR, DvrOutputs, type DvrOutputsOptions } from './dvr-outputs.ts';

const root = mkdtempSync(join(tmpdir(), 'runnel-dvrbucket-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));
let runs = 0;

/** A bucket that can be down; keys get the `rec/` prefix an S3Store would add. */
class FakeBucket implements BucketStore {
  readonly objects = new Map<string, { bytes: Uint8Array; options: PutOptions }>();
  down = false;

  objectKey(key: string): string {
    return `rec/${checkKey(key)}`;
  }

  async putFile(key: string, path: string, options: PutOptions): Promise<void> {
    await new Promise((r) => setImmediate(r));
    if (this.down) throw new Error('connect ECONNREFUSED (FakeBucket.down)');
    this.objects.set(this.objectKey(key), { bytes: new Uint8Array(await readFile(path)), options });
  }
}

async function until(f: () => boolean, ms = 3000): Promise<void> {
  const end = Date.now() + ms;
  while (!f()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${String(f)}`);
    await new Promise((r) => setTimeout(r, 5));
  }
}

interface Run {
  dvr: DvrOutputs;
  hooks: FakeHookClient;
  log: ReturnType<typeof createMemoryLogger>;
  events: DvrFileEvent[];
  dataDir: string;
}

async function open(
  bucket: FakeBucket, over: Partial<DvrOutputsOptions['config']> = {}, dataDir = join(root, `run${++runs}`), more: Partial<DvrOutputsOptions> = {},
): Promise<Run> {
  const config = {
    ...validateConfig({ dvr: { enabled: true, plan: 'segment', duration_ms: 2000, file: '[app]/[stream].[timestamp].mp4', entry_prefix: 'https://cdn.example/media/' } }).dvr,
    ...over,
  };
  const hooks = new FakeHookClient();
  const clients = new ClientRegistry();
  clients.add({ id: 'c0ffee01', ip: '10.1.2.3', tcUrl: 'rtmp://node/live' } as ClientRecord);
  const events: DvrFileEvent[] = [];
  const log = createMemoryLogger('info');
  const dvr = await DvrOutputs.open({
    config, dataDir, hooks, clients, log, bucket, cwd: '/srv/node', listener: { onDvr: (e) => events.push(e) }, uploadBackoff: { baseMs: 10, maxMs: 40 },
    ...more,
  });
  return { dvr, hooks, log, events, dataDir };
}

function publish(run: Run, stream = 'cam') {
  const source = new Source({ id: 'vid-abc1234', vhost: '__defaultVhost__', app: 'live', stream }, new FakeClock(), { observer: run.dvr });
  const r = source.publish({ clientId: 'c0ffee01', protocol: 'rtmp' });
  if (!r.ok) throw new Error('refused');
  return { source, publisher: r.publisher };
}

const tick = () => new Promise((r) => setImmediate(r));
const queuedFiles = (run: Run) => readdirSync(join(run.dataDir, DVR_UPLOAD_DIR)).filter((n) => n.endsWith('.file'));

describe('DvrOutputs with a bucket', () => {
  it('keeps recordings on disk while the bucket is down and posts on_dvr only once each is in it, in order, with its object key and URL', async () => {
    const bucket = new FakeBucket();
    bucket.down = true;
    const run = await open(bucket);
    const { publisher } = publish(run);
    for (const t of syntheticStream({ durationMs: 5000, gopMs: 1000 })) publisher.push(t.kind, t.timestamp, t.payload);
    await tick();
    publisher.unpublish();
    await until(() => run.log.events('dvr_file_queued').length === 3);
    await new Promise((r) => setTimeout(r, 100));
    expect(run.hooks.calls).toEqual([]);
    expect(run.events).toEqual([]);
    expect(queuedFiles(run)).toHaveLength(3);

    bucket.down = false;
    await until(() => run.hooks.calls.length === 3);
    expect(run.events.map((e) => [Math.round(e.duration), e.reason])).toEqual([[2, 'duration'], [2, 'duration'], [1, 'unpublish']]);
    const keys = run.events.map((e) => `rec/${e.file}`);
    expect([...bucket.objects.keys()]).toEqual(keys);
    expect(run.hooks.calls.map((c) => c.request.file)).toEqual(keys);
    expect(run.hooks.calls[0]!.request).toEqual({
      clientId: 'c0ffee01', ip: '10.1.2.3', vhost: '__defaultVhost__', app: 'live', stream: 'cam', param: '', tcUrl: 'rtmp://node/live',
      pageUrl: '', streamId: 'vid-abc1234', cwd: '/srv/node', file: keys[0], recordingUrl: `https://cdn.example/media/recordings/${run.events[0]!.file}`,
      recordingDuration: run.events[0]!.duration, recordingBytes: run.events[0]!.bytes,
    });
    // the body the node posts: what the control plane reads to index the recording (URL, duration, the size of the object in the bucket)
    const body = hookBodySchema.parse(buildHookBody('on_dvr', { serverId: 'n1', serviceId: 's1' }, run.hooks.calls[0]!.request));
    expect(body).toMatchObject({ action: 'on_dvr', file: keys[0], url: `https://cdn.example/media/recordings/${run.events[0]!.file}`, bytes: bucket.objects.get(keys[0]!)!.bytes.length });
    expect(body.action === 'on_dvr' && body.duration).toBeCloseTo(run.events[0]!.duration, 3);
    for (const k of keys) {
      expect(inspectMp4(bucket.objects.get(k)!.bytes).tracks).toHaveLength(2);
      expect(bucket.objects.get(k)!.options.contentType).toBe('video/mp4');
    }
    expect(run.log.events('upload_queue_degraded')).toHaveLength(1);
    await until(() => queuedFiles(run).length === 0);
    await run.dvr.stop();
  });

  it('stops recording at the backlog cap without deleting anything, and records again once the bucket drained it', async () => {
    const bucket = new FakeBucket();
    bucket.down = true;
    // one 2 s file of the synthetic stream is ~7.6 KB: the first finished file fills this cap
    const run = await open(bucket, { backlogMaxBytes: 5000 });
    const { publisher } = publish(run);
    const push = (from: number, to: number) => {
      for (const t of syntheticStream({ durationMs: to - from, gopMs: 1000, startTs: from, headers: from === 0 })) publisher.push(t.kind, t.timestamp, t.payload);
    };
    push(0, 2500); // the first file ends at 2 s, the second starts
    await until(() => run.log.events('dvr_recording_paused').length === 1);
    expect(run.log.events('dvr_recording_paused')[0]!.level).toBe('error');
    // the paused recorder finished its open file too: two files, both kept
    await until(() => queuedFiles(run).length === 2);
    push(2500, 6000);
    await tick();
    await new Promise((r) => setTimeout(r, 50));
    expect(queuedFiles(run)).toHaveLength(2);

    bucket.down = false;
    await until(() => run.log.events('dvr_recording_resumed').length === 1);
    push(6000, 7500);
    await tick();
    publisher.unpublish();
    await until(() => run.hooks.calls.length === 3);
    expect(run.events.map((e) => e.reason)).toEqual(['duration', 'end', 'unpublish']);
    // the resumed file starts at the keyframe the hub's GOP cache held (5.5 s: the push from 2.5 s has one every second) and ends with the publish
    expect(run.events[2]!.duration).toBeGreaterThan(1.9);
    expect(run.events[2]!.duration).toBeLessThan(2.1);
    expect(run.hooks.calls.map((c) => c.request.file)).toEqual([...bucket.objects.keys()]);
    expect(run.log.events('upload_queue_full')[0]!.level).toBe('error');
    await run.dvr.stop();
  });

  it('a node restarted with recordings still queued uploads them and posts their on_dvr with what the first run knew', async () => {
    const bucket = new FakeBucket();
    bucket.down = true;
    const first = await open(bucket, {}, undefined, { closeDrainMs: 0 });
    const { publisher } = publish(first);
    for (const t of syntheticStream({ durationMs: 3000, gopMs: 1000 })) publisher.push(t.kind, t.timestamp, t.payload);
    await tick();
    publisher.unpublish();
    await until(() => first.log.events('dvr_file_queued').length === 2);
    await first.dvr.stop();
    expect(queuedFiles(first)).toHaveLength(2);
    expect(first.hooks.calls).toEqual([]);

    const second = await open(new FakeBucket(), {}, first.dataDir);
    await until(() => second.hooks.calls.length === 2);
    const keys = first.log.events('dvr_file_queued').map((r) => `rec/${String(r.fields.key)}`);
    expect(second.hooks.calls.map((c) => c.request.file)).toEqual(keys);
    expect(second.hooks.calls[1]!.request).toMatchObject({ clientId: 'c0ffee01', ip: '10.1.2.3', tcUrl: 'rtmp://node/live', app: 'live', stream: 'cam', streamId: 'vid-abc1234' });
    expect(second.events.map((e) => [Math.round(e.duration), e.reason])).toEqual([[2, 'duration'], [1, 'unpublish']]);
    await until(() => queuedFiles(second).length === 0);
    await second.dvr.stop();
  });
});
