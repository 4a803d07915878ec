import { describe, expect, it } from 'vitest';
import { MAX_PLAYERS } from './bench-options.ts';
import { DEFAULT_SRT_OPTIONS, MAX_LATENCY_MS, MAX_SRT_STREAMS, parseSrtBenchArgs, SRT_BENCH_HELP, type SrtBenchOptions } from './srt-options.ts';

function options(argv: string[]): SrtBenchOptions {
  const r = parseSrtBenchArgs(argv);
  if (r.help) throw new Error('help');
  return r.options;
}

// The flags every bench shares (defaults, --help, --warmup, ...) are tested in bench-options.test.ts.
describe('parseSrtBenchArgs: its own flags', () => {
  it.each([
    { argv: ['--parts', 'play'], key: 'parts', want: ['play'] },
    { argv: ['--streams', '8,1,4'], key: 'streams', want: [1, 4, 8] },
    { argv: ['-k', '2, 2'], key: 'streams', want: [2] },
    { argv: ['--players', '500,100'], key: 'players', want: [100, 500] },
    { argv: ['-n', '7'], key: 'players', want: [7] },
    { argv: ['--protocols', 'srt'], key: 'protocols', want: ['srt'] },
    { argv: ['--latency', '200'], key: 'latencyMs', want: 200 },
  ] as const)('$argv sets $key', (c) => {
    const o = options([...c.argv]);
    expect(o[c.key]).toEqual(c.want);
    // and leaves the rest at their defaults
    expect({ ...o, [c.key]: DEFAULT_SRT_OPTIONS[c.key] }).toEqual(DEFAULT_SRT_OPTIONS);
  });

  it.each([
    { argv: ['--parts', 'ingest'], flag: '--parts' },
    { argv: ['--streams', '0'], flag: '--streams' },
    { argv: ['--streams', String(MAX_SRT_STREAMS + 1)], flag: '--streams' },
    { argv: ['--players', String(MAX_PLAYERS + 1)], flag: '--players' },
    { argv: ['--players', '1.5'], flag: '--players' },
    { argv: ['--protocols', 'webrtc'], flag: '--protocols' },
    { argv: ['--latency', '10'], flag: '--latency' },
    { argv: ['--latency', String(MAX_LATENCY_MS + 1)], flag: '--latency' },
    { argv: ['--streams', ','], flag: '--streams' },
  ])('refuses $argv, naming $flag', (c) => {
    expect(() => parseSrtBenchArgs(c.argv)).toThrow(c.flag);
  });

  it('refuses unknown flags and positionals', () => {
    expect(() => parseSrtBenchArgs(['--storage', 'local'])).toThrow(/storage/);
    expect(() => parseSrtBenchArgs(['publish'])).toThrow();
  });
});

describe('SRT_BENCH_HELP', () => {
  it('lists every own flag of the parser (the common ones: bench-options.test.ts)', () => {
    for (const flag of ['--parts', '--streams', '--players', '--protocols', '--latency']) {
      expect(SRT_BENCH_HELP).toContain(flag);
    }
  });
});
