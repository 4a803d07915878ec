import { describe, expect, it } from 'vitest';
import { test as fcTest, fc } from '@fast-check/vitest';
import { hex } from '@runnel/shared';
import { PlayerClock, isMediaFrame, summarizeLags } from './player-clock.ts';

describe('PlayerClock', () => {
  it('has no lag before the first frame', () => {
    const c = new PlayerClock();
    expect(c.started).toBe(false);
    expect(c.lagMs(1000)).toBeUndefined();
    expect(c.mediaElapsedMs()).toBe(0);
  });

  it('keeps a constant lag for a stream that arrives in real time', () => {
    const c = new PlayerClock();
    for (let i = 0; i <= 100; i++) c.onFrame(5000 + i * 40, 10_000 + i * 40);
    expect(c.lagMs(10_000 + 100 * 40)).toBe(0);
    expect(c.frames).toBe(101);
  });

  it('starts ahead after a GOP-cache burst, then holds', () => {
    const c = new PlayerClock();
    // 2 s of cached media arrives at once at t=0, then real time.
    for (let ts = 0; ts <= 2000; ts += 40) c.onFrame(ts, 0);
    expect(c.lagMs(0)).toBe(-2000);
    for (let i = 1; i <= 25; i++) c.onFrame(2000 + i * 40, i * 40);
    expect(c.lagMs(1000)).toBe(-2000);
  });

  it('grows by the time a player is starved', () => {
    const c = new PlayerClock();
    c.onFrame(0, 0);
    c.onFrame(1000, 1000);
    // nothing for 4 s
    expect(c.lagMs(5000)).toBe(4000);
  });

  it('takes the largest timestamp, so an out-of-order audio frame does not count as lag', () => {
    const c = new PlayerClock();
    c.onFrame(100, 0);
    c.onFrame(600, 500);
    c.onFrame(560, 500);
    expect(c.mediaElapsedMs()).toBe(500);
  });

  it('unwraps 32-bit timestamps', () => {
    const c = new PlayerClock();
    c.onFrame(0xffff_ff00, 0);
    c.onFrame(0x0000_0100, 512);
    expect(c.mediaElapsedMs()).toBe(512);
    expect(c.lagMs(512)).toBe(0);
  });

  fcTest.prop([fc.integer({ min: 0, max: 2 ** 32 - 1 }), fc.array(fc.integer({ min: 0, max: 200 }), { minLength: 1, maxLength: 200 })])(
    'media elapsed is the sum of forward steps, wherever the timestamps start',
    (start, steps) => {
      const c = new PlayerClock();
      let ts = start;
      let wall = 0;
      c.onFrame(ts, wall);
      for (const s of steps) {
        ts = (ts + s) >>> 0;
        wall += s;
        c.onFrame(ts, wall);
      }
      const total = steps.reduce((a, b) => a + b, 0);
      expect(c.mediaElapsedMs()).toBe(total);
      expect(c.lagMs(wall)).toBe(0);
    },
  );
});

describe('isMediaFrame', () => {
  it.each([
    { name: 'AVC sequence header', type: 9, body: '17 00 00 00 00 01 64', want: false },
    { name: 'AVC keyframe NALU', type: 9, body: '17 01 00 00 00 00 00', want: true },
    { name: 'AVC inter frame', type: 9, body: '27 01 00 00 00', want: true },
    { name: 'legacy HEVC (codec 12) sequence header', type: 9, body: '1c 00 00 00 00', want: false },
    { name: 'E-RTMP SequenceStart (hvc1)', type: 9, body: '90 68 76 63 31', want: false },
    { name: 'E-RTMP CodedFrames', type: 9, body: '91 68 76 63 31 00 00 00', want: true },
    { name: 'AAC AudioSpecificConfig', type: 8, body: 'af 00 12 10', want: false },
    { name: 'AAC raw frame', type: 8, body: 'af 01 21 1b', want: true },
    { name: 'MP3 frame', type: 8, body: '2f ff fb', want: true },
    { name: 'E-RTMP audio SequenceStart (Opus)', type: 8, body: '90 4f 70 75 73', want: false },
    { name: 'E-RTMP audio CodedFrames', type: 8, body: '91 4f 70 75 73 00', want: true },
    { name: 'empty video body', type: 9, body: '', want: false },
    { name: 'empty audio body', type: 8, body: '', want: false },
    { name: 'script data (onMetaData)', type: 18, body: '02 00 0a 6f 6e 4d 65 74 61 44 61 74 61', want: false },
  ])('$name -> $want', (c) => {
    expect(isMediaFrame(c.type, hex(c.body))).toBe(c.want);
  });
});

describe('summarizeLags', () => {
  it('counts playing players under the threshold, max and median', () => {
    const s = summarizeLags([-1000, 500, null, 2999, 3000, 8000], 3000);
    expect(s).toEqual({ players: 6, playing: 5, keepingUp: 3, maxLagMs: 8000, medianLagMs: 2999 });
  });

  it('reports zeros when nobody plays', () => {
    expect(summarizeLags([null, null], 3000)).toEqual({ players: 2, playing: 0, keepingUp: 0, maxLagMs: 0, medianLagMs: 0 });
    expect(summarizeLags([], 3000).players).toBe(0);
  });
});
