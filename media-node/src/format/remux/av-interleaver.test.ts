import { describe, expect, it } from 'vitest';
import { test as fcTest, fc } from '@fast-check/vitest';
import { AvInterleaver, MAX_INTERLEAVE_SPAN_MS } from './av-interleaver.ts';

type K = 'audio' | 'video';
const run = (input: readonly [K, number][], tracks = { audio: true, video: true }): { live: string[]; all: string[] } => {
  const il = new AvInterleaver<string>();
  il.expect(tracks);
  const out: string[] = [];
  for (const [k, at] of input) il.push(k, at, `${k[0]}${at}`, out);
  const live = [...out];
  il.flush(out);
  return { live, all: out };
};

describe('AvInterleaver', () => {
  it('puts a video burst ahead of batched audio back in time order (what FFmpeg muxes into TS), audio first on a tie', () => {
    const input: [K, number][] = [['video', 1423], ['video', 1463], ['video', 1503], ['audio', 1400], ['audio', 1423], ['audio', 1446], ['audio', 1469], ['audio', 1492], ['audio', 1516], ['video', 1543]];
    expect(run(input).all).toEqual(['a1400', 'a1423', 'v1423', 'a1446', 'v1463', 'a1469', 'a1492', 'v1503', 'a1516', 'v1543']);
  });

  it('does not wait for a track the program does not have', () => {
    expect(run([['video', 0], ['video', 40]], { audio: false, video: true }).live).toEqual(['v0', 'v40']);
  });

  it('stops waiting for a track that went silent once the other has waited MAX_INTERLEAVE_SPAN_MS', () => {
    const input: [K, number][] = [['audio', 0], ['video', 0], ['video', 500], ['video', 500 + MAX_INTERLEAVE_SPAN_MS + 40]];
    expect(run(input).live).toEqual(['a0', 'v0', 'v500']);
  });

  fcTest.prop([fc.array(fc.integer({ min: 0, max: 60 }), { maxLength: 80 }), fc.array(fc.integer({ min: 0, max: 60 }), { maxLength: 80 }), fc.array(fc.boolean(), { maxLength: 200 })])(
    'any interleaving of two monotonic tracks comes out merged in time order, nothing lost, each track in its own order',
    (aSteps, vSteps, picks) => {
      const mk = (steps: number[], kind: K): [K, number][] => {
        let t = 0;
        return steps.map((s) => [kind, (t += s)] as [K, number]);
      };
      const a = mk(aSteps, 'audio');
      const v = mk(vSteps, 'video');
      const input: [K, number][] = [];
      let i = 0;
      let j = 0;
      for (const p of picks) {
        if (p && i < a.length) input.push(a[i++]!);
        else if (j < v.length) input.push(v[j++]!);
      }
      input.push(...a.slice(i), ...v.slice(j));
      const { all } = run(input);
      expect(all).toHaveLength(input.length);
      const times = all.map((s) => Number(s.slice(1)));
      // Within the span bound the merge is exact (steps here stay far below it).
      if (times.at(-1)! < MAX_INTERLEAVE_SPAN_MS) for (let k = 1; k < times.length; k++) expect(times[k]!).toBeGreaterThanOrEqual(times[k - 1]!);
      expect(all.filter((s) => s[0] === 'a')).toEqual(a.map(([, t]) => `a${t}`));
      expect(all.filter((s) => s[0] === 'v')).toEqual(v.map(([, t]) => `v${t}`));
    },
  );
});
