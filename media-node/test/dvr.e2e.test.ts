import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startHookTestServer } from '../src/server/hooks/hook-test-server.ts';
import type { HookTestServer } from '../src/server/hooks/hook-test-server.ts';
import { probe, runPeer, sleep, testSignalArgs } from './support/ffmpeg.ts';
import { startNodeUnderTest } from './support/node-under-test.ts';
import type { NodeUnderTest } from './support/node-under-test.ts';

const SECONDS = 8;
const plans = {
  flv: { plan: 'segment', duration_ms: 3000, file: '[app]/[stream].[timestamp].flv' },
  mp4: { plan: 'segment', duration_ms: 3000, file: '[app]/[stream].[timestamp].mp4' },
  session: { plan: 'session', file: '[app]/[stream].[timestamp].mp4' },
} as const;
type Name = keyof typeof plans;
const NAMES = Object.keys(plans) as Name[];

let hooks: HookTestServer;
let dir: string;
const nodes = {} as Record<Name, NodeUnderTest>;
/** ffprobe's frame counts of what ffmpeg sent (its own copy of the encoded stream). */
let sent: { video: number; audio: number };

interface Probed {
  readonly file: string;
  readonly duration: number;
  readonly video: number;
  readonly audio: number;
}

function dvrHooks(name: Name): Record<string, unknown>[] {
  return hooks.received.filter((h) => h.path === `/${name}`).map((h) => h.body ?? {});
}

async function probeFile(file: string): Promise<Probed> {
  const p = await probe(file, ['-count_frames', '-show_format']);
  const frames = (type: string) => Number(p.streams.find((s) => s.codec_type === type)?.nb_read_frames ?? 0);
  const duration = Number((p as unknown as { format: { duration: string } }).format.duration);
  return { file, duration, video: frames('video'), audio: frames('audio') };
}

async function recordings(name: Name): Promise<Probed[]> {
  const out: Probed[] = [];
  for (const b of dvrHooks(name)) out.push(await probeFile(String(b.file)));
  return out;
}

beforeAll(async () => {
  hooks = await startHookTestServer();
  dir = mkdtempSync(join(tmpdir(), 'runnel-dvr-e2e-'));
  for (const name of NAMES) {
    nodes[name] = await startNodeUnderTest({
      hls: { enabled: false },
      dvr: { enabled: true, path: join(dir, name), ...plans[name] },
      hooks: { on_dvr: [hooks.url(`/${name}`)] },
    });
  }
  // One encoder feeds the three nodes and a local copy (tee), so every node gets the same frames.
  const copy = join(dir, 'sent.flv');
  const outputs = [...NAMES.map((name) => `[f=flv]${nodes[name].rtmp(`/live/${name}`)}`), `[f=flv]${copy}`].join('|');
  const pub = runPeer('ffmpeg', [
    ...testSignalArgs({ seconds: SECONDS, gop: 25 }),
    '-map', '0:v', '-map', '1:a', '-flags', '+global_header', '-f', 'tee', outputs,
  ]);
  expect(await pub.exited, pub.stderr()).toBe(0);
  const s = await probeFile(copy);
  sent = { video: s.video, audio: s.audio };
  // Files are stored and announced after the publisher leaves: wait until every node's on_dvr went quiet.
  let seen = -1;
  for (let i = 0; i < 100 && (seen !== hooks.received.length || NAMES.some((n) => dvrHooks(n).length === 0)); i++) {
    seen = hooks.received.length;
    await sleep(300);
  }
});

afterAll(async () => {
  for (const name of NAMES) await nodes[name]?.stop();
  await hooks?.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('DVR: ffmpeg publishes 8 s over RTMP, the node records files ffprobe reads', () => {
  it('sent a plausible stream (the oracle for the frame counts below)', () => {
    expect(sent.video).toBe(SECONDS * 25);
    expect(sent.audio).toBeGreaterThan(SECONDS * 43 - 5);
  });

  it.each(['flv', 'mp4'] as const)('segment plan (%s): files of ~3 s cut at keyframes, the last shorter, every frame once', async (name) => {
    const files = await recordings(name);
    expect(files.length).toBe(3);
    for (const f of files) expect(f.file.endsWith(`.${name}`)).toBe(true);
    // GOP 1 s: the cut is on the keyframe at 3 s of each file
    for (const f of files.slice(0, -1)) {
      expect(f.duration, f.file).toBeGreaterThanOrEqual(2.9);
      expect(f.duration, f.file).toBeLessThanOrEqual(3.2);
    }
    expect(files.at(-1)!.duration).toBeLessThan(2.5);
    const total = files.reduce((s, f) => s + f.duration, 0);
    expect(total).toBeGreaterThan(SECONDS - 0.3);
    expect(total).toBeLessThan(SECONDS + 0.5);
    expect(files.reduce((s, f) => s + f.video, 0)).toBe(sent.video);
    expect(files.reduce((s, f) => s + f.audio, 0)).toBe(sent.audio);
  });

  it('session plan (mp4): one file that plays in full and decodes without an error', async () => {
    const [f, ...more] = await recordings('session');
    expect(more).toEqual([]);
    expect(f!.duration).toBeGreaterThan(SECONDS - 0.3);
    expect(f!.duration).toBeLessThan(SECONDS + 0.3);
    expect([f!.video, f!.audio]).toEqual([sent.video, sent.audio]);
    const run = spawnSync('ffmpeg', ['-v', 'error', '-i', f!.file, '-f', 'null', '-'], { encoding: 'utf8', timeout: 30_000 });
    expect(run.stderr).toBe('');
    expect(run.status).toBe(0);
  });

  it('posts SRS on_dvr for every stored file, with the publisher and the file path', () => {
    const [b] = dvrHooks('session');
    expect(b).toMatchObject({
      server_id: 'vid-e2etest', action: 'on_dvr', ip: '127.0.0.1', vhost: '__defaultVhost__', app: 'live', stream: 'session',
      param: '', cwd: process.cwd(), stream_url: '/live/session',
    });
    expect(String(b!.client_id)).toMatch(/^[0-9a-z]{8}$/);
    expect(String(b!.tcUrl)).toContain('/live');
    expect(String(b!.file)).toMatch(new RegExp(`^${join(dir, 'session', 'live', 'session')}\\.\\d+\\.mp4$`));
    for (const name of NAMES) for (const h of dvrHooks(name)) expect(existsSync(String(h.file))).toBe(true);
  });
});
