/**
 * SRT into and out of a running node, with libsrt peers (ffmpeg and
 * srt-live-transmit from Debian): an SRT publish reaches HTTP-FLV and RTMP
 * players, an RTMP publish plays over SRT, the passphrase and the hooks
 * decide who gets in, and a second publisher of a live stream is refused.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { startUdpRelay } from '../src/protocol/srt/testdata/udp-relay.ts';
import { startHookTestServer, type HookTestServer } from '../src/server/hooks/hook-test-server.ts';
import { packets, probe, publishRtmp, record, runPeer, sleep, testSignalArgs, type Peer, type TestSignal } from './support/ffmpeg.ts';
import { startNodeUnderTest, type NodeUnderTest } from './support/node-under-test.ts';

/** 4 s at 25 fps, a keyframe every second. */
const FRAMES = 100;
const SIGNAL: TestSignal = { seconds: FRAMES / 25, gop: 25 };
// FFmpeg's srt URL options are not percent-decoded: no spaces.
const PASSPHRASE = 'correct-horse-battery';

let dir: string;
const nodes: NodeUnderTest[] = [];
const peers: Peer[] = [];
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'runnel-srt-e2e-'));
});
afterEach(async () => {
  for (const p of peers.splice(0)) await p.stop();
  for (const n of nodes.splice(0)) await n.stop();
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

async function node(overrides: Record<string, unknown> = {}): Promise<NodeUnderTest & { srt: (streamId: string, query?: string) => string }> {
  const n = await startNodeUnderTest(overrides);
  nodes.push(n);
  return { ...n, srt: (streamId, query = '') => `srt://127.0.0.1:${n.node.ports.srt}?streamid=${streamId}${query}` };
}

function peer(p: Peer): Peer {
  peers.push(p);
  return p;
}

/** ffmpeg publishing the test signal as MPEG-TS over SRT. */
const publishSrt = (url: string, s: TestSignal = SIGNAL) => peer(runPeer('ffmpeg', [...testSignalArgs(s), '-f', 'mpegts', url]));

async function until(what: string, cond: () => boolean | Promise<boolean>, ms = 10_000): Promise<void> {
  const end = Date.now() + ms;
  while (!(await cond())) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await sleep(50);
  }
}

async function clients(n: NodeUnderTest): Promise<Array<{ type: string; publish: boolean; url: string }>> {
  const r = await fetch(n.api('/api/v1/clients'));
  return ((await r.json()) as { clients: Array<{ type: string; publish: boolean; url: string }> }).clients;
}

describe('SRT publish (ffmpeg, libsrt) into the hub', () => {
  it('reaches HTTP-FLV and RTMP players with every frame but the last few ffmpeg drops at exit, H.264 + AAC, keyframe first', async () => {
    const n = await node();
    const flv = join(dir, 'srt-to-flv.flv');
    const rtmp = join(dir, 'srt-to-rtmp.flv');
    peer(record(n.http('/live/cam.flv'), flv));
    peer(record(n.rtmp('/live/cam'), rtmp));
    await sleep(800);
    const pub = publishSrt(n.srt('#!::r=live/cam,m=publish'));
    await until('the SRT publisher in the API', async () => (await clients(n)).some((c) => c.type === 'srt-publish' && c.publish && c.url === '/live/cam'));
    expect(await pub.exited, pub.stderr()).toBe(0);
    for (const p of peers.slice(0, 2)) await p.stop();
    for (const file of [flv, rtmp]) {
      const info = await probe(file, ['-count_packets']);
      expect(info.streams.find((s) => s.codec_type === 'video'), file).toMatchObject({ codec_name: 'h264', width: 320, height: 240 });
      expect(info.streams.find((s) => s.codec_type === 'audio'), file).toMatchObject({ codec_name: 'aac', sample_rate: '44100', channels: 2 });
      const video = await packets(file);
      // ffmpeg closes its SRT socket without flushing: libsrt's own listener also misses 2-3 of the last frames.
      expect(video.length, file).toBeGreaterThanOrEqual(FRAMES - 5);
      expect(video.length, file).toBeLessThanOrEqual(FRAMES);
      expect(video[0]!.flags, file).toContain('K');
      const times = video.map((p) => Number(p.dts_time));
      for (let i = 1; i < times.length; i++) expect(times[i]! - times[i - 1]!, `${file} frame ${i}`).toBeCloseTo(0.04, 2);
    }
    const events = n.log.records.filter((r) => r.fields.proto === 'srt').map((r) => r.event);
    expect(events).toEqual(expect.arrayContaining(['connect', 'publish', 'unpublish', 'close']));
  }, 40_000);

  it('through a lossy link (every 30th data packet dropped, every 45th late): retransmission fills every gap within the latency', async () => {
    const n = await node();
    let data = 0;
    const relay = await startUdpRelay({
      targetPort: n.node.ports.srt!,
      log: false,
      // Data packets have the top bit clear (draft-sharabayko-srt 3.1); control packets pass untouched.
      filter: (d) => {
        if (d.from !== 'caller' || (d.bytes[0]! & 0x80) !== 0) return 'pass';
        data++;
        return data % 30 === 0 ? 'drop' : data % 45 === 0 ? 40 : 'pass';
      },
    });
    try {
      const flv = join(dir, 'lossy.flv');
      peer(record(n.http('/live/lossy.flv'), flv));
      await sleep(800);
      const pub = publishSrt(`srt://127.0.0.1:${relay.port}?streamid=#!::r=live/lossy,m=publish`);
      expect(await pub.exited, pub.stderr()).toBe(0);
      await peers[0]!.stop();
      expect(data).toBeGreaterThan(100);
      const video = await packets(flv);
      expect(video.length).toBeGreaterThanOrEqual(FRAMES - 5);
      const times = video.map((p) => Number(p.dts_time));
      for (let i = 1; i < times.length; i++) expect(times[i]! - times[i - 1]!, `frame ${i}`).toBeCloseTo(0.04, 2);
      const stats = n.log.records.find((r) => r.event === 'srt_publish_stats')?.fields;
      expect(stats).toMatchObject({ stream: 'live/lossy', dropped_packets: 0, dropped_pes: 0, continuity_errors: 0 });
      expect(Number(stats?.lost_packets)).toBeGreaterThan(0);
      expect(Number(stats?.retransmitted)).toBeGreaterThan(0);
    } finally {
      await relay.close();
    }
  }, 40_000);

  it('HEVC + Opus over SRT reach HTTP-TS players as HEVC + Opus, every frame but the last few', async () => {
    const n = await node();
    const ts = join(dir, 'hevc-opus.ts');
    peer(record(n.http('/live/hevc.ts'), ts, 'mpegts'));
    await sleep(800);
    const args = testSignalArgs(SIGNAL).map((a) => (a === 'libx264' ? 'libx265' : a === 'aac' ? 'libopus' : a));
    // x265's zerolatency tune (no lookahead burst at exit, which ffmpeg would not wait to send); quiet log.
    args.splice(args.indexOf('-tune') + 2, 0, '-x265-params', 'log-level=error');
    const pub = peer(runPeer('ffmpeg', [...args, '-ar', '48000', '-f', 'mpegts', n.srt('#!::r=live/hevc,m=publish')]));
    expect(await pub.exited, pub.stderr()).toBe(0);
    await peers[0]!.stop();
    const info = await probe(ts, ['-count_packets']);
    expect(info.streams.find((s) => s.codec_type === 'video')).toMatchObject({ codec_name: 'hevc', width: 320, height: 240 });
    expect(info.streams.find((s) => s.codec_type === 'audio')).toMatchObject({ codec_name: 'opus' });
    const video = await packets(ts);
    expect(video.length).toBeGreaterThanOrEqual(FRAMES - 5);
    expect(video[0]!.flags).toContain('K');
  }, 40_000);

  it('an encrypted publish with the node passphrase gets in; without it or with another, libsrt reports the refusal and nothing is published', async () => {
    const n = await node({ srt: { passphrase: PASSPHRASE, pbkeylen: 32 } });
    const flv = join(dir, 'encrypted.flv');
    peer(record(n.http('/live/secret.flv'), flv));
    await sleep(800);
    const ok = publishSrt(n.srt('#!::r=live/secret,m=publish', `&passphrase=${PASSPHRASE}&pbkeylen=32`), { seconds: 2, gop: 25 });
    expect(await ok.exited, ok.stderr()).toBe(0);
    await peers[0]!.stop();
    expect(Number((await probe(flv, ['-count_packets'])).streams.find((s) => s.codec_type === 'video')?.nb_read_packets)).toBeGreaterThanOrEqual(45);

    for (const query of ['', '&passphrase=another-passphrase']) {
      const refused = publishSrt(n.srt('#!::r=live/secret2,m=publish', query), { seconds: 2, gop: 25 });
      expect(await refused.exited).not.toBe(0);
      expect(refused.stderr()).toMatch(/REJECT|passphrase/i);
    }
    expect(n.node.streams.get({ vhost: '__defaultVhost__', app: 'live', stream: 'secret2' })?.publishing ?? false).toBe(false);
  }, 40_000);

  it('a second publisher of a live stream is refused (SRT_REJX_CONFLICT, 1409); the first keeps going', async () => {
    const n = await node();
    const first = publishSrt(n.srt('#!::r=live/busy,m=publish'), { seconds: 4, gop: 25 });
    await until('the first publisher', async () => (await clients(n)).some((c) => c.type === 'srt-publish'));
    const second = publishSrt(n.srt('#!::r=live/busy,m=publish'), { seconds: 1, gop: 25 });
    expect(await second.exited).not.toBe(0);
    // libsrt names codes from 1000 up "application-defined"; the node's log says which.
    expect(second.stderr()).toMatch(/Application-defined rejection reason/);
    expect(n.log.records.find((r) => r.event === 'reject')?.fields).toMatchObject({ proto: 'srt', reason: 'stream_busy', stream: 'live/busy' });
    expect(await first.exited, first.stderr()).toBe(0);
  }, 30_000);
});

describe('SRT play (m=request) of an RTMP publish', () => {
  it('ffmpeg reads the stream as MPEG-TS over SRT: every frame, H.264 + AAC, starting on a keyframe', async () => {
    const n = await node();
    const ts = join(dir, 'rtmp-to-srt.ts');
    const player = peer(record(n.srt('#!::r=live/show,m=request'), ts, 'mpegts'));
    await sleep(1000);
    const pub = peer(publishRtmp(n.rtmp('/live/show'), SIGNAL));
    await until('the SRT player in the API', async () => (await clients(n)).some((c) => c.type === 'srt-play'));
    expect(await pub.exited, pub.stderr()).toBe(0);
    await player.stop();
    const info = await probe(ts, ['-count_packets']);
    expect(info.streams.find((s) => s.codec_type === 'video')).toMatchObject({ codec_name: 'h264', width: 320, height: 240 });
    expect(info.streams.find((s) => s.codec_type === 'audio')).toMatchObject({ codec_name: 'aac' });
    const video = await packets(ts);
    expect(video.length).toBe(FRAMES);
    expect(video[0]!.flags).toContain('K');
  }, 40_000);

  it('srt-live-transmit publishes MPEG-TS from a pipe and another srt-live-transmit plays it back', async () => {
    const n = await node();
    const source = join(dir, 'slt-source.ts');
    const make = runPeer('ffmpeg', [...testSignalArgs({ seconds: 3, gop: 25, realtime: false }), '-f', 'mpegts', '-y', source]);
    expect(await make.exited, make.stderr()).toBe(0);
    const play = spawn('srt-live-transmit', ['-a:no', n.srt('#!::r=live/slt,m=request'), 'file://con'], { stdio: ['ignore', 'pipe', 'pipe'] });
    const got: Buffer[] = [];
    play.stdout.on('data', (d: Buffer) => got.push(d));
    await sleep(500);
    const pub = spawn('srt-live-transmit', ['-a:no', 'file://con', n.srt('#!::r=live/slt,m=publish')], { stdio: ['pipe', 'ignore', 'pipe'] });
    pub.stdin.on('error', () => {});
    // Real time-ish: 3 s of TS in 1316-byte messages over ~3 s.
    const bytes = readFileSync(source);
    for (let i = 0; i < bytes.length; i += 1316 * 8) {
      pub.stdin.write(bytes.subarray(i, i + 1316 * 8));
      await sleep(25);
    }
    await until('srt-live-transmit to play back most of it', () => Buffer.concat(got).length > bytes.length / 2, 10_000);
    await sleep(1500);
    pub.kill('SIGTERM');
    play.kill('SIGTERM');
    const out = join(dir, 'slt-played.ts');
    writeFileSync(out, Buffer.concat(got));
    const video = await packets(out);
    expect(video.length).toBeGreaterThan(40);
    expect(video[0]!.flags).toContain('K');
  }, 40_000);
});

describe('SRS hooks for SRT callers', () => {
  let hooks: HookTestServer;
  beforeAll(async () => {
    hooks = await startHookTestServer((h) => ({ body: String(h.body?.param ?? '').includes('token=good') || !h.path.startsWith('/publish') ? '0' : '1' }));
  });
  afterAll(() => hooks.close());

  it('on_publish gets the stream id keys as param and decides; on_unpublish follows a publish it allowed', async () => {
    const n = await node({ hooks: { on_publish: [hooks.url('/publish')], on_unpublish: [hooks.url('/unpublish')] } });
    const denied = publishSrt(n.srt('#!::r=live/hooked,m=publish,token=bad'), { seconds: 2, gop: 25 });
    expect(await denied.exited).not.toBe(0);
    const allowed = publishSrt(n.srt('#!::r=live/hooked,m=publish,token=good'), { seconds: 2, gop: 25 });
    expect(await allowed.exited, allowed.stderr()).toBe(0);
    await until('on_unpublish', () => hooks.received.some((h) => h.path === '/unpublish'));
    const publishes = hooks.received.filter((h) => h.path === '/publish').map((h) => h.body);
    expect(publishes).toEqual([
      expect.objectContaining({ action: 'on_publish', app: 'live', stream: 'hooked', param: '?token=bad', tcUrl: expect.stringMatching(/^srt:\/\/127\.0\.0\.1:\d+\/live$/) }),
      expect.objectContaining({ action: 'on_publish', app: 'live', stream: 'hooked', param: '?token=good' }),
    ]);
    expect(hooks.received.find((h) => h.path === '/unpublish')?.body).toMatchObject({ action: 'on_unpublish', stream: 'hooked', param: '?token=good' });
  }, 30_000);
});
