import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { RtmpClient } from '../src/server/rtmp-client/index.ts';
import type { RtmpClientMedia, RtmpClientOptions, RtmpClientState } from '../src/server/rtmp-client/index.ts';
import { createMemoryLogger } from '../src/server/log/index.ts';
import { packets, probe, record, runPeer } from './support/ffmpeg.ts';
import type { Peer } from './support/ffmpeg.ts';
import { countFrames, feedLoop, isAudioFrame, isVideoFrame, makeTestFlv, readFlvFrames, waitFor } from './support/flv-frames.ts';
import type { Frame } from './support/flv-frames.ts';
import { freePort } from './support/free-port.ts';
import { startNodeUnderTest } from './support/node-under-test.ts';
import type { NodeUnderTest } from './support/node-under-test.ts';

/** What every test sends: 3 s of 320x240 H.264 at 25 fps (keyframe every 25) + AAC, encoded once into an FLV file. */
let dir: string;
let srcFile: string;
let frames: Frame[];
let expected: { video: number; audio: number };

/** Everything started by a test, stopped after it even when it fails. */
const cleanups: Array<() => Promise<void> | void> = [];

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'runnel-rtmp-client-'));
  srcFile = join(dir, 'src.flv');
  await makeTestFlv(srcFile, { seconds: 3, gop: 25 });
  frames = readFlvFrames(srcFile);
  expected = countFrames(frames);
});

afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

afterAll(() => {
  rmSync(dir, { recursive: true, force: true });
});

/** A client plus what it reported: states, media, statuses. */
interface Tracked {
  readonly client: RtmpClient;
  readonly states: string[];
  readonly media: RtmpClientMedia[];
  readonly statuses: string[];
  /** media.length each time `playing` was reached. */
  readonly playingAt: number[];
  count(state: RtmpClientState): number;
}

function client(options: Omit<RtmpClientOptions, 'onState' | 'onMedia' | 'onStatus'>): Tracked {
  const states: string[] = [];
  const media: RtmpClientMedia[] = [];
  const statuses: string[] = [];
  const playingAt: number[] = [];
  const c = new RtmpClient({
    reconnect: { initialDelayMs: 100, maxDelayMs: 500 },
    ...options,
    onState: (s, why) => {
      states.push(why ? `${s}:${why}` : s);
      if (s === 'playing') playingAt.push(media.length);
    },
    onMedia: (m) => media.push(m),
    onStatus: (s) => statuses.push(s.code),
  });
  cleanups.push(() => c.close());
  c.start();
  return { client: c, states, media, statuses, playingAt, count: (s) => states.filter((x) => x.split(':')[0] === s).length };
}

function peer(p: Peer): Peer {
  cleanups.push(() => p.stop());
  return p;
}

async function node(overrides?: Record<string, unknown>): Promise<NodeUnderTest> {
  const n = await startNodeUnderTest(overrides);
  cleanups.push(() => n.stop());
  return n;
}

/** Video frames then audio frames received, ignoring headers. */
function received(media: readonly RtmpClientMedia[]): { video: number; audio: number } {
  return { video: media.filter(isVideoFrame).length, audio: media.filter(isAudioFrame).length };
}

/** The first messages of a (re)started stream: metadata/headers before any frame, and video starting on a keyframe. */
function expectDecodableStart(media: readonly RtmpClientMedia[]): void {
  const firstVideo = media.findIndex((m) => m.kind === 'video');
  const firstFrame = media.findIndex(isVideoFrame);
  expect(firstVideo).toBeGreaterThanOrEqual(0);
  expect(media[firstVideo].sequenceHeader, 'first video message is the AVC sequence header').toBe(true);
  expect(firstFrame).toBeGreaterThan(firstVideo);
  expect(media[firstFrame].keyframe, 'first coded video frame is a keyframe').toBe(true);
  const firstAudio = media.find((m) => m.kind === 'audio');
  expect(firstAudio?.sequenceHeader, 'first audio message is the AAC sequence header').toBe(true);
}

const sendAll = (c: RtmpClient): number => frames.filter((f) => c.sendMedia(f.kind, f.timestamp, f.payload)).length;

