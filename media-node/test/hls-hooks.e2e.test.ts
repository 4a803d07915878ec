import { existsSync } from 'node:fs';
import { isAbsolute } from 'node:path';
import { hookBodySchema } from '@runnel/shared/hook-api';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { decodeMediaPlaylist } from '../src/format/m3u8/media-playlist.ts';
import { startHookTestServer } from '../src/server/hooks/hook-test-server.ts';
import type { HookTestServer } from '../src/server/hooks/hook-test-server.ts';
import { publishRtmp, sleep } from './support/ffmpeg.ts';
import { startNodeUnderTest } from './support/node-under-test.ts';
import type { NodeUnderTest } from './support/node-under-test.ts';

/**
 * SRS on_hls end to end (srs.md 3.2): ffmpeg publishes over RTMP, the node
 * cuts 2 s segments, and a real HTTP hook server receives one on_hls body per
 * segment, in order, naming files that exist and URLs the node serves.
 */

/** hls_fragment of this node; GOP 1 s, so segments cut at the first keyframe past 2 s. */
const FRAGMENT_S = 2;
const PUBLISH_S = 9;

let hooks: HookTestServer;
let n: NodeUnderTest;

beforeAll(async () => {
  hooks = await startHookTestServer();
  n = await startNodeUnderTest({
    hls: { fragment_ms: FRAGMENT_S * 1000, reconnect_window_ms: 1000 },
    hooks: { on_publish: [hooks.url('/publish')], on_hls: [hooks.url('/hls')] },
  });
});

afterAll(async () => {
  await n?.stop();
  await hooks?.close();
});

async function until(what: string, cond: () => Promise<boolean> | boolean, timeoutMs: number): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!(await cond())) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await sleep(100);
  }
}

describe('http_hooks: on_hls', () => {
  it('posts one SRS on_hls body per segment, in order, with durations near hls_fragment, naming stored files and served URLs', { timeout: 40_000 }, async () => {
    const pub = publishRtmp(n.rtmp('/live/hooked'), { seconds: PUBLISH_S, gop: 25 });
    expect(await pub.exited, pub.stderr()).toBe(0);
    await until('EXT-X-ENDLIST', async () => (await (await fetch(n.http('/live/hooked.m3u8'))).text()).includes('#EXT-X-ENDLIST'), 10_000);
    const playlist = decodeMediaPlaylist(await (await fetch(n.http('/live/hooked.m3u8'))).text());
    await until('an on_hls per listed segment', () => hooks.received.filter((h) => h.path === '/hls').length >= playlist.segments.length, 5000);

    const publish = hooks.received.find((h) => h.path === '/publish')!.body!;
    const received = hooks.received.filter((h) => h.path === '/hls');
    const bodies = received.map((h) => h.body!);
    expect(received.every((h) => h.method === 'POST' && h.contentType === 'application/json')).toBe(true);
    expect(bodies.length).toBe(playlist.segments.length);

    // SRS 6 field order (SrsHttpHooks::on_hls), the publisher's ids, and the control plane's contract.
    expect(Object.keys(bodies[0])).toEqual([
      'server_id', 'service_id', 'action', 'client_id', 'ip', 'vhost', 'app', 'tcUrl', 'stream', 'param',
      'duration', 'cwd', 'file', 'url', 'm3u8', 'm3u8_url', 'seq_no', 'stream_url', 'stream_id',
    ]);
    for (const b of bodies) {
      expect(b).toMatchObject({
        server_id: 'vid-e2etest', action: 'on_hls', client_id: publish.client_id, ip: '127.0.0.1', vhost: '__defaultVhost__', app: 'live',
        tcUrl: `rtmp://127.0.0.1:${n.node.ports.rtmp}/live`, stream: 'hooked', param: '', m3u8_url: 'live/hooked.m3u8',
        stream_url: '/live/hooked', stream_id: expect.stringMatching(/^vid-/),
      });
      expect(hookBodySchema.safeParse(b).success).toBe(true);
    }

    // seq_no increases by one per segment, and each body is the segment the playlist lists under that number.
    const seqs = bodies.map((b) => b.seq_no as number);
    expect(seqs.slice(1).map((s, i) => s - seqs[i])).toEqual(seqs.slice(1).map(() => 1));
    expect(seqs[0]).toBe(playlist.mediaSequence);
    for (const [i, b] of bodies.entries()) {
      const s = playlist.segments[i]!;
      expect(b.url).toBe(`live/${s.uri}`);
      expect(b.duration as number).toBeCloseTo(s.duration, 2);
      // the file and the playlist are paths on this machine (local storage), as in SRS; the URL is what the node serves
      expect(isAbsolute(b.file as string) && existsSync(b.file as string), String(b.file)).toBe(true);
      expect((await fetch(n.http(`/${b.url as string}`))).status).toBe(200);
    }
    expect(existsSync(bodies[0].m3u8 as string)).toBe(true);
    expect(bodies[0].cwd).toBe(process.cwd());

    // every segment but the tail one lasts about hls_fragment (cut at the first keyframe past it)
    for (const b of bodies.slice(0, -1)) {
      expect(b.duration as number).toBeGreaterThanOrEqual(FRAGMENT_S - 0.1);
      expect(b.duration as number).toBeLessThanOrEqual(FRAGMENT_S + 1.1);
    }
    const total = bodies.reduce((a, b) => a + (b.duration as number), 0);
    expect(total).toBeGreaterThan(PUBLISH_S - 1);
    expect(total).toBeLessThan(PUBLISH_S + 0.6);
  });
});
