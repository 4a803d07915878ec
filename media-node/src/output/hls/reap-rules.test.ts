import { describe, expect, it } from 'vitest';
import { DEFAULT_HLS_CONFIG } from './hls-config.ts';
import { MAX_SEGMENT_BYTES, closeProblem, reapReason } from './reap-rules.ts';
import { MediaTimeline, jumpLimitMs } from './media-timeline.ts';

const c = DEFAULT_HLS_CONFIG; // fragment 10 s, aof 2.0, wait keyframe on
const key = { kind: 'video', keyframe: true } as const;
const inter = { kind: 'video', keyframe: false } as const;
const audio = { kind: 'audio', keyframe: false } as const;

describe('reap rules (SRS 4 write_video / write_audio)', () => {
  it.each([
    { what: 'keyframe before the fragment', d: 9_999, f: key, cfg: c, want: null },
    { what: 'keyframe at the fragment', d: 10_000, f: key, cfg: c, want: 'fragment' },
    { what: 'inter frame past the fragment, waiting for a keyframe', d: 15_000, f: inter, cfg: c, want: null },
    { what: 'inter frame past the fragment, wait_keyframe off', d: 10_040, f: inter, cfg: { ...c, waitKeyframe: false }, want: 'fragment' },
    { what: 'audio past the fragment (A/V stream waits for video)', d: 19_999, f: audio, cfg: c, want: null },
    { what: 'audio at aof x fragment (absolutely overflow)', d: 20_000, f: audio, cfg: c, want: 'overflow' },
    { what: 'inter frame at aof x fragment (beyond SRS: no-keyframe video)', d: 20_000, f: inter, cfg: c, want: 'overflow' },
    { what: 'keyframe under 200 ms with a tiny fragment', d: 199, f: key, cfg: { ...c, fragmentMs: 100 }, want: null },
  ])('$what', ({ d, f, cfg, want }) => {
    expect(reapReason(cfg, d, 1000, f)).toBe(want);
  });

  it('cuts on bytes whatever the time', () => {
    expect(reapReason(c, 0, MAX_SEGMENT_BYTES, inter)).toBe('bytes');
  });

  it('drops segments under 100 ms or over twice the target (SRS segment_close)', () => {
    expect(closeProblem(99, 15_000)).toBe('too_short');
    expect(closeProblem(100, 15_000)).toBeNull();
    expect(closeProblem(30_000, 15_000)).toBeNull();
    expect(closeProblem(30_001, 15_000)).toBe('too_long');
  });
});

describe('media timeline', () => {
  it('steps through the 2^32 wrap and reports jumps without adding them', () => {
    const tl = new MediaTimeline(jumpLimitMs(10_000));
    const raw = [2 ** 32 - 80, 2 ** 32 - 40, 0, 40, 40 + 2 ** 31, 2 ** 31 + 80, 5, 45];
    expect(raw.map((r) => tl.next(r))).toEqual([
      { t: 0, jump: false }, { t: 40, jump: false }, { t: 80, jump: false }, { t: 120, jump: false },
      { t: 120, jump: true }, { t: 160, jump: false }, { t: 160, jump: true }, { t: 200, jump: false },
    ]);
  });

  it('limits jumps to half a fragment, between 1 and 5 s', () => {
    expect([jumpLimitMs(1000), jumpLimitMs(4000), jumpLimitMs(10_000), jumpLimitMs(60_000)]).toEqual([1000, 2000, 5000, 5000]);
  });
});
