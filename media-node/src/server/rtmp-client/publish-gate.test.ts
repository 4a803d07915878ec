import { describe, expect, it } from 'vitest';
import { test as fcTest, fc } from '@fast-check/vitest';
import { flv } from '../../hub/fake-stream.ts';
import type { MediaKind } from '../../hub/media-message.ts';
import { PublishGate } from './publish-gate.ts';
import type { PublishGateStats } from './publish-gate.ts';

const LIMIT = 1000;

/** Named frames a publisher offers. */
const F = {
  meta: ['data', flv.setDataFrameMetadata()],
  vsh: ['video', flv.avcSequenceHeader()],
  ash: ['audio', flv.aacSequenceHeader()],
  key: ['video', flv.avcKeyframe()],
  inter: ['video', flv.avcInterframe()],
  aac: ['audio', flv.aacFrame()],
  cue: ['data', Uint8Array.from([0x02, 0, 10, ...[...'onCuePoint'].map((c) => c.charCodeAt(0))])],
} as const satisfies Record<string, readonly [MediaKind, Uint8Array]>;
type Name = keyof typeof F;

/** [frame, live, bytes buffered in the socket] -> written? */
type Step = readonly [Name, boolean, number, boolean];

const scenarios: Array<{ name: string; steps: Step[]; stats?: Partial<PublishGateStats> }> = [
  {
    name: 'drops everything while not publishing',
    steps: [['meta', false, 0, false], ['vsh', false, 0, false], ['key', false, 0, false], ['aac', false, 0, false]],
    stats: { droppedDisconnected: 4, sent: 0 },
  },
  {
    name: 'video starts at a keyframe; audio and headers do not wait',
    steps: [['vsh', true, 0, true], ['inter', true, 0, false], ['aac', true, 0, true], ['key', true, 0, true], ['inter', true, 0, true]],
    stats: { droppedVideo: 1, sent: 4 },
  },
  {
    name: 'over the limit: video shed until a keyframe arrives with room',
    steps: [
      ['key', true, 0, true], ['inter', true, LIMIT + 1, false], ['inter', true, 0, false],
      ['key', true, LIMIT + 1, false], ['aac', true, LIMIT + 1, true], ['key', true, LIMIT, true], ['inter', true, 0, true],
    ],
    stats: { droppedVideo: 3, droppedAudio: 0 },
  },
  {
    name: 'over twice the limit: audio and other data go too, headers still pass',
    steps: [
      ['key', true, 0, true], ['aac', true, 2 * LIMIT + 1, false], ['cue', true, 2 * LIMIT + 1, false],
      ['ash', true, 2 * LIMIT + 1, true], ['meta', true, 2 * LIMIT + 1, true], ['inter', true, 2 * LIMIT + 1, false], ['aac', true, 2 * LIMIT, true],
    ],
    stats: { droppedAudio: 1, droppedData: 1, droppedVideo: 1 },
  },
];

describe('PublishGate', () => {
  it.each(scenarios)('$name', ({ steps, stats }) => {
    const gate = new PublishGate(LIMIT);
    steps.forEach(([name, live, buffered, expected], i) => {
      const [kind, payload] = F[name];
      expect(gate.admit(kind, payload, live, buffered), `step ${i} ${name}`).toBe(expected);
    });
    if (stats) expect(gate.stats).toMatchObject(stats);
  });

  it('restart() hands back the last metadata (without @setDataFrame) and headers, and video waits again', () => {
    const gate = new PublishGate(LIMIT);
    const newer = flv.avcSequenceHeader(7);
    for (const n of ['meta', 'vsh', 'ash', 'key'] as const) gate.admit(F[n][0], F[n][1], true, 0);
    gate.admit('video', newer, false, 0);
    expect(gate.waitingForKeyframe).toBe(false);
    const headers = gate.restart();
    expect(headers.map((h) => h.kind)).toEqual(['data', 'video', 'audio']);
    expect(headers[0].payload).toEqual(F.meta[1].subarray(16));
    expect(headers[1].payload).toBe(newer);
    expect(headers[2].payload).toBe(F.ash[1]);
    expect(gate.waitingForKeyframe).toBe(true);
    expect(gate.admit('video', F.inter[1], true, 0)).toBe(false);
  });

  it('restart() with nothing seen yet has no headers', () => {
    expect(new PublishGate().restart()).toEqual([]);
  });

  it('refuses a limit that is not positive', () => {
    expect(() => new PublishGate(0)).toThrow(RangeError);
  });

  const names = Object.keys(F) as Name[];
  fcTest.prop([fc.array(fc.tuple(fc.constantFrom(...names), fc.boolean(), fc.nat({ max: 4 * LIMIT })), { maxLength: 200 })])(
    'never writes a non-header frame while disconnected or past the hard limit, and counts every frame once',
    (steps) => {
      const gate = new PublishGate(LIMIT);
      let lastVideoSent: Name | null = null;
      for (const [name, live, buffered] of steps) {
        const [kind, payload] = F[name];
        const ok = gate.admit(kind, payload, live, buffered);
        const header = name === 'meta' || name === 'vsh' || name === 'ash';
        if (!live || (!header && buffered > 2 * LIMIT)) expect(ok).toBe(false);
        if (ok && kind === 'video' && !header) {
          // video after a drop or at the start resumes only at a keyframe
          if (lastVideoSent === null) expect(name).toBe('key');
          lastVideoSent = name;
        }
        if (!ok && kind === 'video' && !header && live) lastVideoSent = null;
      }
      const s = gate.stats;
      expect(s.sent + s.droppedDisconnected + s.droppedVideo + s.droppedAudio + s.droppedData).toBe(steps.length);
    },
  );
});
