import { describe, expect, it } from 'vitest';
import { test as fcTest, fc } from '@fast-check/vitest';
import { encodeMediaPlaylist, type MediaPlaylist, type MediaSegment } from '../format/m3u8/media-playlist.ts';
import { expectedSegmentMs, MAX_TRACKED_SEGMENTS, parseWholePlaylist, PlaylistProgress, type ProgressExpectations } from './playlist-progress.ts';

const EXPECT: ProgressExpectations = { segmentMs: 2000, durationTolerance: 0.25, lateThresholdMs: 1000 };
const WINDOW = 5;
const POLL_MS = 500;

interface Published {
  readonly seq: number;
  /** When the node put the playlist that first lists it. */
  readonly atMs: number;
  readonly duration: number;
  readonly discontinuity?: boolean;
}

/** The playlist the node has written by `atMs`: the last WINDOW published segments. */
function playlistAt(pub: readonly Published[], atMs: number): MediaPlaylist | undefined {
  const live = pub.filter((p) => p.atMs <= atMs).slice(-WINDOW);
  if (live.length === 0) return undefined;
  const segments: MediaSegment[] = live.map((p) => ({ uri: `s-${p.seq}.ts`, duration: p.duration, ...(p.discontinuity ? { discontinuity: true } : {}) }));
  return { version: 3, targetDuration: 3, mediaSequence: live[0]!.seq, discontinuitySequence: 0, segments, endList: false };
}

/** Segments of `durationS` each, segment i published `delay(i)` ms after its media end. */
function stream(count: number, durationS: number, delay: (i: number) => number = () => 40): Published[] {
  return Array.from({ length: count }, (_, i) => ({ seq: 100 + i, atMs: (i + 1) * durationS * 1000 + delay(i), duration: durationS }));
}

/** Polls `pub` every POLL_MS over [startMs, endMs] and summarizes. */
function watch(pub: readonly Published[], startMs: number, endMs: number, expect = EXPECT) {
  const p = new PlaylistProgress();
  p.start(startMs);
  for (let t = startMs; t <= endMs; t += POLL_MS) {
    const pl = playlistAt(pub, t);
    if (pl) p.observe(t, pl);
    else p.failed();
  }
  return p.summarize(endMs, expect);
}

