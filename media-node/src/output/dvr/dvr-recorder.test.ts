import { describe, expect, it } from 'vitest';
import { inspectMp4 } from '../../format/mp4/inspect-mp4.ts';
import { syntheticStream, tag, type SyntheticTag } from '../../format/remux/synthetic-stream.ts';
import { DvrRecorder } from './dvr-recorder.ts';
import type { DvrFileEvent } from './dvr-events.ts';
import { MemorySpool } from './dvr-spool.ts';
import { T0, dvrRig, readFlv } from './test-kit.ts';
import { FakeClock } from '../../hub/clock.ts';
import { MemoryStore } from '../../storage/memory-store.ts';

const frames = (tags: readonly SyntheticTag[], kind: 'audio' | 'video') => tags.filter((t) => t.kind === kind && t.timestamp >= 0).length - 1;
const durations = (events: readonly DvrFileEvent[]) => events.map((e) => e.duration);
const sum = (xs: readonly number[]) => xs.reduce((a, b) => a + b, 0);

/** Video and audio frames of a stored file, by format. */
function counts(rig: ReturnType<typeof dvrRig>, e: DvrFileEvent): { video: number; audio: number; key: boolean; duration: number } {
  const bytes = rig.bytes(e);
  if (e.format === 'flv') {
    const f = readFlv(bytes);
    return { video: f.video.length, audio: f.audio.length, key: f.firstVideoKey, duration: f.duration! };
  }
  const info = inspectMp4(bytes);
  const v = info.tracks.find((t) => t.handler === 'vide');
  const a = info.tracks.find((t) => t.handler === 'soun');
  return { video: v?.samples.length ?? 0, audio: a?.samples.length ?? 0, key: v === undefined || v.samples[0]!.keyframe, duration: info.duration / 1000 };
}