describe('RtmpClient against our node', () => {
  it('publishes frames from an FLV file; HTTP-FLV gives them back with the right codecs and frame count', async () => {
    const n = await node();
    const out = join(dir, 'c1-http.flv');
    const rec = peer(record(n.http('/live/c1.flv'), out));
    await waitFor('the HTTP-FLV player', () => n.node.clients.size === 1);
    const log = createMemoryLogger('info');
    const pub = client({ url: n.rtmp('/live/c1?token=t1'), mode: 'publish', logger: log });
    await waitFor('publishing', () => pub.client.state === 'publishing');
    expect(sendAll(pub.client)).toBe(frames.length); // live from a keyframe on: nothing dropped
    await pub.client.close();
    await rec.stop();

    const info = await probe(out, ['-count_packets']);
    const v = info.streams.find((s) => s.codec_type === 'video')!;
    const a = info.streams.find((s) => s.codec_type === 'audio')!;
    expect(v).toMatchObject({ codec_name: 'h264', width: 320, height: 240 });
    expect(a).toMatchObject({ codec_name: 'aac', sample_rate: '44100', channels: 2 });
    expect(Number(v.nb_read_packets)).toBe(expected.video);
    expect(Number(a.nb_read_packets)).toBe(expected.audio);
    expect((await packets(out))[0].flags).toContain('K');
    expect(pub.states).toEqual(['connecting', 'connected', 'publishing', 'closed:closed']);
    expect(log.events('publishing')).toHaveLength(1);
    expect(n.log.records.some((r) => r.event === 'publish' && r.fields.stream === 'live/c1')).toBe(true);
  });

  it('plays while ffmpeg publishes: headers first, then a keyframe, and every frame ffmpeg sent', async () => {
    const n = await node();
    const player = client({ url: n.rtmp('/live/c2'), mode: 'play' });
    await waitFor('playing', () => player.client.state === 'playing');
    const ff = peer(runPeer('ffmpeg', ['-hide_banner', '-loglevel', 'warning', '-nostdin', '-i', srcFile, '-c', 'copy', '-f', 'flv', n.rtmp('/live/c2')]));
    expect(await ff.exited, ff.stderr()).toBe(0);
    await waitFor('every frame', () => received(player.media).video === expected.video && received(player.media).audio === expected.audio, 5000);
    expectDecodableStart(player.media);
    expect(player.media[0]).toMatchObject({ kind: 'data', sequenceHeader: true }); // onMetaData
    await waitFor('UnpublishNotify', () => player.statuses.includes('NetStream.Play.UnpublishNotify'), 3000);
    expect(player.client.state).toBe('playing'); // a player waits for the next publisher
  });
});

describe('RtmpClient against ffmpeg -listen 1', () => {
  it('publishes to ffmpeg as an RTMP server, which writes every frame to a file', async () => {
    const port = await freePort();
    const out = join(dir, 'c3-listen.flv');
    const ff = peer(runPeer('ffmpeg', [
      '-hide_banner', '-loglevel', 'warning', '-nostdin', '-y',
      '-listen', '1', '-i', `rtmp://127.0.0.1:${port}/live/x`, '-c', 'copy', '-f', 'flv', out,
    ]));
    // ffmpeg needs a moment to listen: the client's reconnect covers it
    const pub = client({ url: `rtmp://127.0.0.1:${port}/live/x`, mode: 'publish' });
    await waitFor('publishing', () => pub.client.state === 'publishing');
    sendAll(pub.client);
    await pub.client.close();
    expect(await ff.exited, ff.stderr()).toBe(0);
    const info = await probe(out, ['-count_packets']);
    expect(Number(info.streams.find((s) => s.codec_type === 'video')!.nb_read_packets)).toBe(expected.video);
    expect(Number(info.streams.find((s) => s.codec_type === 'audio')!.nb_read_packets)).toBe(expected.audio);
  });

  it('plays from ffmpeg as an RTMP server and receives every frame', async () => {
    const port = await freePort();
    const ff = peer(runPeer('ffmpeg', [
      '-hide_banner', '-loglevel', 'warning', '-nostdin',
      '-re', '-i', srcFile, '-c', 'copy', '-f', 'flv', '-listen', '1', `rtmp://127.0.0.1:${port}/live/x`,
    ]));
    const player = client({ url: `rtmp://127.0.0.1:${port}/live/x`, mode: 'play' });
    expect(await ff.exited, ff.stderr()).toBe(0);
    await waitFor('every frame', () => received(player.media).video === expected.video, 3000);
    expect(received(player.media)).toEqual(expected);
    expectDecodableStart(player.media);
    expect(player.count('playing')).toBe(1);
  });
});