describe('PlaylistProgress', () => {
  it('passes a stream that publishes every segment on time', () => {
    const r = watch(stream(30, 2), 10_000, 40_000);
    expect(r).toMatchObject({ realTime: true, problem: undefined, missing: 0, discontinuities: 0, badDurations: 0, minDurationMs: 2000, maxDurationMs: 2000 });
    // segments 6..20 end in the window (the ones listed by the first read predate it)
    expect(r.newSegments).toBe(15);
    expect(r.newMediaMs).toBe(30_000);
    expect(r.behindMs).toBeLessThanOrEqual(POLL_MS);
  });

  it('fails a stream that publishes 10 % slower than real time', () => {
    const slow = stream(40, 2).map((s, i) => ({ ...s, atMs: (i + 1) * 2200 }));
    const r = watch(slow, 10_000, 40_000);
    expect(r.realTime).toBe(false);
    expect(r.problem).toMatch(/behind real time/);
    expect(r.behindMs).toBeGreaterThan(2_000);
  });

  it('fails a stream that stops publishing before the end of the window', () => {
    const r = watch(stream(12, 2), 10_000, 40_000);
    expect(r.realTime).toBe(false);
    // the last segment went up at 24 s, the next was due at 26 s: 14 s late at 40 s
    expect(r.behindMs).toBeGreaterThanOrEqual(13_500);
  });

  it('tolerates a constant upload delay and jitter under the threshold', () => {
    const r = watch(stream(30, 2, (i) => 1500 + (i % 3) * 200), 10_000, 40_000);
    expect(r.realTime).toBe(true);
    expect(r.behindMs).toBeLessThanOrEqual(400 + POLL_MS);
  });

  it('fails one segment that is late by more than the threshold, even if the rest catch up', () => {
    const r = watch(stream(30, 2, (i) => (i === 10 ? 2500 : 40)), 10_000, 40_000);
    expect(r.realTime).toBe(false);
    expect(r.behindMs).toBeGreaterThanOrEqual(2_000);
  });

  it('counts sequence numbers that slid in and out of the window between two reads', () => {
    const pub = stream(30, 2);
    const p = new PlaylistProgress();
    p.start(10_000);
    // the window holds 5 segments (10 s): a 14 s pause between reads misses 2 of them
    for (const t of [10_000, 12_000, 26_000, 28_000]) p.observe(t, playlistAt(pub, t)!);
    const r = p.summarize(28_000, { ...EXPECT, lateThresholdMs: 60_000 });
    expect(r.missing).toBe(2);
    expect(r.realTime).toBe(false);
    expect(r.problem).toMatch(/never listed/);
  });

  it('counts discontinuities and durations off the expected segment', () => {
    const odd = stream(30, 2).map((s) => (s.seq === 108 ? { ...s, discontinuity: true } : s.seq === 112 ? { ...s, duration: 2.6 } : s));
    const r = watch(odd, 10_000, 40_000);
    expect(r.discontinuities).toBe(1);
    expect(r.badDurations).toBe(1);
    expect(r.maxDurationMs).toBeCloseTo(2600, 6);
    expect(r.realTime).toBe(false);
  });

  it('fails a playlist that never appears, and one that goes backwards', () => {
    expect(watch([], 0, 20_000)).toMatchObject({ realTime: false, reads: 0, newSegments: 0, behindMs: 20_000 });
    const p = new PlaylistProgress();
    p.start(0);
    const pub = stream(10, 2);
    p.observe(0, playlistAt(pub, 6_100)!);
    p.observe(2_000, playlistAt(pub, 8_100)!);
    p.observe(4_000, playlistAt(pub, 4_100)!);
    const r = p.summarize(4_000, EXPECT);
    expect(r.regressions).toBe(1);
    expect(r.realTime).toBe(false);
  });

  it('stores at most MAX_TRACKED_SEGMENTS segments', () => {
    const p = new PlaylistProgress();
    p.start(0);
    const segments = Array.from({ length: MAX_TRACKED_SEGMENTS + 10 }, (_, i) => ({ uri: `s-${i}.ts`, duration: 2 }));
    p.observe(0, { version: 3, targetDuration: 3, mediaSequence: 0, discontinuitySequence: 0, segments: segments.slice(0, 1), endList: false });
    p.observe(1, { version: 3, targetDuration: 3, mediaSequence: 0, discontinuitySequence: 0, segments, endList: false });
    const r = p.summarize(2, { ...EXPECT, lateThresholdMs: Number.MAX_SAFE_INTEGER });
    expect(r.newSegments).toBe(MAX_TRACKED_SEGMENTS);
    expect(r.problem).toMatch(/more than/);
  });

  fcTest.prop([fc.integer({ min: 0, max: 900 }), fc.integer({ min: 1, max: 3 })])(
    'a stream on time never reads as behind by more than its delay spread plus a poll',
    (spread, seconds) => {
      const r = watch(stream(Math.ceil(70 / seconds), seconds, (i) => (i * 7919) % (spread + 1)), 10_000, 60_000, { ...EXPECT, segmentMs: seconds * 1000 });
      expect(r.behindMs).toBeLessThanOrEqual(spread + POLL_MS);
      expect(r.realTime).toBe(true);
    },
  );
});

describe('expectedSegmentMs', () => {
  it.each([
    { fragment: 2000, gop: 2000, want: 2000 },
    { fragment: 10_000, gop: 2000, want: 10_000 },
    { fragment: 3000, gop: 2000, want: 4000 },
    { fragment: 500, gop: 2000, want: 2000 },
    { fragment: 1000, gop: 1000, want: 1000 },
  ])('fragment $fragment ms with a $gop ms GOP gives $want ms', (c) => {
    expect(expectedSegmentMs(c.fragment, c.gop)).toBe(c.want);
  });
});

describe('parseWholePlaylist', () => {
  const live = playlistAt(stream(8, 2), 20_000)!;
  const text = encodeMediaPlaylist(live);

  it('reads a whole live or ended playlist', () => {
    expect(parseWholePlaylist(text)).toEqual(live);
    expect(parseWholePlaylist(encodeMediaPlaylist({ ...live, endList: true }))?.endList).toBe(true);
  });

  it('refuses every cut copy of it, except a cut right after a segment (which is a shorter whole playlist)', () => {
    let whole = 0;
    for (let n = 0; n < text.length; n++) {
      const r = parseWholePlaylist(text.slice(0, n));
      if (r === undefined) continue;
      whole++;
      expect(text.slice(0, n), `cut at ${n}`).toMatch(/\.ts\n$/);
      expect(r.segments).toEqual(live.segments.slice(0, r.segments.length));
    }
    expect(whole).toBe(live.segments.length - 1);
  });

  it('refuses what is not a playlist', () => {
    expect(parseWholePlaylist('<Error><Code>NoSuchKey</Code></Error>\n')).toBeUndefined();
    expect(parseWholePlaylist('s-1.ts\n')).toBeUndefined();
  });
});
