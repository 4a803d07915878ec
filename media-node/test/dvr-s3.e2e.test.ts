import { mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startHookTestServer, type HookTestServer } from '../src/server/hooks/hook-test-server.ts';
import { probe, runPeer, sleep, testSignalArgs } from './support/ffmpeg.ts';
import { startNodeUnderTest, type NodeUnderTest } from './support/node-under-test.ts';
import { S3RVER_KEYS, startS3, type S3Peer } from './support/s3-peer.ts';

/**
 * Issue 3, DVR "to disk and S3": a node records 3 s MP4 segments of an 8 s
 * ffmpeg publish into s3rver; s3rver is stopped for 10 s in the middle. The
 * finished recordings wait on the node's disk and go up once it is back:
 * every recording ends up in the bucket, ffprobe reads each, together they
 * hold every frame ffmpeg sent, and on_dvr came only once a file was there.
 */

const SECONDS = 8;
const OUTAGE_MS = 10_000;
const PREFIX = 'media';

let s3: S3Peer;
let hooks: HookTestServer;
let node: NodeUnderTest;
let dir: string;
let sent: { video: number; audio: number };
let downAt = 0;
let upAt = 0;
/** What the node's upload queue held while the bucket was down and the publish had ended. */
let queuedDuringOutage: string[] = [];
let hooksDuringOutage = -1;
let queueDir = '';

interface Probed {
  readonly key: string;
  readonly duration: number;
  readonly video: number;
  readonly audio: number;
}

async function probeFile(file: string): Promise<{ duration: number; video: number; audio: number }> {
  const p = await probe(file, ['-count_frames', '-show_format']);
  const frames = (type: string) => Number(p.streams.find((s) => s.codec_type === type)?.nb_read_frames ?? 0);
  return { duration: Number((p as unknown as { format: { duration: string } }).format.duration), video: frames('video'), audio: frames('audio') };
}

const dvrHooks = () => hooks.received.filter((h) => h.path === '/dvr');

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'runnel-dvr-s3-'));
  s3 = await startS3();
  hooks = await startHookTestServer();
  node = await startNodeUnderTest({
    hls: { enabled: false },
    storage: { type: 's3', s3: { endpoint: s3.endpoint, bucket: s3.bucket, prefix: PREFIX, force_path_style: true, ...S3RVER_KEYS } },
    dvr: { enabled: true, plan: 'segment', duration_ms: 3000, file: '[app]/[stream].[timestamp].mp4', entry_prefix: 'https://cdn.example/' },
    hooks: { on_dvr: [hooks.url('/dvr')] },
  });
  queueDir = String(node.log.records.find((r) => r.event === 'dvr')?.fields.queue);
  const copy = join(dir, 'sent.flv');
  const pub = runPeer('ffmpeg', [
    ...testSignalArgs({ seconds: SECONDS, gop: 25 }),
    '-map', '0:v', '-map', '1:a', '-flags', '+global_header', '-f', 'tee', `[f=flv]${node.rtmp('/live/cam')}|[f=flv]${copy}`,
  ]);
  await sleep(2000);
  await s3.down();
  downAt = Date.now();
  expect(await pub.exited, pub.stderr()).toBe(0);
  await sleep(Math.max(0, downAt + OUTAGE_MS - Date.now() - 500));
  queuedDuringOutage = readdirSync(queueDir).filter((n) => n.endsWith('.file'));
  hooksDuringOutage = dvrHooks().length;
  await sleep(Math.max(0, downAt + OUTAGE_MS - Date.now()));
  await s3.up();
  upAt = Date.now();
  const s = await probeFile(copy);
  sent = { video: s.video, audio: s.audio };
  // the queue retries at most 5 s apart: all three should be up well within 15 s
  for (let i = 0; i < 60 && dvrHooks().length < 3; i++) await sleep(250);
}, 60_000);

afterAll(async () => {
  await node?.stop();
  await hooks?.close();
  await s3?.stop();
  rmSync(dir, { recursive: true, force: true });
});

describe('DVR to S3 through a 10 s outage', () => {
  it('kept the finished recordings on the node while the bucket was down, and announced none of them', () => {
    expect(queuedDuringOutage.length).toBe(3);
    expect(hooksDuringOutage).toBe(0);
    const events = node.log.records.map((r) => r.event);
    expect(events).toContain('upload_queue_degraded');
    const recovered = node.log.records.find((r) => r.event === 'upload_queue_recovered');
    expect(Number(recovered?.fields.down_ms)).toBeGreaterThan(OUTAGE_MS - 4000);
    expect(events).not.toContain('upload_queue_file_refused');
    expect(events).not.toContain('dvr_store_failed');
  });

  it('every recording is in the bucket under the recordings prefix, announced once there, and the local queue is empty', async () => {
    const calls = dvrHooks();
    expect(calls).toHaveLength(3);
    for (const c of calls) expect(c.at).toBeGreaterThanOrEqual(upAt);
    const files = calls.map((c) => String(c.body?.file));
    expect(await s3.keys(`${PREFIX}/recordings/`)).toEqual([...files].sort());
    for (const f of files) expect(f).toMatch(/^media\/recordings\/live\/cam\.\d+\.mp4$/);
    // in recording order
    expect(files).toEqual([...files].sort());
    expect(calls[0]!.body).toMatchObject({ action: 'on_dvr', app: 'live', stream: 'cam', ip: '127.0.0.1', stream_url: '/live/cam' });
    for (const c of calls) expect(c.body?.url).toBe(`https://cdn.example/recordings/${String(c.body?.file).slice(`${PREFIX}/recordings/`.length)}`);
    expect(readdirSync(queueDir).filter((n) => n !== 'failed')).toEqual([]);
  });

  it('ffprobe reads every recording from the bucket: ~3 s files that together hold the 8 s ffmpeg sent, every frame once', async () => {
    const got: Probed[] = [];
    for (const c of dvrHooks()) {
      const key = String(c.body?.file);
      const res = await fetch(s3.url(key));
      expect(res.status, key).toBe(200);
      expect(res.headers.get('content-type')).toBe('video/mp4');
      const local = join(dir, key.replaceAll('/', '_'));
      writeFileSync(local, new Uint8Array(await res.arrayBuffer()));
      got.push({ key, ...(await probeFile(local)) });
    }
    expect(got).toHaveLength(3);
    for (const f of got.slice(0, -1)) {
      expect(f.duration, f.key).toBeGreaterThanOrEqual(2.9);
      expect(f.duration, f.key).toBeLessThanOrEqual(3.2);
    }
    const total = got.reduce((s, f) => s + f.duration, 0);
    expect(total).toBeGreaterThan(SECONDS - 0.3);
    expect(total).toBeLessThan(SECONDS + 0.5);
    expect(got.reduce((s, f) => s + f.video, 0)).toBe(sent.video);
    expect(got.reduce((s, f) => s + f.audio, 0)).toBe(sent.audio);
  });
});
