import { describe, expect, it } from 'vitest';
import { FakeClock } from './clock.ts';
import { FakePublisher, flv } from './fake-stream.ts';
import { DEFAULT_GOP_CACHE_MAX_FRAMES, GopCache, PURE_AUDIO_GUESS_COUNT } from './gop-cache.ts';
import { mediaMessage } from './media-message.ts';
import type { MediaMessage } from './media-message.ts';
import { Source } from './source.ts';
import type { SourceOptions } from './source.ts';

const key = (ts: number, size = 16): MediaMessage =>
  mediaMessage('video', ts, flv.avcKeyframe(size), { keyframe: true });
const inter = (ts: number, size = 8): MediaMessage => mediaMessage('video', ts, flv.avcInterframe(size));
const audio = (ts: number): MediaMessage => mediaMessage('audio', ts, flv.aacFrame());

function liveSource(options: SourceOptions = {}): Source {
  const s = new Source({ id: 'vid-gop0001', vhost: 'v', app: 'live', stream: 's' }, new FakeClock(), options);
  return s;
}

describe('GopCache', () => {
  it('starts at a keyframe and restarts at every keyframe', () => {
    const g = new GopCache();
    g.add(audio(0));
    g.add(inter(0));
    expect(g.messages).toHaveLength(0);
    const k1 = key(40);
    g.add(k1);
    g.add(audio(50));
    g.add(inter(80));
    expect(g.messages).toEqual([k1, g.messages[1], g.messages[2]]);
    const k2 = key(120);
    g.add(k2);
    expect(g.messages).toEqual([k2]);
  });

  it(`drops the cache after more than ${PURE_AUDIO_GUESS_COUNT} audio messages after the last video (pure-audio guess)`, () => {
    const g = new GopCache();
    g.add(key(0));
    for (let i = 0; i < PURE_AUDIO_GUESS_COUNT; i++) g.add(audio(i));
    expect(g.messages).toHaveLength(1 + PURE_AUDIO_GUESS_COUNT);
    g.add(audio(200));
    expect(g.messages).toHaveLength(0);
    g.add(audio(201));
    g.add(inter(210)); // video resumes without a keyframe: still nothing to start from
    expect(g.messages).toHaveLength(0);
    g.add(key(250));
    expect(g.messages).toHaveLength(1);
  });

  it('a video frame resets the audio count', () => {
    const g = new GopCache();
    g.add(key(0));
    for (let round = 0; round < 3; round++) {
      for (let i = 0; i < PURE_AUDIO_GUESS_COUNT; i++) g.add(audio(i));
      g.add(inter(1));
    }
    expect(g.messages).toHaveLength(1 + 3 * (PURE_AUDIO_GUESS_COUNT + 1));
  });

  it('is bounded by frames and by bytes, and stays empty until the next keyframe', () => {
    const byFrames = new GopCache({ maxFrames: 10 });
    byFrames.add(key(0));
    for (let i = 1; i <= 9; i++) byFrames.add(inter(i));
    expect(byFrames.messages).toHaveLength(10);
    byFrames.add(inter(10));
    expect(byFrames.messages).toHaveLength(0);
    expect(byFrames.overflows).toBe(1);
    byFrames.add(inter(11));
    expect(byFrames.messages).toHaveLength(0);

    const byBytes = new GopCache({ maxBytes: 1000 });
    byBytes.add(key(0, 395)); // 400-byte body
    byBytes.add(inter(1, 395));
    expect(byBytes.bytes).toBe(800);
    byBytes.add(inter(2, 395));
    expect(byBytes.messages).toHaveLength(0);
    expect(byBytes.bytes).toBe(0);
  });
});

describe('GOP cache of a source with no keyframe for 10 minutes (row 38)', () => {
  it(`holds at most ${DEFAULT_GOP_CACHE_MAX_FRAMES} frames and then nothing; a joiner gets headers only`, () => {
    const source = liveSource();
    const r = source.publish({ clientId: 'p' });
    if (!r.ok) throw new Error('refused');
    const pub = new FakePublisher(r.publisher, { gopFrames: Number.MAX_SAFE_INTEGER });
    pub.start();
    let maxLen = 0;
    for (let frame = 0; frame < 600 * 25; frame++) {
      pub.runFor(40);
      maxLen = Math.max(maxLen, source.gop.messages.length);
    }
    expect(maxLen).toBeLessThanOrEqual(DEFAULT_GOP_CACHE_MAX_FRAMES);
    expect(maxLen).toBeGreaterThan(DEFAULT_GOP_CACHE_MAX_FRAMES - 5);
    expect(source.gop.messages).toHaveLength(0);
    expect(source.gop.overflows).toBe(1);
    const c = source.addConsumer();
    expect(c.take().every((m) => m.sequenceHeader)).toBe(true);
    expect(c.waitingForKeyframe).toBe(true);
  });

  it('holds within its byte bound for large frames', () => {
    const source = liveSource({ gopCacheMaxBytes: 1_000_000 });
    const r = source.publish({ clientId: 'p' });
    if (!r.ok) throw new Error('refused');
    r.publisher.push('video', 0, flv.avcKeyframe(50_000));
    for (let i = 1; i < 1_000; i++) {
      r.publisher.push('video', i * 40, flv.avcInterframe(50_000));
      expect(source.gop.bytes).toBeLessThanOrEqual(1_000_000);
    }
    expect(source.gop.messages).toHaveLength(0);
  });

  it('does not cache a pure-audio stream', () => {
    const source = liveSource();
    const r = source.publish({ clientId: 'p' });
    if (!r.ok) throw new Error('refused');
    const pub = new FakePublisher(r.publisher, { video: false });
    pub.start();
    pub.runFor(10_000);
    expect(source.gop.messages).toHaveLength(0);
    const c = source.addConsumer();
    expect(c.take().map((m) => m.kind)).toEqual(['data', 'audio']);
    pub.runFor(100);
    expect(c.take().length).toBeGreaterThan(0); // audio flows at once, no keyframe wait
  });
});
