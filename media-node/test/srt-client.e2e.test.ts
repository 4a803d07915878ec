/**
 * Our SRT caller library (server/srt-client) against real peers on loopback:
 * it publishes MPEG-TS into a running node (read back by ffprobe over
 * HTTP-FLV), plays a node's stream that ffmpeg publishes over RTMP, publishes
 * to libsrt's own listener (srt-live-transmit) byte for byte, encrypts with the
 * node's passphrase, and reports refusals as typed errors naming the code.
 */
import { spawn } from 'node:child_process';
import { createSocket } from 'node:dgram';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createMemoryLogger } from '../src/server/log/index.ts';
import { pullSrtIntoSource, pushSourceToSrt, SrtClient, SrtClientError, type SrtBridge, type SrtClientOptions } from '../src/server/srt-client/index.ts';
import { packets, probe, publishRtmp, record, runPeer, sleep, testSignalArgs, type Peer } from './support/ffmpeg.ts';
import { startNodeUnderTest, type NodeUnderTest } from './support/node-under-test.ts';

/** 2 s at 25 fps, a keyframe every second. */
const FRAMES = 50;
const SIGNAL = { seconds: FRAMES / 25, gop: 25 };
const PASSPHRASE = 'correct-horse-battery';

let dir: string;
/** The test signal as an MPEG-TS file (made once, faster than real time). */
let source: Uint8Array;
const nodes: NodeUnderTest[] = [];
const peers: Peer[] = [];
const clients: SrtClient[] = [];

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'runnel-srt-client-e2e-'));
  const file = join(dir, 'source.ts');
  const make = runPeer('ffmpeg', [...testSignalArgs({ ...SIGNAL, realtime: false }), '-f', 'mpegts', '-y', file]);
  expect(await make.exited, make.stderr()).toBe(0);
  source = new Uint8Array(readFileSync(file));
});
afterEach(async () => {
  for (const c of clients.splice(0)) await c.close();
  for (const p of peers.splice(0)) await p.stop();
  for (const n of nodes.splice(0)) await n.stop();
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

async function node(overrides: Record<string, unknown> = {}): Promise<NodeUnderTest & { srt: (streamId: string, query?: string) => string }> {
  const n = await startNodeUnderTest(overrides);
  nodes.push(n);
  return { ...n, srt: (streamId, query = '') => `srt://127.0.0.1:${n.node.ports.srt}?streamid=${streamId}${query}` };
}

function client(c: SrtClient): SrtClient {
  clients.push(c);
  return c;
}

const publisher = (url: string, o: SrtClientOptions = {}) => client(SrtClient.publish(url, { reconnect: false, ...o }));

/** Writes `bytes` in uneven pieces (not TS-aligned) at about 4x real time, waiting when the peer is behind. */
async function feed(c: SrtClient, bytes: Uint8Array): Promise<void> {
  const piece = 188 * 20 + 77;
  for (let off = 0; off < bytes.length; off += piece) {
    if (!c.write(bytes.subarray(off, off + piece))) await c.drain();
    await sleep(8);
  }
}

/** A UDP port that was free a moment ago. */
async function freeUdpPort(): Promise<number> {
  const s = createSocket('udp4');
  await new Promise<void>((resolve) => s.bind(0, '127.0.0.1', resolve));
  const { port } = s.address();
  await new Promise<void>((resolve) => s.close(() => resolve()));
  return port;
}

async function until(what: string, cond: () => boolean, ms = 10_000): Promise<void> {
  const end = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await sleep(20);
  }
}

async function videoFrames(flv: string): Promise<number> {
  const info = await probe(flv, ['-count_packets']);
  return Number(info.streams.find((s) => s.codec_type === 'video')?.nb_read_packets ?? 0);
}

describe('SrtClient publishing', () => {
  it('publishes a TS file into the node; ffprobe reads every frame back over HTTP-FLV', async () => {
    const n = await node();
    const flv = join(dir, 'client-to-flv.flv');
    const rec = record(n.http('/live/client.flv'), flv);
    peers.push(rec);
    await sleep(800);
    const log = createMemoryLogger('info');
    const pub = publisher(n.srt('#!::r=live/client,m=publish'), { logger: log });
    await pub.connected();
    await feed(pub, source);
    await pub.close();
    expect(pub.state).toBe('closed');
    await rec.stop();
    const video = await packets(flv);
    expect(video.length).toBe(FRAMES);
    expect(video[0]!.flags).toContain('K');
    expect(pub.stats).toMatchObject({ sessions: 1, droppedDisconnected: 0, skippedBytes: 0, bytesSent: source.length });
    expect(pub.stats.messagesSent).toBeGreaterThanOrEqual(Math.ceil(source.length / 1316));
    expect(log.records.map((r) => r.event)).toEqual(['connected', 'closed']);
    expect(log.records[0]!.fields).toMatchObject({ srt_client: `srt://127.0.0.1:${n.node.ports.srt}`, mode: 'publish', encrypted: false });
    expect(n.log.records.filter((r) => r.fields.proto === 'srt').map((r) => r.event)).toEqual(expect.arrayContaining(['publish', 'unpublish']));
  }, 30_000);

  it.each([
    { name: 'in the clear', query: '', pbkeylen: 0 },
    { name: 'with AES-256', query: `&passphrase=${PASSPHRASE}&pbkeylen=32`, pbkeylen: 32 },
  ])('publishes to srt-live-transmit (libsrt listener) $name: the bytes arrive intact', async (c) => {
    const port = await freeUdpPort();
    const listenerUrl = `srt://127.0.0.1:${port}?mode=listener${c.pbkeylen ? `&passphrase=${PASSPHRASE}&pbkeylen=${c.pbkeylen}` : ''}`;
    const slt = spawn('srt-live-transmit', ['-a:no', listenerUrl, 'file://con'], { stdio: ['ignore', 'pipe', 'pipe'] });
    const got: Buffer[] = [];
    slt.stdout.on('data', (d: Buffer) => got.push(d));
    let err = '';
    slt.stderr.on('data', (d: Buffer) => (err += d.toString()));
    const exited = new Promise((resolve) => slt.on('close', resolve));
    try {
      await sleep(300);
      const pub = publisher(`srt://127.0.0.1:${port}?streamid=anything${c.query}`, { reconnect: { initialDelayMs: 200, maxAttempts: 5 } });
      await pub.connected();
      expect(pub.stats.connection).not.toBeNull();
      await feed(pub, source);
      await pub.close();
      await until('srt-live-transmit to write everything', () => Buffer.concat(got).length >= source.length, 5000).catch(() => undefined);
      expect(Buffer.concat(got).equals(Buffer.from(source)), `got ${Buffer.concat(got).length} of ${source.length} bytes; ${err}`).toBe(true);
      expect(err).toMatch(/Accepted SRT source connection/);
    } finally {
      slt.kill('SIGTERM');
      await exited;
    }
  }, 20_000);
});

describe('SrtClient playing', () => {
  it('plays the node stream ffmpeg publishes over RTMP: TS messages in order, every frame, keyframe first', async () => {
    const n = await node();
    const got: Uint8Array[] = [];
    const player = client(SrtClient.play(n.srt('#!::r=live/show,m=request'), { reconnect: false }));
    const reading = (async () => {
      for await (const m of player) got.push(m);
    })();
    await player.connected();
    const pub = publishRtmp(n.rtmp('/live/show'), SIGNAL);
    peers.push(pub);
    expect(await pub.exited, pub.stderr()).toBe(0);
    await sleep(1000);
    await player.close();
    await reading;
    for (const m of got) {
      expect(m.length % 188).toBe(0);
      expect(m.length).toBeLessThanOrEqual(1316);
      for (let i = 0; i < m.length; i += 188) expect(m[i]).toBe(0x47);
    }
    const ts = join(dir, 'played.ts');
    writeFileSync(ts, Buffer.concat(got));
    const video = await packets(ts);
    expect(video.length).toBe(FRAMES);
    expect(video[0]!.flags).toContain('K');
    expect(player.stats).toMatchObject({ sessions: 1, messagesReceived: got.length, droppedSlowReader: 0 });
  }, 30_000);
});

describe('SrtClient encryption and refusals against the node', () => {
  it('gets in with the node passphrase; a wrong or missing one is a typed, final rejection naming the code', async () => {
    const n = await node({ srt: { passphrase: PASSPHRASE, pbkeylen: 16 } });
    const flv = join(dir, 'encrypted.flv');
    const rec = record(n.http('/live/secret.flv'), flv);
    peers.push(rec);
    await sleep(800);
    const pub = publisher(n.srt('#!::r=live/secret,m=publish', `&passphrase=${PASSPHRASE}`));
    await pub.connected();
    await feed(pub, source);
    await pub.close();
    await rec.stop();
    expect(await videoFrames(flv)).toBe(FRAMES);
    expect(pub.stats.connection?.receiver).toBeDefined();

    for (const [query, name, code] of [
      ['&passphrase=another-passphrase', 'SRT_REJ_BADSECRET', 10],
      ['', 'SRT_REJ_UNSECURE', 11],
    ] as const) {
      const errors: SrtClientError[] = [];
      // Reconnect is on, but a wrong secret cannot fix itself: one attempt, then closed.
      const refused = client(SrtClient.publish(n.srt('#!::r=live/secret2,m=publish', query), { onError: (e) => errors.push(e) }));
      const e = await refused.connected().then(() => null, (x: unknown) => x);
      expect(e).toBeInstanceOf(SrtClientError);
      expect(e).toMatchObject({ code: 'rejected', willRetry: false, reject: { code, name, permanent: true } });
      expect((e as Error).message).toMatch(/passphrase/);
      expect(errors).toEqual([e]);
      expect(refused.state).toBe('closed');
      expect(refused.stats.attempts).toBe(1);
      expect(refused.write(source.subarray(0, 188))).toBe(false);
    }
  }, 30_000);

  it('a second publisher of a live stream is refused with SRT_REJX_CONFLICT (1409), retries, and gets in once the first leaves', async () => {
    const n = await node();
    const first = publisher(n.srt('#!::r=live/busy,m=publish'));
    await first.connected();
    first.write(source.subarray(0, 188 * 70));
    const errors: SrtClientError[] = [];
    const states: string[] = [];
    const second = client(
      SrtClient.publish(n.srt('#!::r=live/busy,m=publish'), {
        reconnect: { initialDelayMs: 300, maxDelayMs: 300, jitter: 0 },
        onError: (e) => errors.push(e),
        onState: (s) => states.push(s),
      }),
    );
    await until('a refusal', () => errors.length > 0);
    expect(errors[0]).toMatchObject({ code: 'rejected', willRetry: true, reject: { code: 1409, name: 'SRT_REJX_CONFLICT', permanent: false } });
    expect(errors[0]!.message).toMatch(/already being published/);
    await first.close();
    await second.connected();
    expect(states.slice(0, 3)).toEqual(['connecting', 'disconnected', 'connecting']);
    expect(second.stats.sessions).toBe(1);
    expect(second.stats.attempts).toBeGreaterThanOrEqual(2);
  }, 20_000);

  it('nothing answering is connect_timeout after the handshake deadline; without reconnect the client closes', async () => {
    // A bound socket that never answers: the handshake goes nowhere.
    const silent = createSocket('udp4');
    await new Promise<void>((resolve) => silent.bind(0, '127.0.0.1', resolve));
    try {
      const c = publisher(`srt://127.0.0.1:${silent.address().port}?streamid=x&connect_timeout=400`);
      const t0 = Date.now();
      const e = await c.connected().then(() => null, (x: unknown) => x);
      expect(e).toMatchObject({ code: 'connect_timeout', willRetry: false, reject: null });
      expect(Date.now() - t0).toBeGreaterThanOrEqual(350);
      expect(c.error).toBe(e);
    } finally {
      silent.close();
    }
  }, 10_000);
});

describe('hub bridges', () => {
  it('pushes an RTMP publish of node A to node B over SRT, pulls it back into node A over SRT: every frame, keyframe first', async () => {
    const a = await node();
    const b = await node();
    const key = (stream: string) => ({ vhost: '__defaultVhost__', app: 'live', stream });
    const flv = join(dir, 'bridged.flv');
    const rec = record(a.http('/live/back.flv'), flv);
    peers.push(rec);
    const bridges: SrtBridge[] = [];
    try {
      // Pull first: it connects and waits for B's stream as any SRT player does.
      bridges.push(pullSrtIntoSource(b.srt('#!::r=live/relay,m=request'), a.node.streams.getOrCreate(key('back')), { reconnect: false }));
      await bridges[0]!.client.connected();
      const pub = publishRtmp(a.rtmp('/live/src'), SIGNAL);
      peers.push(pub);
      await until('the RTMP publish on A', () => a.node.streams.get(key('src'))?.publishing ?? false);
      bridges.push(pushSourceToSrt(a.node.streams.get(key('src'))!, b.srt('#!::r=live/relay,m=publish'), { reconnect: false }));
      await bridges[1]!.client.connected();
      expect(await pub.exited, pub.stderr()).toBe(0);
      await sleep(1000);
      expect(b.node.streams.get(key('relay'))?.publishing).toBe(true);
      expect(a.node.streams.get(key('back'))?.publishing).toBe(true);
      await bridges[1]!.close();
      // B hands on the frame its remuxer held when the push ends; give it a latency to arrive.
      await sleep(500);
      await bridges[0]!.close();
      expect(a.node.streams.get(key('back'))?.publishing).toBe(false);
      expect(bridges[0]!.refused).toBeNull();
    } finally {
      for (const br of bridges) await br.close();
    }
    await rec.stop();
    const video = await packets(flv);
    expect(video.length).toBe(FRAMES);
    expect(video[0]!.flags).toContain('K');
  }, 30_000);
});