describe.each(['flv', 'mp4'] as const)('DvrRecorder %s', (format) => {
  const file = `[app]/[stream].[timestamp].${format}`;

  it('session plan: one file per publish holding every frame, stored when the publisher leaves', async () => {
    const rig = dvrRig({ config: { file } });
    const tags = syntheticStream({ durationMs: 10_000, gopMs: 2000 });
    const pub = rig.publish();
    rig.feed(pub, tags);
    expect(rig.dvr.recording).toBe(`live/livestream.${T0}.${format}`);
    pub.unpublish();
    await rig.dvr.idle();
    expect(rig.events).toHaveLength(1);
    const e = rig.events[0]!;
    expect(e).toMatchObject({
      action: 'on_dvr', vhost: '__defaultVhost__', app: 'live', stream: 'livestream', file: `live/livestream.${T0}.${format}`,
      format, plan: 'session', startTime: T0, reason: 'unpublish',
      videoFrames: frames(tags, 'video'), audioFrames: frames(tags, 'audio'), bytes: rig.bytes(e).length,
    });
    expect(e.duration).toBeCloseTo(10, 1);
    const c = counts(rig, e);
    expect(c).toMatchObject({ video: frames(tags, 'video'), audio: frames(tags, 'audio'), key: true });
    expect(c.duration).toBeCloseTo(e.duration, 2);
    expect(rig.store.objects.get(e.file)!.contentType).toBe(format === 'flv' ? 'video/x-flv' : 'video/mp4');
    expect(rig.spool.files.size).toBe(0);
    expect(rig.dvr.stats).toMatchObject({ files: 1, storeErrors: 0, internalErrors: 0, pendingBytes: 0 });
  });

  it('segment plan: cuts at the first keyframe past dvr_duration; no frame lost or repeated', async () => {
    const rig = dvrRig({ config: { file, plan: 'segment', durationMs: 3000 } });
    const tags = syntheticStream({ durationMs: 10_000, gopMs: 1000 });
    const pub = rig.publish();
    rig.feed(pub, tags);
    pub.unpublish();
    await rig.dvr.idle();
    expect(durations(rig.events).slice(0, -1)).toEqual([3, 3, 3]);
    expect(rig.events.at(-1)!.duration).toBeCloseTo(1, 1); // the last frame lasts one frame step
    expect(rig.events.map((e) => e.reason)).toEqual(['duration', 'duration', 'duration', 'unpublish']);
    const all = rig.events.map((e) => counts(rig, e));
    expect(all.every((c) => c.key)).toBe(true);
    expect(sum(all.map((c) => c.video))).toBe(frames(tags, 'video'));
    expect(sum(all.map((c) => c.audio))).toBe(frames(tags, 'audio'));
    for (const [i, c] of all.entries()) expect(c.duration).toBeCloseTo(rig.events[i]!.duration, 1);
    // every file has its own name and start time
    expect(new Set(rig.events.map((e) => e.file)).size).toBe(4);
    expect(rig.events.map((e) => e.startTime - T0)).toEqual([0, 3000, 6000, 9000]);
  });

  it('segment plan waits for a keyframe past the duration (GOP 2 s, duration 3 s -> 4 s files)', async () => {
    const rig = dvrRig({ config: { file, plan: 'segment', durationMs: 3000 } });
    rig.feed(rig.publish(), syntheticStream({ durationMs: 12_100, gopMs: 2000 }));
    await rig.dvr.end();
    expect(durations(rig.events).slice(0, -1)).toEqual([4, 4, 4]);
    expect(rig.events.at(-1)!.duration).toBeCloseTo(0.1, 1);
    expect(rig.events.at(-1)!.reason).toBe('end');
  });

  it('with dvr_wait_keyframe off, cuts at the duration; the next file video waits for its keyframe', async () => {
    const rig = dvrRig({ config: { file, plan: 'segment', durationMs: 3000, waitKeyframe: false } });
    rig.feed(rig.publish(), syntheticStream({ durationMs: 8000, gopMs: 2000 }));
    await rig.dvr.end();
    expect(durations(rig.events).slice(0, -1)).toEqual([3, 3]);
    expect(rig.events.map((e) => counts(rig, e).key)).toEqual([true, true, true]);
    // the 3 s cut falls between keyframes: video resumes at 4 s (25 frames dropped); the 6 s cut is on one
    expect(rig.dvr.stats.droppedFrames.wait_keyframe).toBe(25);
  });

  it('cuts audio-only streams on time', async () => {
    const rig = dvrRig({ config: { file, plan: 'segment', durationMs: 2000 } });
    const tags = syntheticStream({ durationMs: 7000, video: null });
    rig.feed(rig.publish(), tags);
    await rig.dvr.end();
    expect(rig.events).toHaveLength(4);
    for (const d of durations(rig.events).slice(0, -1)) expect(d).toBeCloseTo(2, 1);
    expect(sum(rig.events.map((e) => counts(rig, e).audio))).toBe(frames(tags, 'audio'));
  });

  it('a republish is a new file in both plans', async () => {
    const rig = dvrRig({ config: { file } });
    rig.feed(rig.publish(), syntheticStream({ durationMs: 3000 }));
    rig.source.unpublish();
    rig.clock.advance(5000);
    const again = rig.clock.now();
    rig.feed(rig.publish(), syntheticStream({ durationMs: 2000 }));
    rig.source.unpublish();
    await rig.dvr.idle();
    expect(rig.events.map((e) => [e.reason, e.startTime])).toEqual([['unpublish', T0], ['unpublish', again]]);
    expect(durations(rig.events).map(Math.round)).toEqual([3, 2]);
  });
});