describe('RtmpClient reconnects', () => {
  it('a publisher kicked by the node API comes back and the stream stays decodable for a player that never left', async () => {
    const n = await node();
    const player = client({ url: n.rtmp('/live/k4'), mode: 'play' });
    const pub = client({ url: n.rtmp('/live/k4'), mode: 'publish' });
    const feeder = feedLoop(frames, (f) => pub.client.sendMedia(f.kind, f.timestamp, f.payload));
    cleanups.push(() => feeder.stop());
    await waitFor('the player gets 25 frames', () => received(player.media).video >= 25);

    const cid = await publisherId(n, 'k4');
    const kick = (await (await fetch(n.api(`/api/v1/clients/${cid}`), { method: 'DELETE' })).json()) as { code: number };
    expect(kick.code).toBe(0);
    await waitFor('the publisher to be disconnected', () => pub.count('disconnected') === 1);
    await waitFor('the UnpublishNotify', () => player.statuses.includes('NetStream.Play.UnpublishNotify'));
    const mark = player.media.length;
    await waitFor('publishing again', () => pub.count('publishing') === 2);
    await waitFor('25 frames after the republish', () => received(player.media.slice(mark)).video >= 25);

    expectDecodableStart(player.media.slice(mark));
    expect(pub.states.slice(0, 6)).toEqual(['connecting', 'connected', 'publishing', 'disconnected:socket_closed', 'connecting', 'connected']);
    expect(pub.client.stats.sessions).toBe(2);
    expect(player.client.stats.sessions).toBe(1);
    expect(await publisherId(n, 'k4')).not.toBe(cid);
    expect(n.log.records.filter((r) => r.event === 'publish' && r.fields.stream === 'live/k4')).toHaveLength(2);
  });

  it('publisher and player both survive a node restart on the same port and the player gets a decodable stream again', async () => {
    const port = await freePort();
    const listen = { host: '127.0.0.1', rtmp: port, http: 0, api: 0 };
    const first = await startNodeUnderTest({ listen });
    let firstStopped = false;
    cleanups.push(() => (firstStopped ? undefined : first.stop()));
    const url = `rtmp://127.0.0.1:${port}/live/r4`;
    const player = client({ url, mode: 'play' });
    const pub = client({ url, mode: 'publish' });
    const feeder = feedLoop(frames, (f) => pub.client.sendMedia(f.kind, f.timestamp, f.payload));
    cleanups.push(() => feeder.stop());
    await waitFor('the player gets 25 frames', () => received(player.media).video >= 25);

    await first.stop();
    firstStopped = true;
    await waitFor('both disconnected', () => pub.count('disconnected') >= 1 && player.count('disconnected') >= 1);
    const second = await node({ listen });
    await waitFor('both back', () => pub.count('publishing') === 2 && player.count('playing') === 2);
    const mark = player.playingAt[1];
    await waitFor('25 frames from the new node', () => received(player.media.slice(mark)).video >= 25);

    expectDecodableStart(player.media.slice(mark));
    expect(second.log.records.filter((r) => r.event === 'publish' && r.fields.stream === 'live/r4')).toHaveLength(1);
    expect(pub.client.stats.publish.droppedDisconnected).toBeGreaterThan(0); // frames while the node was down were dropped, not queued
  });
});

async function publisherId(n: NodeUnderTest, stream: string): Promise<string> {
  const res = (await (await fetch(n.api('/api/v1/streams'))).json()) as { streams: Array<{ name: string; publish: { active: boolean; cid?: string } }> };
  const s = res.streams.find((x) => x.name === stream && x.publish.active);
  if (s?.publish.cid === undefined) throw new Error(`no active publisher of ${stream}`);
  return s.publish.cid;
}
