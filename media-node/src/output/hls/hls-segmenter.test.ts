import { describe, expect, it } from 'vitest';
import type { MediaPlaylist } from '../../format/m3u8/media-playlist.ts';
import { inspectTs } from '../../format/remux/inspect-ts.ts';
import { syntheticStream, tag } from '../../format/remux/synthetic-stream.ts';
import { MAX_SEGMENT_BYTES } from './reap-rules.ts';
import { T0, hlsRig, type HlsRig } from './test-kit.ts';

const clean = { continuityErrors: 0, resyncs: 0, badPackets: 0, badSections: 0, droppedPes: 0 };

/** Every listed segment decodes cleanly, starts with PAT/PMT, and its first video frame (if any) is a keyframe. */
function checkSegments(rig: HlsRig, p: MediaPlaylist = rig.playlist()) {
  return p.segments.map((s) => {
    const r = inspectTs(rig.segment(s.uri));
    expect(r.stats).toMatchObject(clean);
    expect(r.startsWithTables).toBe(true);
    if (r.video.length > 0) expect(r.video[0]!.randomAccess).toBe(true);
    return r;
  });
}

const durations = (p: MediaPlaylist) => p.segments.map((s) => s.duration);

describe('HlsSegmenter cutting (SRS hls_fragment / hls_wait_keyframe / hls_aof_ratio)', () => {
  it('cuts A/V at the first keyframe past hls_fragment; every segment starts with tables and a keyframe', async () => {
    const rig = hlsRig();
    const tags = syntheticStream({ durationMs: 50_000, gopMs: 3000 });
    rig.feed(rig.publish(), tags);
    await rig.hls.idle();
    const p = rig.playlist();
    // keyframes every 3 s: the first one at or past 10 s after each cut is at 12 s
    expect(durations(p)).toEqual([12, 12, 12, 12]);
    expect(p).toMatchObject({ version: 3, targetDuration: 15, mediaSequence: 0, discontinuitySequence: 0, endList: false });
    const segs = checkSegments(rig);
    // no frame is lost or duplicated across the cuts: 4 x 12 s of 25 fps video
    expect(segs.reduce((n, r) => n + r.video.length, 0)).toBe(4 * 12 * 25);
    expect(rig.store.violations).toEqual([]);
  });

  it('with hls_wait_keyframe off, cuts at the first video frame past the fragment', async () => {
    const rig = hlsRig({ config: { waitKeyframe: false } });
    rig.feed(rig.publish(), syntheticStream({ durationMs: 35_000, gopMs: 3000 }));
    await rig.hls.idle();
    expect(durations(rig.playlist())).toEqual([10, 10, 10]);
  });

  it('cuts audio-only streams on time, at hls_aof_ratio x hls_fragment', async () => {
    const rig = hlsRig({ config: { fragmentMs: 4000 } });
    rig.feed(rig.publish(), syntheticStream({ durationMs: 30_000, video: null }));
    await rig.hls.idle();
    const p = rig.playlist();
    expect(p.segments).toHaveLength(3);
    for (const d of durations(p)) expect(d).toBeCloseTo(8, 1);
    expect(p.targetDuration).toBe(9);
    const segs = checkSegments(rig);
    expect(segs.every((r) => r.video.length === 0 && r.audio.length > 300)).toBe(true);
  });

  it('handles video-only streams', async () => {
    const rig = hlsRig({ config: { fragmentMs: 2000 } });
    rig.feed(rig.publish(), syntheticStream({ durationMs: 10_500, audio: null, gopMs: 1000 }));
    await rig.hls.idle();
    expect(durations(rig.playlist())).toEqual([2, 2, 2, 2, 2]);
    expect(checkSegments(rig).every((r) => r.audio.length === 0 && r.pmts[0]!.streams.length === 1)).toBe(true);
  });

  it('keeps segments and memory bounded when keyframes stop for minutes (bad-inputs row 38)', async () => {
    const rig = hlsRig();
    rig.feed(rig.publish(), syntheticStream({ durationMs: 180_000, gopMs: 600_000 }));
    await rig.hls.idle();
    const p = rig.playlist();
    for (const d of durations(p)) expect(d).toBeLessThanOrEqual(2 * p.targetDuration);
    expect(durations(p).every((d) => Math.abs(d - 20) < 0.1)).toBe(true); // cut at aof x fragment
    expect(rig.hls.stats.segments).toBe(8);
    expect(Math.max(...p.segments.map((s) => rig.segment(s.uri).length))).toBeLessThan(MAX_SEGMENT_BYTES);
  });
});

