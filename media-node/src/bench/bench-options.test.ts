import { describe, expect, it } from 'vitest';
import {
  BENCH_HELP,
  COMMON_FLAGS,
  counts,
  DEFAULT_OPTIONS,
  MAX_PLAYERS,
  parseBenchArgs,
  PLAYER_LOAD_FLAGS,
  type BenchOptions,
  type CommonBenchOptions,
  type PlayerLoadOptions,
} from './bench-options.ts';
import { DEFAULT_HLS_OPTIONS, HLS_BENCH_HELP, parseHlsBenchArgs } from './hls-options.ts';
import { DEFAULT_RTC_OPTIONS, parseRtcBenchArgs, RTC_BENCH_HELP } from './rtc-options.ts';
import { DEFAULT_SRT_OPTIONS, parseSrtBenchArgs, SRT_BENCH_HELP } from './srt-options.ts';

type Parse<T> = (argv: readonly string[]) => { readonly help: true } | { readonly help: false; readonly options: T };

interface Bench<T> {
  readonly name: string;
  readonly parse: Parse<T>;
  readonly defaults: T;
  readonly help: string;
}

function options<T>(parse: Parse<T>, argv: readonly string[]): T {
  const r = parse(argv);
  if (r.help) throw new Error('help');
  return r.options;
}

const PLAYER_BENCHES: readonly Bench<PlayerLoadOptions>[] = [
  { name: 'bench', parse: parseBenchArgs, defaults: DEFAULT_OPTIONS, help: BENCH_HELP },
  { name: 'bench srt', parse: parseSrtBenchArgs, defaults: DEFAULT_SRT_OPTIONS, help: SRT_BENCH_HELP },
  { name: 'bench rtc', parse: parseRtcBenchArgs, defaults: DEFAULT_RTC_OPTIONS, help: RTC_BENCH_HELP },
];
const ALL_BENCHES: readonly Bench<CommonBenchOptions>[] = [
  ...PLAYER_BENCHES,
  { name: 'bench hls', parse: parseHlsBenchArgs, defaults: DEFAULT_HLS_OPTIONS, help: HLS_BENCH_HELP },
];

/** Flags of COMMON_FLAGS, which every bench takes. */
const COMMON_CASES = [
  { argv: ['--warmup', '0'], key: 'warmupMs', want: 0 },
  { argv: ['--warmup', '2.5'], key: 'warmupMs', want: 2500 },
  { argv: ['--duration', '30'], key: 'durationMs', want: 30_000 },
  { argv: ['--duration', '60'], key: 'durationMs', want: 60_000 },
  { argv: ['--no-pin'], key: 'pin', want: false },
  { argv: ['--markdown', 'out.md'], key: 'markdownFile', want: 'out.md' },
  { argv: ['--cache-dir', '/var/cache/x'], key: 'cacheDir', want: '/var/cache/x' },
  { argv: ['--cache-dir', 'cache'], key: 'cacheDir', want: 'cache' },
] as const;

/** Flags of PLAYER_LOAD_FLAGS beyond COMMON_FLAGS (and a window too short for HLS's 3 fragments). */
const PLAYER_LOAD_CASES = [
  { argv: ['--duration', '2.5'], key: 'durationMs', want: 2500 },
  { argv: ['--ramp', '1000'], key: 'rampPerSecond', want: 1000 },
  { argv: ['--ramp', '400'], key: 'rampPerSecond', want: 400 },
  { argv: ['--ramp', '40'], key: 'rampPerSecond', want: 40 },
  { argv: ['--lag-threshold', '1.5'], key: 'lagThresholdMs', want: 1500 },
  { argv: ['--generators', '3'], key: 'generators', want: 3 },
  { argv: ['--generators', '2'], key: 'generators', want: 2 },
] as const;

const COMMON_REFUSALS = [
  { argv: ['--duration', '0.5'], error: /--duration/ },
  { argv: ['--duration', '601'], error: /--duration/ },
  { argv: ['--warmup', ''], error: /--warmup/ },
  { argv: ['--warmup', 'abc'], error: /--warmup/ },
  { argv: ['--warmup', 'soon'], error: /--warmup/ },
  { argv: ['--frobnicate'], error: /frobnicate/ },
  { argv: ['extra'], error: /extra/ },
];

const PLAYER_LOAD_REFUSALS = [
  { argv: ['--generators', '0'], error: /--generators/ },
  { argv: ['--ramp', '0'], error: /--ramp/ },
];

describe.each(ALL_BENCHES)('runnel $name: the common flags', (b) => {
  it('gives the defaults with no flags', () => {
    expect(options(b.parse, [])).toEqual(b.defaults);
  });

  it.each([['--help'], ['-h']])('%s asks for help', (flag) => {
    expect(b.parse([flag]).help).toBe(true);
  });

  it.each(COMMON_CASES)('$argv sets $key', (c) => {
    const o = options(b.parse, c.argv);
    expect(o[c.key]).toEqual(c.want);
    // and leaves the rest at their defaults
    expect({ ...o, [c.key]: b.defaults[c.key] }).toEqual(b.defaults);
  });

  it.each(COMMON_REFUSALS)('refuses $argv', (c) => {
    expect(() => b.parse(c.argv)).toThrow(c.error);
  });

  it('documents every common flag in the help', () => {
    for (const flag of Object.keys(COMMON_FLAGS)) expect(b.help).toContain(`--${flag}`);
  });
});

describe.each(PLAYER_BENCHES)('runnel $name: the player load flags', (b) => {
  it.each(PLAYER_LOAD_CASES)('$argv sets $key', (c) => {
    const o = options(b.parse, c.argv);
    expect(o[c.key]).toEqual(c.want);
    // and leaves the rest at their defaults
    expect({ ...o, [c.key]: b.defaults[c.key] }).toEqual(b.defaults);
  });

  it.each(PLAYER_LOAD_REFUSALS)('refuses $argv', (c) => {
    expect(() => b.parse(c.argv)).toThrow(c.error);
  });

  it('documents every player load flag in the help', () => {
    for (const flag of Object.keys(PLAYER_LOAD_FLAGS)) expect(b.help).toContain(`--${flag}`);
  });
});

describe('counts', () => {
  it('sorts and drops duplicates', () => {
    expect(counts('--streams', '8, 1,4,8', 10)).toEqual([1, 4, 8]);
  });

  it.each(['0', '11', '1.5', ','])('refuses %j, naming the flag', (text) => {
    expect(() => counts('--streams', text, 10)).toThrow(/^--streams: /);
  });
});

describe('parseBenchArgs: its own flags', () => {
  it.each([
    { argv: ['--players', '100,500,1000,2000'], key: 'players', want: [100, 500, 1000, 2000] },
    { argv: ['-n', '50, 200,50'], key: 'players', want: [50, 200] },
    { argv: ['--players=7'], key: 'players', want: [7] },
    { argv: ['--servers', 'nms'], key: 'servers', want: ['nms'] },
    { argv: ['--protocols', 'flv,rtmp'], key: 'protocols', want: ['flv', 'rtmp'] },
    { argv: ['--styles', 'real'], key: 'styles', want: ['real'] },
    { argv: ['--pause', '250'], key: 'pauseMs', want: 250 },
  ] as const)('$argv sets $key', (c) => {
    const o: BenchOptions = options(parseBenchArgs, c.argv);
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
    { argv: ['--pause', '5'], error: /--pause/ },
  ])('refuses $argv', (c) => {
    expect(() => parseBenchArgs(c.argv)).toThrow(c.error);
  });
});
