import { describe, expect, it } from 'vitest';
import { SegmentWindow, type StoredSegment } from './segment-window.ts';

const seg = (seq: number, durationMs: number, discontinuity = false): StoredSegment => ({
  seq, key: `live/s-${seq}.ts`, uri: `s-${seq}.ts`, durationMs, discontinuity, programDateTime: seq * 10_000,
});

describe('SegmentWindow (SRS SrsFragmentWindow + RFC 8216 6.2.2)', () => {
  it('keeps the segment that crosses the window and drops the ones before it', () => {
    const w = new SegmentWindow({ windowMs: 30_000, minTargetS: 10, keepExpired: true });
    for (let i = 0; i < 5; i++) w.add(seg(i, 10_000));
    // after seg 4: [1,2,3,4] is 40 s; dropping 1 leaves 30 s, not > 30 s, so 1 stays (it crosses the limit)
    expect(w.segments.map((s) => s.seq)).toEqual([1, 2, 3, 4]);
    expect(w.playlist(false)).toMatchObject({ mediaSequence: 1, targetDuration: 10, endList: false });
  });

  it('never shrinks below three target durations', () => {
    const w = new SegmentWindow({ windowMs: 10_000, minTargetS: 10, keepExpired: false });
    for (let i = 0; i < 6; i++) w.add(seg(i, 10_000));
    expect(w.segments.map((s) => s.seq)).toEqual([3, 4, 5]);
  });

  it('hands segments back for deletion only after their duration plus the playlist duration', () => {
    const w = new SegmentWindow({ windowMs: 30_000, minTargetS: 10, keepExpired: true });
    const due: number[][] = [];
    for (let i = 0; i < 12; i++) due.push(w.add(seg(i, 10_000)).map((s) => s.seq));
    // seg 0 leaves when seg 4 arrives (media 50 s, playlist 50 s): due at 50 + 10 + 50 = 110 s, i.e. with seg 10
    expect(due.findIndex((d) => d.includes(0))).toBe(10);
    expect(due.findIndex((d) => d.includes(1))).toBe(11);
    expect(due.flat()).toEqual([0, 1]);
    expect(w.clear().map((s) => s.seq)).toEqual([2, 3, 4, 5, 6, 7, 8, 9, 10, 11]);
    expect(w.segments).toEqual([]);
  });

  it('forgets segments that left when cleanup is off', () => {
    const w = new SegmentWindow({ windowMs: 30_000, minTargetS: 10, keepExpired: false });
    let due = 0;
    for (let i = 0; i < 20; i++) due += w.add(seg(i, 10_000)).length;
    expect(due).toBe(0);
    expect(w.clear()).toHaveLength(4);
  });

  it('counts discontinuities that leave, and never lowers the target duration', () => {
    const w = new SegmentWindow({ windowMs: 20_000, minTargetS: 5, keepExpired: false });
    w.add(seg(0, 10_000));
    w.add(seg(1, 12_300, true));
    w.add(seg(2, 10_000));
    w.add(seg(3, 4_000));
    expect(w.targetDurationS).toBe(13);
    const before = w.playlist(false);
    for (let i = 4; i < 12; i++) w.add(seg(i, 4_000));
    const after = w.playlist(true);
    expect(before.discontinuitySequence).toBe(0);
    expect(after).toMatchObject({ discontinuitySequence: 1, targetDuration: 13, endList: true });
    expect(after.segments.some((s) => s.discontinuity)).toBe(false);
  });
});