describe('HlsSegmenter timestamps (bad-inputs row 15)', () => {
  it('crosses the 2^32 ms wrap without a break', async () => {
    const rig = hlsRig({ source: { timeJitter: 'off' } });
    rig.feed(rig.publish(), syntheticStream({ durationMs: 40_000, gopMs: 2000, startTs: 2 ** 32 - 15_000 }));
    await rig.hls.idle();
    const p = rig.playlist();
    expect(durations(p)).toEqual([10, 10, 10]);
    expect(p.segments.some((s) => s.discontinuity)).toBe(false);
  });

  it.each([
    { what: 'a jump of +2^31 ms', next: 125_000 + 2 ** 31 },
    { what: 'a reset to 0', next: 0 },
    { what: 'a step back of 20 s', next: 105_000 },
  ])('closes the segment at $what and marks a discontinuity; no segment exceeds 2x target', async ({ next }) => {
    const rig = hlsRig({ source: { timeJitter: 'off' } });
    const pub = rig.publish();
    rig.feed(pub, syntheticStream({ durationMs: 25_000, gopMs: 2000, startTs: 100_000 }));
    const after = syntheticStream({ durationMs: 25_000, gopMs: 2000, startTs: next, headers: false });
    rig.feed(pub, after);
    await rig.hls.idle();
    const p = rig.playlist();
    for (const d of durations(p)) expect(d).toBeLessThanOrEqual(2 * p.targetDuration);
    expect(p.segments.filter((s) => s.discontinuity)).toHaveLength(1);
    // 25 s before the jump: 10, 10, then the tail closed at the jump, ending with its last frame
    expect(durations(p).slice(0, 2)).toEqual([10, 10]);
    expect(durations(p)[2]).toBeCloseTo(5, 1);
    expect(p.segments[3]!.discontinuity).toBe(true);
    checkSegments(rig);
  });
});

describe('HlsSegmenter window and cleanup (hls_window / hls_cleanup)', () => {
  it('slides the window, deletes old segments once players cannot need them, never lists a missing one', async () => {
    const rig = hlsRig({ config: { fragmentMs: 2000, windowMs: 10_000 } });
    rig.feed(rig.publish(), syntheticStream({ durationMs: 120_000, gopMs: 2000 }));
    await rig.hls.idle();
    const p = rig.playlist();
    expect(p.segments.length).toBe(6); // 12 s: the segment crossing the 10 s window stays
    expect(p.mediaSequence).toBe(rig.hls.stats.segments - 6);
    const stored = [...rig.store.objects.keys()].filter((k) => k.endsWith('.ts'));
    const deleted = rig.store.log.filter((l) => l.startsWith('delete ')).map((l) => l.slice(7));
    expect(deleted.length).toBeGreaterThan(40);
    expect(deleted).toEqual(deleted.map((_, i) => `live/livestream-${i}.ts`)); // oldest first
    expect(stored.length + deleted.length).toBe(rig.hls.stats.segments);
    expect(stored.length).toBeLessThanOrEqual(p.segments.length + 9); // listed + kept for players of older playlists
    // every playlist written named stored segments only (checked by the store at each write)
    expect(rig.store.playlists.length).toBe(rig.hls.stats.segments);
    expect(rig.store.violations).toEqual([]);
  });

  it('keeps every segment with hls_cleanup off', async () => {
    const rig = hlsRig({ config: { fragmentMs: 2000, windowMs: 10_000, cleanup: false } });
    rig.feed(rig.publish(), syntheticStream({ durationMs: 60_000, gopMs: 2000 }));
    await rig.hls.idle();
    expect(rig.store.log.some((l) => l.startsWith('delete'))).toBe(false);
    expect([...rig.store.objects.keys()].filter((k) => k.endsWith('.ts'))).toHaveLength(rig.hls.stats.segments);
  });
});