describe('DvrRecorder with bad input keeps files valid and bounded', () => {
  it('a codec switch mid-stream closes the file; the next one carries the new codec', async () => {
    const rig = dvrRig({ config: { file: '[app]/[stream].[timestamp].mp4' } });
    const pub = rig.publish();
    rig.feed(pub, syntheticStream({ durationMs: 2000, audio: null }));
    rig.feed(pub, syntheticStream({ durationMs: 2000, audio: null, video: 'hevc', startTs: 2000 }));
    pub.unpublish();
    await rig.dvr.idle();
    expect(rig.events.map((e) => e.reason)).toEqual(['codec_changed', 'unpublish']);
    expect(rig.events.map((e) => inspectMp4(rig.bytes(e)).tracks[0]!.entry)).toEqual(['avc1', 'hvc1']);
    expect(rig.events.map((e) => e.videoFrames)).toEqual([50, 50]);
    expect(rig.events[0]!.file).not.toBe(rig.events[1]!.file);
  });

  it('a timestamp jump (jitter off) closes the file instead of making it hours long', async () => {
    const rig = dvrRig({ config: { file: '[app]/[stream].[timestamp].mp4' }, source: { timeJitter: 'off' } });
    const pub = rig.publish();
    rig.feed(pub, syntheticStream({ durationMs: 2000 }));
    rig.feed(pub, syntheticStream({ durationMs: 2000, headers: false, startTs: 3_600_000 }));
    pub.unpublish();
    await rig.dvr.idle();
    expect(rig.events.map((e) => e.reason)).toEqual(['timestamp_jump', 'unpublish']);
    for (const e of rig.events) expect(e.duration).toBeLessThan(2.1);
  });

  it('video without keyframes: files are cut at twice the duration and hold audio only until a keyframe', async () => {
    const rig = dvrRig({ config: { file: '[app]/[stream].[timestamp].flv', plan: 'segment', durationMs: 2000 } });
    const pub = rig.publish();
    // one keyframe at 0, then 9 s of inter frames
    rig.feed(pub, syntheticStream({ durationMs: 9000, gopMs: 60_000 }));
    pub.unpublish();
    await rig.dvr.idle();
    expect(durations(rig.events).slice(0, -1).every((d) => d <= 4.05)).toBe(true);
    expect(rig.events.slice(1).every((e) => e.videoFrames === 0 && e.audioFrames > 0)).toBe(true);
    expect(rig.dvr.stats.droppedFrames.wait_keyframe).toBeGreaterThan(100);
  });

  it('frames before any sequence header are dropped, not written', async () => {
    const rig = dvrRig({ config: { file: '[app]/[stream].[timestamp].mp4' } });
    rig.feed(rig.publish(), syntheticStream({ durationMs: 1000, headers: false }));
    await rig.dvr.end();
    expect(rig.events).toEqual([]);
    expect(rig.dvr.stats.emptyFiles).toBe(1);
    expect(rig.dvr.stats.droppedFrames.no_sequence_header).toBeGreaterThan(0);
    expect(rig.spool.files.size).toBe(0);
  });

  it('starts a new file at the MP4 sample cap', async () => {
    const rig = dvrRig({ config: { file: '[app]/[stream].[timestamp].mp4' }, maxSamples: 100 });
    rig.feed(rig.publish(), syntheticStream({ durationMs: 4000, gopMs: 1000 }));
    await rig.dvr.end();
    expect(rig.events.length).toBeGreaterThanOrEqual(3);
    expect(rig.events.map((e) => e.reason)).toEqual([...rig.events.slice(1).map(() => 'limit'), 'end']);
    for (const e of rig.events) {
      expect(e.videoFrames + e.audioFrames).toBeLessThanOrEqual(100);
      expect(inspectMp4(rig.bytes(e)).tracks.reduce((n, t) => n + t.samples.length, 0)).toBe(e.videoFrames + e.audioFrames);
    }
  });
});

