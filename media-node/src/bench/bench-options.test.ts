import { describe, expect, it } from 'vitest';
import { DEFAULT_OPTIONS, MAX_PLAYERS, parseBenchArgs, type BenchOptions } from './bench-options.ts';

function options(argv: string[]): BenchOptions {
  const r = parseBenchArgs(argv);
  if (r.help) throw new Error('help');
  return r.options;
}

describe('parseBenchArgs', () => {
  it('gives the defaults with no flags', () => {
    expect(options([])).toEqual(DEFAULT_OPTIONS);
  });

  it.each([['--help'], ['-h']])('%s asks for help', (flag) => {
    expect(parseBenchArgs([flag]).help).toBe(true);
  });

  it.each([
    { argv: ['--players', '100,500,1000,2000'], key: 'players', want: [100, 500, 1000, 2000] },
    { argv: ['-n', '50, 200,50'], key: 'players', want: [50, 200] },
    { argv: ['--players=7'], key: 'players', want: [7] },
    { argv: ['--servers', 'nms'], key: 'servers', want: ['nms'] },
    { argv: ['--protocols', 'flv,rtmp'], key: 'protocols', want: ['flv', 'rtmp'] },
    { argv: ['--styles', 'real'], key: 'styles', want: ['real'] },
    { argv: ['--warmup', '0'], key: 'warmupMs', want: 0 },
    { argv: ['--warmup', '2.5'], key: 'warmupMs', want: 2500 },
    { argv: ['--duration', '30'], key: 'durationMs', want: 30_000 },
    { argv: ['--ramp', '1000'], key: 'rampPerSecond', want: 1000 },
    { argv: ['--lag-threshold', '1.5'], key: 'lagThresholdMs', want: 1500 },
    { argv: ['--pause', '250'], key: 'pauseMs', want: 250 },
    { argv: ['--generators', '3'], key: 'generators', want: 3 },
    { argv: ['--no-pin'], key: 'pin', want: false },
    { argv: ['--markdown', 'out.md'], key: 'markdownFile', want: 'out.md' },
    { argv: ['--cache-dir', '/var/cache/x'], key: 'cacheDir', want: '/var/cache/x' },
  ] as const)('$argv sets $key', (c) => {
    const o = options([...c.argv]);
    expect(o[c.key]).toEqual(c.want);
    // and leaves the rest at their defaults
    expect({ ...o, [c.key]: DEFAULT_OPTIONS[c.key] }).toEqual(DEFAULT_OPTIONS);
  });

  it.each([
    { argv: ['--players', '0'], error: /--players: "0"/ },
    { argv: ['--players', String(MAX_PLAYERS + 1)], error: /--players/ },
    { argv: ['--players', '1.5'], error: /--players/ },
    { argv: ['--players', ','], error: /--players: empty list/ },
    { argv: ['--servers', 'srs'], error: /--servers: "srs" is not one of runnel, nms/ },
    { argv: ['--protocols', 'hls'], error: /--protocols/ },
    { argv: ['--styles', 'lazy'], error: /--styles/ },
    { argv: ['--duration', '0.5'], error: /--duration/ },
    { argv: ['--duration', '601'], error: /--duration/ },
    { argv: ['--warmup', ''], error: /--warmup/ },
    { argv: ['--warmup', 'abc'], error: /--warmup/ },
    { argv: ['--generators', '0'], error: /--generators/ },
    { argv: ['--pause', '5'], error: /--pause/ },
    { argv: ['--frobnicate'], error: /frobnicate/ },
    { argv: ['extra'], error: /extra/ },
  ])('refuses $argv', (c) => {
    expect(() => parseBenchArgs(c.argv)).toThrow(c.error);
  });
});