describe('HlsSegmenter sessions (republish, end, dispose)', () => {
  it('continues the playlist after a republish within the window with one discontinuity', async () => {
    const rig = hlsRig({ config: { fragmentMs: 2000, windowMs: 30_000 } });
    const first = rig.publish();
    rig.feed(first, syntheticStream({ durationMs: 9_000, gopMs: 1000 }));
    first.unpublish();
    await rig.hls.idle();
    const before = rig.playlist();
    rig.clock.advance(3_000);
    const republishedAt = rig.clock.now();
    rig.feed(rig.publish(), syntheticStream({ durationMs: 9_000, gopMs: 1000 }));
    await rig.hls.idle();
    const p = rig.playlist();
    // the tail is published at unpublish; it ends with its last frame (audio, up to one 23 ms frame past 9 s)
    expect(durations(before).slice(0, 4)).toEqual([2, 2, 2, 2]);
    expect(durations(before)[4]).toBeCloseTo(1, 1);
    expect(p.mediaSequence).toBe(0);
    expect(p.segments.map((s) => s.discontinuity ?? false)).toEqual([false, false, false, false, false, true, false, false, false]);
    expect(p.segments[5]!.programDateTime).toBe(republishedAt);
    expect(p.segments[0]!.programDateTime).toBe(T0);
    expect(p.segments[1]!.programDateTime).toBe(T0 + 2000);
    checkSegments(rig);
  });

  it('starts a new segment with a discontinuity on a codec switch (bad-inputs row 39)', async () => {
    const rig = hlsRig({ config: { fragmentMs: 2000 } });
    const pub = rig.publish();
    rig.feed(pub, syntheticStream({ durationMs: 5_000, gopMs: 1000 }));
    rig.feed(pub, syntheticStream({ durationMs: 5_000, gopMs: 1000, video: 'hevc', startTs: 5_000 }).filter((t) => t.kind === 'video'));
    await rig.hls.end();
    const p = rig.playlist();
    expect(durations(p)).toEqual([2, 2, 1, 2, 2, 1]); // video only after the switch: the tail ends at 9.96 s + 40 ms
    expect(p.segments.map((s) => s.discontinuity ?? false)).toEqual([false, false, false, true, false, false]);
    expect(checkSegments(rig).map((r) => r.pmts.at(-1)!.streams[0]!.streamType)).toEqual([0x1b, 0x1b, 0x1b, 0x24, 0x24, 0x24]);
  });

  it('end() publishes the tail, writes EXT-X-ENDLIST and detaches', async () => {
    const rig = hlsRig({ config: { fragmentMs: 2000 } });
    const pub = rig.publish();
    rig.feed(pub, syntheticStream({ durationMs: 7_000, gopMs: 1000 }));
    expect(rig.source.consumers).toHaveLength(1);
    await rig.hls.end();
    const p = rig.playlist();
    expect(p.endList).toBe(true);
    expect(durations(p).slice(0, 3)).toEqual([2, 2, 2]);
    expect(durations(p)[3]).toBeCloseTo(1, 1);
    expect(rig.source.consumers).toHaveLength(0);
    expect(rig.feed(pub, syntheticStream({ durationMs: 3000, startTs: 7000, headers: false }))).toBeGreaterThan(0);
    await rig.hls.idle();
    expect(rig.hls.stats.segments).toBe(4);
  });

  it('hls_dispose deletes the playlist and every segment after disposeMs without media', async () => {
    const rig = hlsRig({ config: { fragmentMs: 2000, disposeMs: 30_000 } });
    const pub = rig.publish();
    rig.feed(pub, syntheticStream({ durationMs: 9_000, gopMs: 1000 }));
    pub.unpublish();
    rig.hls.tick(rig.clock.now() + 29_000);
    await rig.hls.idle();
    expect(rig.store.objects.size).toBeGreaterThan(0);
    rig.hls.tick(rig.clock.now() + 30_000);
    await rig.hls.idle();
    expect([...rig.store.objects.keys()]).toEqual([]);
    expect(rig.hls.stats.disposals).toBe(1);
    // a later publish starts a fresh playlist; sequence numbers go on (no key is reused)
    rig.clock.advance(60_000);
    rig.feed(rig.publish(), syntheticStream({ durationMs: 5_000, gopMs: 1000 }));
    await rig.hls.idle();
    const p = rig.playlist();
    expect(p.mediaSequence).toBe(5);
    expect(p.segments.some((s) => s.discontinuity)).toBe(false);
  });
});

