import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { FlvDemuxer } from '../src/format/flv/flv-demuxer.ts';
import { decodeVideoData } from '../src/format/flv/video-data.ts';
import { packets, probe, publishRtmp, record, sleep } from './support/ffmpeg.ts';
import { startNodeUnderTest } from './support/node-under-test.ts';
import type { NodeUnderTest } from './support/node-under-test.ts';

/** What ffmpeg publishes: 4 s at 25 fps, a keyframe every 25 frames, AAC audio. */
const FRAMES = 100;

let n: NodeUnderTest;
let dir: string;

beforeAll(async () => {
  n = await startNodeUnderTest();
  dir = mkdtempSync(join(tmpdir(), 'runnel-rtmp-e2e-'));
});

afterAll(async () => {
  await n.stop();
  rmSync(dir, { recursive: true, force: true });
});

interface WsReader {
  readonly videoFrames: () => number;
  readonly firstVideoIsKey: () => boolean | null;
  close(): void;
}

function readWsFlv(url: string): WsReader {
  const ws = new WebSocket(url);
  const demux = new FlvDemuxer();
  let frames = 0;
  let firstKey: boolean | null = null;
  ws.on('message', (data: Buffer) => {
    for (const tag of demux.push(new Uint8Array(data))) {
      if (tag.type !== 9) continue;
      const v = decodeVideoData(tag.body);
      if (v.packetType !== 'frame') continue;
      if (firstKey === null) firstKey = v.keyframe;
      frames++;
    }
  });
  return { videoFrames: () => frames, firstVideoIsKey: () => firstKey, close: () => ws.close() };
}

describe('ffmpeg publishes over RTMP; RTMP, HTTP-FLV, HTTP-TS and WS-FLV players get every frame', () => {
  it('delivers the same frame count, codecs and size to every player', async () => {
    const rtmpFile = join(dir, 'rtmp.flv');
    const flvFile = join(dir, 'http.flv');
    const tsFile = join(dir, 'http.ts');
    // Players first: they wait for the publisher, as SRS players do.
    const players = [
      record(n.rtmp('/live/all'), rtmpFile),
      record(n.http('/live/all.flv'), flvFile),
      record(n.http('/live/all.ts'), tsFile, 'mpegts'),
    ];
    const ws = readWsFlv(n.http('/live/all.flv').replace('http:', 'ws:'));
    await sleep(1000);
    const pub = publishRtmp(n.rtmp('/live/all'), { seconds: FRAMES / 25, gop: 25 });
    expect(await pub.exited, pub.stderr()).toBe(0);
    await Promise.all(players.map((p) => p.stop()));
    ws.close();

    for (const file of [rtmpFile, flvFile, tsFile]) {
      const info = await probe(file, ['-count_packets']);
      const v = info.streams.find((s) => s.codec_type === 'video')!;
      const a = info.streams.find((s) => s.codec_type === 'audio')!;
      expect(v, file).toMatchObject({ codec_name: 'h264', width: 320, height: 240 });
      expect(Number(v.nb_read_packets), file).toBe(FRAMES);
      expect(a, file).toMatchObject({ codec_name: 'aac', sample_rate: '44100' });
      const pk = await packets(file);
      expect(pk[0].flags, file).toContain('K');
    }
    expect(ws.videoFrames()).toBe(FRAMES);
    expect(ws.firstVideoIsKey()).toBe(true);
  });

  it('players joining mid-stream start on a keyframe at once (GOP cache)', async () => {
    const pub = publishRtmp(n.rtmp('/live/mid'), { seconds: 5, gop: 25 });
    await sleep(2600);
    const files = [join(dir, 'mid-rtmp.flv'), join(dir, 'mid-http.flv')];
    const players = [record(n.rtmp('/live/mid'), files[0]), record(n.http('/live/mid.flv'), files[1])];
    await Promise.all(players.map((p) => p.stop()));
    expect(await pub.exited, pub.stderr()).toBe(0);
    for (const file of files) {
      const pk = await packets(file);
      expect(pk.length, file).toBeGreaterThan(25);
      expect(pk[0].flags, file).toContain('K');
      // The first keyframe is at most one GOP (25 frames) before the next one: the player started within one GOP.
      const nextKey = pk.findIndex((p, i) => i > 0 && p.flags.includes('K'));
      expect(nextKey, file).toBeGreaterThan(0);
      expect(nextKey, file).toBeLessThanOrEqual(25);
    }
  });

  it('refuses a second publisher of a live stream and the first keeps flowing', async () => {
    const first = publishRtmp(n.rtmp('/live/busy'), { seconds: 6, gop: 25 });
    await sleep(2000);
    const second = publishRtmp(n.rtmp('/live/busy'), { seconds: 2, gop: 25 });
    const code = await second.exited;
    expect(code).not.toBe(0);
    expect(n.log.records.some((r) => r.event === 'reject' && r.fields.reason === 'stream_busy')).toBe(true);
    const file = join(dir, 'busy.flv');
    const player = record(n.http('/live/busy.flv'), file);
    await sleep(2000);
    expect(first.child.exitCode).toBeNull();
    await player.stop();
    expect((await packets(file)).length).toBeGreaterThan(20);
    expect(await first.exited, first.stderr()).toBe(0);
  });

  it('reports the stream and its codecs in the SRS API, and kicks the publisher on DELETE', async () => {
    const pub = publishRtmp(n.rtmp('/live/api'), { seconds: 10, gop: 25 });
    await sleep(2500);
    const res = (await (await fetch(n.api('/api/v1/streams'))).json()) as {
      streams: Array<{ name: string; app: string; publish: { active: boolean; cid?: string }; video: unknown; audio: unknown; frames: number }>;
    };
    const s = res.streams.find((x) => x.name === 'api')!;
    expect(s).toMatchObject({ app: 'live', publish: { active: true } });
    expect(s.video).toMatchObject({ codec: 'H264', width: 320, height: 240 });
    expect(s.audio).toMatchObject({ codec: 'AAC', sample_rate: 44100, channel: 2 });
    expect(s.frames).toBeGreaterThan(20);
    const kick = (await (await fetch(n.api(`/api/v1/clients/${s.publish.cid}`), { method: 'DELETE' })).json()) as { code: number };
    expect(kick.code).toBe(0);
    const code = await Promise.race([pub.exited, sleep(5000).then(() => 'still running')]);
    expect(code).not.toBe('still running');
    await pub.stop();
  });
});