describe('DvrRecorder storage', () => {
  it('a failed put leaves the recording in the spool, logs it, and the next file is stored', async () => {
    const rig = dvrRig({ config: { plan: 'segment', durationMs: 2000 } });
    rig.store.failWhen = (_op, key) => key.endsWith(`${T0}.flv`);
    rig.feed(rig.publish(), syntheticStream({ durationMs: 5000, gopMs: 1000 }));
    await rig.dvr.end();
    expect(rig.events.map((e) => e.startTime - T0)).toEqual([2000, 4000]);
    expect(rig.dvr.stats.storeErrors).toBe(1);
    expect(rig.spool.files.size).toBe(1);
    expect(rig.warnings).toContain(`dvr_store_failed live/livestream.${T0}.flv`);
  });

  it('survives a spool that cannot create files', async () => {
    const rig = dvrRig();
    rig.spool.failCreate = true;
    rig.feed(rig.publish(), syntheticStream({ durationMs: 2000 }));
    await rig.dvr.end();
    expect(rig.events).toEqual([]);
    expect(rig.dvr.stats).toMatchObject({ storeErrors: 1, internalErrors: 0 });
  });

  it('a stalled spool: past maxPendingBytes the file is closed and frames dropped until it catches up', async () => {
    const rig = dvrRig({ maxPendingBytes: 5000 });
    rig.spool.hold();
    const pub = rig.publish();
    rig.feed(pub, syntheticStream({ durationMs: 4000 }));
    expect(rig.dvr.stats.closeReasons.backlog).toBe(1);
    expect(rig.dvr.stats.droppedFrames.backlog).toBeGreaterThan(0);
    expect(rig.dvr.stats.pendingBytes).toBeLessThan(5000 + 1000);
    rig.spool.release();
    await rig.dvr.idle();
    rig.feed(pub, syntheticStream({ durationMs: 1000, headers: false, startTs: 4000 }));
    pub.unpublish();
    await rig.dvr.idle();
    expect(rig.events.map((e) => e.reason)).toEqual(['backlog', 'unpublish']);
    expect(rig.events.every((e) => readFlv(rig.bytes(e)).firstVideoKey)).toBe(true);
  });

  it('puts by file when the store can take one and the spool has a path, else reads the spool', async () => {
    const record = async (withPath: boolean) => {
      const moved: string[] = [];
      const store = Object.assign(new MemoryStore(), {
        async putFile(key: string, path: string) {
          moved.push(`${key} <- ${path}`);
        },
      });
      const spool = new MemorySpool();
      const create = spool.create.bind(spool);
      spool.create = async (ext) => Object.assign(await create(ext), withPath ? { path: `/spool/x.${ext}` } : {});
      const dvr = new DvrRecorder({ names: { vhost: 'v', app: 'a', stream: 's' }, store, spool, clock: new FakeClock(T0) });
      dvr.write({ kind: 'video', timestamp: 0, payload: tag.avcSequenceHeader(), keyframe: false, sequenceHeader: true, wire: {} });
      dvr.write({ kind: 'video', timestamp: 0, payload: tag.avcFrame(true), keyframe: true, sequenceHeader: false, wire: {} });
      await dvr.end();
      return { moved, stored: [...store.objects.keys()] };
    };
    expect(await record(true)).toEqual({ moved: [`a/s.${T0}.flv <- /spool/x.flv`], stored: [] });
    expect(await record(false)).toEqual({ moved: [], stored: [`a/s.${T0}.flv`] });
  });

  it('a listener that throws is counted, the next file still announced', async () => {
    const rig = dvrRig({ config: { plan: 'segment', durationMs: 1000 } });
    let calls = 0;
    (rig.dvr as unknown as { listener: { onDvr: () => void } }).listener.onDvr = () => {
      calls++;
      throw new Error('listener broke');
    };
    rig.feed(rig.publish(), syntheticStream({ durationMs: 3000, gopMs: 1000 }));
    await rig.dvr.end();
    expect(calls).toBe(3);
    expect(rig.dvr.stats.listenerErrors).toBe(3);
  });
});

describe('DvrRecorder file names (SRS dvr_path)', () => {
  const at = Date.UTC(2015, 0, 3, 10, 57, 30, 776);

  it.each([
    ['[vhost]/[app]/[stream]/[2006]/[01]/[02]/[15].[04].[05].[999].flv', '__defaultVhost__/live/livestream/2015/01/03/10.57.30.776.flv', 'flv'],
    ['[app]/[stream].[timestamp].mp4', `live/livestream.${at}.mp4`, 'mp4'],
    ['records/[app]', `records/live/livestream.${at}.flv`, 'flv'],
  ])('%s -> %s', async (template, key, format) => {
    const rig = dvrRig({ config: { file: template } });
    rig.clock.set(at);
    rig.feed(rig.publish(), syntheticStream({ durationMs: 500 }));
    await rig.dvr.end();
    expect(rig.dvr.config.format).toBe(format);
    expect(rig.events.map((e) => e.file)).toEqual([key]);
  });

  it('gives a file that would reuse a recent name a numbered one', async () => {
    const rig = dvrRig({ config: { file: '[app]/[stream].mp4' } });
    const pub = rig.publish();
    rig.feed(pub, syntheticStream({ durationMs: 500 }));
    pub.unpublish();
    rig.feed(rig.publish(), syntheticStream({ durationMs: 500 }));
    await rig.dvr.end();
    expect(rig.events.map((e) => e.file)).toEqual(['live/livestream.mp4', 'live/livestream.1.mp4']);
  });

  it.each(['../[stream].flv', '[app]/[seq].flv', '/abs/[stream].mp4'])('refuses %s at construction', (t) => {
    expect(() => dvrRig({ config: { file: t } })).toThrow();
  });
});