describe('HlsSegmenter storage and hooks', () => {
  it('sends an SRS on_hls-shaped event per segment, after the playlist that names it', async () => {
    const rig = hlsRig({ config: { fragmentMs: 2000, entryPrefix: 'https://cdn.example.com' } });
    rig.feed(rig.publish(), syntheticStream({ durationMs: 6_500, gopMs: 1000 }));
    await rig.hls.idle();
    expect(rig.events.map((e) => e.seq_no)).toEqual([0, 1, 2]);
    expect(rig.events[1]).toEqual({
      action: 'on_hls', vhost: '__defaultVhost__', app: 'live', stream: 'livestream', duration: 2,
      file: 'live/livestream-1.ts', url: 'https://cdn.example.com/live/livestream-1.ts',
      m3u8: 'live/livestream.m3u8', m3u8_url: 'live/livestream.m3u8', seq_no: 1, discontinuity: false,
    });
    expect(rig.store.text('live/livestream.m3u8')).toContain('\nhttps://cdn.example.com/live/livestream-2.ts\n');
    expect(rig.store.objects.get('live/livestream-0.ts')).toMatchObject({ contentType: 'video/mp2t' });
    expect(rig.store.objects.get('live/livestream.m3u8')).toMatchObject({ contentType: 'application/vnd.apple.mpegurl' });
  });

  it('never blocks the publisher on a slow store, then writes in order', async () => {
    const rig = hlsRig({ config: { fragmentMs: 2000 } });
    rig.store.hold();
    rig.feed(rig.publish(), syntheticStream({ durationMs: 20_500, gopMs: 1000 }));
    expect(rig.store.log).toEqual([]);
    expect(rig.hls.stats.pendingBytes).toBeGreaterThan(0);
    rig.store.release();
    await rig.hls.idle();
    const expected = Array.from({ length: 10 }, (_, i) => [`put live/livestream-${i}.ts`, 'put live/livestream.m3u8']).flat();
    expect(rig.store.log).toEqual(expected);
    expect(rig.hls.stats.pendingBytes).toBe(0);
  });

  it('drops segments past maxPendingBytes instead of growing memory, with a discontinuity after the hole', async () => {
    const rig = hlsRig({ config: { fragmentMs: 2000 }, maxPendingBytes: 100_000 });
    const pub = rig.publish();
    rig.store.hold();
    rig.feed(pub, syntheticStream({ durationMs: 20_500, gopMs: 1000 }));
    rig.store.release();
    await rig.hls.idle();
    const { segments, dropReasons } = rig.hls.stats;
    expect(dropReasons.backlog).toBe(10 - segments); // 100 kB holds ~3 segments of 26 kB
    expect(segments).toBeGreaterThan(1);
    rig.feed(pub, syntheticStream({ durationMs: 4_500, gopMs: 1000, startTs: 20_500, headers: false }));
    await rig.hls.idle();
    const p = rig.playlist();
    expect(p.segments.map((s) => s.discontinuity ?? false)).toEqual([...new Array<boolean>(segments).fill(false), true, false]);
  });

  it('survives a failing store: the segment is left out, the next one is discontinuous, nothing throws', async () => {
    const rig = hlsRig({ config: { fragmentMs: 2000 } });
    let puts = 0;
    rig.store.failWhen = (op, key) => op === 'put' && key.endsWith('.ts') && ++puts === 3;
    rig.feed(rig.publish(), syntheticStream({ durationMs: 10_500, gopMs: 1000 }));
    await rig.hls.idle();
    const p = rig.playlist();
    expect(durations(p)).toEqual([2, 2, 2, 2]); // 5 reaped, the third lost
    expect(p.segments.map((s) => s.discontinuity ?? false)).toEqual([false, false, true, false]);
    expect(rig.hls.stats).toMatchObject({ storeErrors: 1, segments: 4, dropReasons: { store_failed: 1 } });
    expect(rig.warnings).toContain('hls_segment_store_failed live/livestream-2.ts');
    expect(rig.store.violations).toEqual([]);
    // the failed sequence number is reused: the playlist's numbering stays contiguous
    expect(rig.events.map((e) => e.file)).toEqual(['live/livestream-0.ts', 'live/livestream-1.ts', 'live/livestream-2.ts', 'live/livestream-3.ts']);
  });

  it('drops malformed frames (bad-inputs rows 36/37) and keeps segmenting', async () => {
    const rig = hlsRig({ config: { fragmentMs: 2000 } });
    const pub = rig.publish();
    const tags = syntheticStream({ durationMs: 6_500, gopMs: 1000 });
    tags.splice(100, 0, { kind: 'video', timestamp: tags[99]!.timestamp, payload: tag.avcRaw(false, Uint8Array.of(0xff, 0xff, 0xff, 0xff, 0x41)) });
    rig.feed(pub, tags);
    await rig.hls.idle();
    expect(rig.hls.remuxStats.dropReasons).toEqual({ avcc_nalu_overrun: 1 });
    expect(rig.hls.stats.segments).toBe(3);
    expect(rig.warnings).toContain('hls_frame_dropped avcc_nalu_overrun');
    checkSegments(rig);
  });
});
