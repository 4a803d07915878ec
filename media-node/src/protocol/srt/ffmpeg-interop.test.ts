/**
 * Real-peer tests with ffmpeg's libsrt: an MPEG-TS publish into our listener
 * with an SRS stream id (what OBS and encoders do), and ffmpeg playing
 * MPEG-TS we send. ffprobe checks that what crossed SRT is a whole, decodable
 * transport stream.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { packets, probe, runPeer, testSignalArgs, type Peer } from '../../../test/support/ffmpeg.ts';
import { startListenerHarness, type ListenerHarness } from './testdata/dgram-harness.ts';

const tmp = mkdtempSync(join(tmpdir(), 'runnel-srt-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

const peers: Peer[] = [];
let harness: ListenerHarness | null = null;
afterEach(async () => {
  for (const p of peers.splice(0)) await p.stop();
  await harness?.close();
  harness = null;
});

async function until(cond: () => boolean, ms: number): Promise<void> {
  const end = Date.now() + ms;
  while (!cond() && Date.now() < end) await sleep(20);
}

describe('ffmpeg (libsrt) and our SRT stack', () => {
  it('ffmpeg publishes 2 s of H.264/AAC MPEG-TS; what arrives is the whole stream, in 1316-byte TS payloads', async () => {
    harness = await startListenerHarness();
    const url = `srt://127.0.0.1:${harness.port}?streamid=#!::r=live/ff,m=publish`;
    const ff = runPeer('ffmpeg', [...testSignalArgs({ seconds: 2, fps: 25, gop: 25 }), '-f', 'mpegts', url]);
    peers.push(ff);
    expect(await ff.exited).toBe(0);
    const h = harness;
    await until(() => h.connections[0]?.closed !== null, 3000);
    const c = h.connections[0]!;
    expect(c.request).toMatchObject({ app: 'live', stream: 'ff', mode: 'publish' });
    expect(c.closed).toBe('peer_shutdown');
    expect(c.received.length).toBeGreaterThan(20);
    for (const p of c.received) {
      expect(p.length % 188).toBe(0);
      expect(p[0]).toBe(0x47);
    }
    const file = join(tmp, 'published.ts');
    writeFileSync(file, Buffer.concat(c.received));
    const video = await packets(file, 'v');
    const audio = await packets(file, 'a');
    // ffmpeg closes its SRT socket without waiting for the last packets to leave:
    // libsrt's own srt-live-transmit listener gets 47-48 of the 50 frames too.
    expect(video.length).toBeGreaterThanOrEqual(46);
    expect(video.length).toBeLessThanOrEqual(50);
    expect(video.filter((p) => p.flags.startsWith('K')).length).toBe(2);
    expect(audio.length).toBeGreaterThan(70);
    expect(c.connection.stats.receiver.dropped).toBe(0);
  }, 20_000);

  it('ffmpeg publishes with a passphrase (AES-128); we decrypt a decodable stream', async () => {
    harness = await startListenerHarness({ passphrase: 'ffmpeg-interop-passphrase' });
    const url = `srt://127.0.0.1:${harness.port}?passphrase=ffmpeg-interop-passphrase&pbkeylen=16&streamid=#!::r=live/enc,m=publish`;
    const ff = runPeer('ffmpeg', [...testSignalArgs({ seconds: 1, fps: 25, gop: 25 }), '-f', 'mpegts', url]);
    peers.push(ff);
    expect(await ff.exited).toBe(0);
    const h = harness;
    await until(() => h.connections[0]?.closed !== null, 3000);
    const c = h.connections[0]!;
    expect(c.connection.encrypted).toBe(true);
    expect(c.connection.stats.receiver.undecryptable).toBe(0);
    const file = join(tmp, 'encrypted.ts');
    writeFileSync(file, Buffer.concat(c.received));
    const r = await probe(file);
    expect(r.streams.map((s) => s.codec_name).sort()).toEqual(['aac', 'h264']);
    expect((await packets(file, 'v')).length).toBeGreaterThanOrEqual(20);
  }, 20_000);

  it('ffmpeg plays (m=request) a stream we send; ffprobe reads every video frame', async () => {
    const source = join(tmp, 'source.ts');
    const made = spawnSync('ffmpeg', [...testSignalArgs({ seconds: 2, fps: 25, gop: 25, realtime: false }), '-y', '-f', 'mpegts', source]);
    expect(made.status).toBe(0);
    const ts = new Uint8Array(readFileSync(source));
    harness = await startListenerHarness();
    const out = join(tmp, 'played.ts');
    const player = runPeer('ffmpeg', ['-hide_banner', '-loglevel', 'warning', '-nostdin', '-y', '-probesize', '32768', '-analyzeduration', '500000', '-i', `srt://127.0.0.1:${harness.port}?streamid=#!::r=live/ff,m=request`, '-c', 'copy', '-f', 'mpegts', out]);
    peers.push(player);
    const h = harness;
    await until(() => h.connections.length > 0, 3000);
    expect(h.connections[0]!.request.mode).toBe('request');
    // ~2 s of media in 1316-byte messages, sent in real time.
    const chunkCount = Math.ceil(ts.length / 1316);
    const perTick = Math.ceil(chunkCount / 200);
    for (let i = 0; i < chunkCount; i += perTick) {
      for (let j = i; j < Math.min(i + perTick, chunkCount); j++) h.broadcast(ts.subarray(j * 1316, (j + 1) * 1316));
      await sleep(10);
    }
    await sleep(1000);
    await h.close();
    harness = null;
    // Our shutdown ends ffmpeg's input; it finishes the file and exits by itself.
    expect(await Promise.race([player.exited, sleep(5000).then(() => 'still running')])).toBe(0);
    const r = await probe(out);
    expect(r.streams.map((s) => s.codec_name).sort()).toEqual(['aac', 'h264']);
    expect((await packets(out, 'v')).length).toBe(50);
  }, 20_000);
});
