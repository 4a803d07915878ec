import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { toHex } from '@runnel/shared';
import { decodeVideoData } from '../src/format/flv/video-data.ts';
import { syntheticStream } from '../src/format/remux/synthetic-stream.ts';
import { RtmpClient } from '../src/server/rtmp-client/index.ts';
import type { RtmpClientMedia } from '../src/server/rtmp-client/index.ts';
import { sleep } from './support/ffmpeg.ts';
import { waitFor } from './support/flv-frames.ts';
import { startNodeUnderTest } from './support/node-under-test.ts';
import type { NodeUnderTest } from './support/node-under-test.ts';

let n: NodeUnderTest;

beforeAll(async () => {
  n = await startNodeUnderTest();
});

afterAll(async () => {
  await n.stop();
});

describe('enhanced RTMP (FourCC hvc1, ex-header packet types) passes through publisher -> players', () => {
  it('delivers every HEVC + Opus tag byte for byte, starting on the sequence headers and a keyframe', async () => {
    // 2 s of HEVC (enhanced RTMP SequenceStart / CodedFrames) and Opus (enhanced audio), keyframe every second.
    const tags = syntheticStream({ durationMs: 2000, video: 'hevc', audio: 'opus', gopMs: 1000 });
    const received: RtmpClientMedia[] = [];
    const player = new RtmpClient({ url: n.rtmp('/live/ertmp'), mode: 'play', onMedia: (m) => received.push(m) });
    const publisher = new RtmpClient({ url: n.rtmp('/live/ertmp'), mode: 'publish' });
    player.start();
    publisher.start();
    try {
      await waitFor('player and publisher up', () => player.state === 'playing' && publisher.state === 'publishing', 5000);
      for (const t of tags) {
        publisher.sendMedia(t.kind, t.timestamp, t.payload);
        await sleep(2);
      }
      await waitFor('every tag back', () => received.filter((m) => m.kind !== 'data').length >= tags.length, 5000);
      const av = received.filter((m) => m.kind !== 'data');
      expect(av.map((m) => toHex(m.payload))).toEqual(tags.map((t) => toHex(t.payload)));
      const firstVideo = decodeVideoData(av.find((m) => m.kind === 'video')!.payload);
      expect(firstVideo).toMatchObject({ codec: 'hevc', enhanced: true, packetType: 'sequence-header' });

      const api = (await (await fetch(n.api('/api/v1/streams'))).json()) as { streams: Array<{ name: string; video: { codec: string } | null; audio: { codec: string } | null }> };
      const s = api.streams.find((x) => x.name === 'ertmp')!;
      expect(s.video?.codec).toBe('HEVC');
    } finally {
      await publisher.close();
      await player.close();
    }
  });
});
