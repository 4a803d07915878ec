import { describe, expect, it } from 'vitest';
import { DEFAULT_OPTIONS } from './bench-options.ts';
import type { ChildRegistry } from './children.ts';
import { fanoutContext, fanoutRowFields, share, type CaseResult, type PlayerLoadCaseContext } from './run-case.ts';

describe('share', () => {
  it.each([
    { total: 10, k: 3, want: [4, 3, 3] },
    { total: 2, k: 2, want: [1, 1] },
    { total: 7, k: 1, want: [7] },
  ])('$total players over $k generators: $want', ({ total, k, want }) => {
    const got = Array.from({ length: k }, (_, i) => share(total, k, i));
    expect(got).toEqual(want);
    expect(got.reduce((a, b) => a + b, 0)).toBe(total);
  });
});

describe('fanoutContext', () => {
  const log = (): void => {};
  const ctx: PlayerLoadCaseContext = {
    options: { players: [7, 9], warmupMs: 1_000, durationMs: 2_000, rampPerSecond: 33, lagThresholdMs: 444, generators: 3, pin: false, markdownFile: 'out.md', cacheDir: 'cache' },
    registry: {} as ChildRegistry,
    workDir: 'work',
    serverCpus: '0',
    otherCpus: '1-3',
    ticksPerSecond: 100,
    log,
  };
  const source = { path: 'src.flv', kbps: 600, seconds: 10 };

  it("carries this run's window, ramp, generators, pinning and cache; the fan-out defaults for the rest", () => {
    const f = fanoutContext(ctx, source);
    expect(f.options).toEqual({ ...DEFAULT_OPTIONS, players: [7, 9], warmupMs: 1_000, durationMs: 2_000, rampPerSecond: 33, lagThresholdMs: 444, generators: 3, pin: false, cacheDir: 'cache' });
    expect(f.options.markdownFile).toBe(DEFAULT_OPTIONS.markdownFile);
    expect(f).toMatchObject({ source, workDir: 'work', serverCpus: '0', otherCpus: '1-3', ticksPerSecond: 100, log });
    expect(f.registry).toBe(ctx.registry);
  });
});

describe('fanoutRowFields', () => {
  const result: CaseResult = {
    server: 'runnel',
    protocol: 'rtmp',
    players: 4,
    style: 'eager',
    cpuPercent: 12,
    rssMiB: 80,
    generatorCpuPercent: 20,
    otherCpuPercent: 2,
    lag: { players: 4, playing: 4, keepingUp: 3, maxLagMs: 900, medianLagMs: 100 },
    receivedMbps: 2.4,
    errors: 1,
    topError: 'x',
    playingAtStart: 4,
    failure: undefined,
  };

  it('per-player rate, keep-up count and lag from the case; no whole-CPU figure', () => {
    const f = fanoutRowFields(result);
    expect(f).toMatchObject({ players: 4, cpuPercent: 12, rssMiB: 80, generatorCpuPercent: 20, otherCpuPercent: 2, keepingUp: 3, maxLagMs: 900, playingAtStart: 4, errors: 1, topError: 'x', failure: undefined });
    expect(f.meanMbps).toBeCloseTo(0.6);
    expect(f.serverCpuBusyPercent).toBeNaN();
  });

  it('no lag for a failed case', () => {
    expect(fanoutRowFields({ ...result, failure: 'boom' }).maxLagMs).toBeNaN();
  });
});
