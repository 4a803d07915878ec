import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { adtsToAsc, splitAdts } from '../../../codec/aac/adts.ts';
import { encodeAsc } from '../../../codec/aac/audio-specific-config.ts';
import { aacFrameBody, aacSequenceHeaderBody, decodeAudioData } from '../../../format/flv/audio-data.ts';
import { FakeClock } from '../../../hub/clock.ts';
import { Source } from '../../../hub/source.ts';
import { OpusFeeds } from './opus-feeds.ts';
import type { BridgeStats } from './bridge-stats.ts';

const dir = mkdtempSync(join(tmpdir(), 'opus-feeds-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** 1 s of ffmpeg's AAC-LC (440 Hz, 44.1 kHz stereo) as raw access units + the AudioSpecificConfig. */
function aac(): { asc: Uint8Array; frames: Uint8Array[] } {
  const file = join(dir, 'a.aac');
  const r = spawnSync('ffmpeg', ['-v', 'error', '-f', 'lavfi', '-i', 'sine=frequency=440:sample_rate=44100:duration=1', '-ac', '2', '-c:a', 'aac', '-f', 'adts', '-y', file]);
  expect(r.status, String(r.stderr)).toBe(0);
  const { frames } = splitAdts(readFileSync(file));
  return { asc: encodeAsc(adtsToAsc(frames[0]!.header)), frames: frames.map((f) => f.payload) };
}

const tick = () => new Promise((r) => setImmediate(r));

describe('OpusFeeds', () => {
  it('one transcoder per stream, shared by its players, started by the first and stopped by the last', async () => {
    const stopped: [string, BridgeStats][] = [];
    const feeds = new OpusFeeds({}, { stopped: (k, s) => stopped.push([k, s]) });
    const source = new Source({ id: 'vid-1', vhost: '__defaultVhost__', app: 'live', stream: 's' }, new FakeClock(1_000), {});
    const r = source.publish({ clientId: 'p', protocol: 'rtmp' });
    if (!r.ok) throw new Error(r.code);
    const { asc, frames } = aac();
    r.publisher.push('audio', 0, aacSequenceHeaderBody(asc));

    let wakeA = 0;
    const a = feeds.subscribe(source, () => wakeA++);
    const b = feeds.subscribe(source, () => {});
    expect(feeds.size).toBe(1);
    for (let i = 0; i < frames.length; i++) {
      r.publisher.push('audio', Math.floor((i * 1024 * 1000) / 44_100), aacFrameBody(frames[i]!));
      if (i % 5 === 4) await tick();
    }
    await tick();
    const ga = a.take();
    const gb = b.take();
    expect(wakeA).toBeGreaterThan(0);
    expect(ga.length).toBeGreaterThanOrEqual(45);
    expect(gb).toEqual(ga);
    for (const m of ga) expect(decodeAudioData(m.payload).codec).toBe('opus');
    a.close();
    expect(feeds.size).toBe(1);
    b.close();
    b.close();
    expect(feeds.size).toBe(0);
    expect(stopped).toHaveLength(1);
    expect(stopped[0]![1].outFrames).toBe(ga.length);
  });

  it('bounds what a player has not taken and counts the loss', async () => {
    const feeds = new OpusFeeds({ queueLengthMs: 60_000 });
    const source = new Source({ id: 'vid-2', vhost: '__defaultVhost__', app: 'live', stream: 't' }, new FakeClock(1_000), {});
    const r = source.publish({ clientId: 'p', protocol: 'rtmp' });
    if (!r.ok) throw new Error(r.code);
    const { asc, frames } = aac();
    r.publisher.push('audio', 0, aacSequenceHeaderBody(asc));
    const lazy = feeds.subscribe(source, () => {});
    for (let rep = 0; rep < 3; rep++) {
      for (let i = 0; i < frames.length; i++) r.publisher.push('audio', rep * 1000 + Math.floor((i * 1024 * 1000) / 44_100), aacFrameBody(frames[i]!));
      await tick();
    }
    expect(lazy.take().length).toBeLessThanOrEqual(100);
    expect(lazy.dropped).toBeGreaterThan(0);
    lazy.close();
  });
});
