import { parseArgs } from 'node:util';

export type ServerName = 'runnel' | 'nms';
export type PlayProtocol = 'rtmp' | 'flv';
/** 'eager' reads as fast as data comes; 'real' reads what is there, then pauses (as a player with a buffer does). */
export type ReadStyle = 'eager' | 'real';

export const SERVER_NAMES: readonly ServerName[] = ['runnel', 'nms'];
export const PLAY_PROTOCOLS: readonly PlayProtocol[] = ['rtmp', 'flv'];
export const READ_STYLES: readonly ReadStyle[] = ['eager', 'real'];

/** The fields every `runnel bench` part takes (fan-out, SRT, WebRTC, HLS). */
export interface CommonBenchOptions {
  readonly warmupMs: number;
  readonly durationMs: number;
  /** Pin the server under test to CPU 0 and everything else to the other CPUs (taskset). */
  readonly pin: boolean;
  readonly markdownFile: string | undefined;
  readonly cacheDir: string | undefined;
}

/** The fields of the benches whose players come from load-generator processes (fan-out, SRT, WebRTC). */
export interface PlayerLoadOptions extends CommonBenchOptions {
  /** New players opened per second while ramping up. */
  readonly rampPerSecond: number;
  /** A player whose lag is at or above this at the end of the window does not keep up. */
  readonly lagThresholdMs: number;
  /** Load generator processes (players are split evenly between them). */
  readonly generators: number;
}

export interface BenchOptions extends PlayerLoadOptions {
  readonly players: readonly number[];
  readonly servers: readonly ServerName[];
  readonly protocols: readonly PlayProtocol[];
  readonly styles: readonly ReadStyle[];
  /** How long a 'real' player sleeps between reads. */
  readonly pauseMs: number;
}

/**
 * Most players one run may ask for. Each player is a socket in the generator
 * and one in the server, and a default `ulimit -n` is often 1024-65536; past
 * 20 000 the machine, not the server, is what gets measured.
 */
export const MAX_PLAYERS = 20_000;
/** Longest warm-up or measurement window: a benchmark that runs for hours is a mistake, not a setting. */
export const MAX_WINDOW_MS = 10 * 60_000;
/** Generator processes: more than the machine has cores only adds scheduling noise. */
export const MAX_GENERATORS = 16;

export const DEFAULT_OPTIONS: BenchOptions = {
  players: [100, 500, 1000],
  servers: SERVER_NAMES,
  protocols: PLAY_PROTOCOLS,
  styles: READ_STYLES,
  warmupMs: 5_000,
  durationMs: 15_000,
  rampPerSecond: 250,
  lagThresholdMs: 3_000,
  pauseMs: 500,
  generators: 1,
  pin: true,
  markdownFile: undefined,
  cacheDir: undefined,
};

export type ParsedArgs = { readonly help: true } | { readonly help: false; readonly options: BenchOptions };

/** The flags of CommonBenchOptions, plus --help; every bench's parseArgs table starts with these. */
export const COMMON_FLAGS = {
  help: { type: 'boolean', short: 'h' },
  warmup: { type: 'string' },
  duration: { type: 'string' },
  'no-pin': { type: 'boolean' },
  markdown: { type: 'string' },
  'cache-dir': { type: 'string' },
} as const;

/** COMMON_FLAGS plus the flags of PlayerLoadOptions. */
export const PLAYER_LOAD_FLAGS = {
  ...COMMON_FLAGS,
  ramp: { type: 'string' },
  'lag-threshold': { type: 'string' },
  generators: { type: 'string' },
} as const;

/** What parseArgs gives for COMMON_FLAGS. */
export interface CommonFlagValues {
  readonly warmup?: string;
  readonly duration?: string;
  readonly 'no-pin'?: boolean;
  readonly markdown?: string;
  readonly 'cache-dir'?: string;
}

/** What parseArgs gives for PLAYER_LOAD_FLAGS. */
export interface PlayerLoadFlagValues extends CommonFlagValues {
  readonly ramp?: string;
  readonly 'lag-threshold'?: string;
  readonly generators?: string;
}

/** The common flags of one bench, each flag not given taking its value from `defaults`. */
export function parseCommon(values: CommonFlagValues, defaults: CommonBenchOptions): CommonBenchOptions {
  return {
    warmupMs: values.warmup === undefined ? defaults.warmupMs : seconds('--warmup', values.warmup, 0),
    durationMs: values.duration === undefined ? defaults.durationMs : seconds('--duration', values.duration, 1_000),
    pin: values['no-pin'] ? false : defaults.pin,
    markdownFile: values.markdown ?? defaults.markdownFile,
    cacheDir: values['cache-dir'] ?? defaults.cacheDir,
  };
}

/** parseCommon plus --ramp, --lag-threshold and --generators. */
export function parsePlayerLoad(values: PlayerLoadFlagValues, defaults: PlayerLoadOptions): PlayerLoadOptions {
  return {
    ...parseCommon(values, defaults),
    rampPerSecond: values.ramp === undefined ? defaults.rampPerSecond : int('--ramp', values.ramp, 1, 10_000),
    lagThresholdMs: values['lag-threshold'] === undefined ? defaults.lagThresholdMs : seconds('--lag-threshold', values['lag-threshold'], 100),
    generators: values.generators === undefined ? defaults.generators : int('--generators', values.generators, 1, MAX_GENERATORS),
  };
}

/** Parses `runnel bench` arguments; throws an Error whose message names the bad flag. */
export function parseBenchArgs(argv: readonly string[], defaults: BenchOptions = DEFAULT_OPTIONS): ParsedArgs {
  const { values } = parseArgs({
    args: [...argv],
    strict: true,
    allowPositionals: false,
    options: {
      ...PLAYER_LOAD_FLAGS,
      players: { type: 'string', short: 'n' },
      servers: { type: 'string' },
      protocols: { type: 'string' },
      styles: { type: 'string' },
      pause: { type: 'string' },
    },
  });
  if (values.help) return { help: true };
  const o = defaults;
  return {
    help: false,
    options: {
      players: values.players === undefined ? o.players : list('--players', values.players, (s) => int('--players', s, 1, MAX_PLAYERS)),
      servers: values.servers === undefined ? o.servers : list('--servers', values.servers, (s) => oneOf('--servers', s, SERVER_NAMES)),
      protocols: values.protocols === undefined ? o.protocols : list('--protocols', values.protocols, (s) => oneOf('--protocols', s, PLAY_PROTOCOLS)),
      styles: values.styles === undefined ? o.styles : list('--styles', values.styles, (s) => oneOf('--styles', s, READ_STYLES)),
      pauseMs: values.pause === undefined ? o.pauseMs : int('--pause', values.pause, 10, 10_000),
      ...parsePlayerLoad(values, o),
    },
  };
}

// Flag parsers, shared with the other *-options.ts: each throws an Error that names the flag.

/** A comma-separated list, without duplicates. */
export function list<T>(flag: string, text: string, item: (s: string) => T): T[] {
  const items = text.split(',').map((s) => s.trim()).filter((s) => s !== '');
  if (items.length === 0) throw new Error(`${flag}: empty list`);
  return [...new Set(items.map(item))];
}

/** A comma-separated list of counts in 1..max, without duplicates, smallest first. */
export function counts(flag: string, text: string, max: number): number[] {
  return list(flag, text, (s) => int(flag, s, 1, max)).sort((a, b) => a - b);
}

export function int(flag: string, text: string, min: number, max: number): number {
  const v = Number(text);
  if (!Number.isInteger(v) || v < min || v > max) throw new Error(`${flag}: "${text}" is not an integer in ${min}..${max}`);
  return v;
}

/** Seconds (fractions allowed) to milliseconds, bounded by MAX_WINDOW_MS. */
export function seconds(flag: string, text: string, minMs: number): number {
  const v = Number(text);
  const ms = Math.round(v * 1000);
  if (text.trim() === '' || !Number.isFinite(v) || ms < minMs || ms > MAX_WINDOW_MS) {
    throw new Error(`${flag}: "${text}" is not a number of seconds in ${minMs / 1000}..${MAX_WINDOW_MS / 1000}`);
  }
  return ms;
}

export function oneOf<T extends string>(flag: string, text: string, allowed: readonly T[]): T {
  if (!(allowed as readonly string[]).includes(text)) throw new Error(`${flag}: "${text}" is not one of ${allowed.join(', ')}`);
  return text as T;
}

export const BENCH_HELP = `runnel bench: fan-out benchmark of one ~600 kbps stream, Runnel against Node-Media-Server
(runnel bench hls --help: the HLS segmenting benchmark; runnel bench srt --help: SRT publish and play)

For each player count N, server, protocol and reading style, it starts the
server as a child process, publishes a pre-encoded H.264+AAC FLV file to it with
ffmpeg (-re, loop, -c copy), opens N players from separate load-generator
processes, warms up, then measures the server's CPU (utime+stime from
/proc/<pid>/stat, in % of one core) and RSS, and whether every player keeps up
with real time. By default the server is pinned to CPU 0 and ffmpeg and the
generators to the other CPUs (taskset), so the server has one core to itself.

Options (lists are comma-separated):
  -n, --players LIST     player counts N (default ${DEFAULT_OPTIONS.players.join(',')}; max ${MAX_PLAYERS})
      --servers LIST     runnel,nms (default both)
      --protocols LIST   rtmp,flv (default both)
      --styles LIST      eager,real (default both): eager players read as fast as data
                         comes; real players read what is there, then pause
      --warmup S         seconds between the last player connecting and the window (default ${DEFAULT_OPTIONS.warmupMs / 1000})
      --duration S       measurement window in seconds (default ${DEFAULT_OPTIONS.durationMs / 1000})
      --ramp R           players opened per second (default ${DEFAULT_OPTIONS.rampPerSecond})
      --lag-threshold S  a player keeps up if wall time minus media time since its first
                         frame stays under S seconds (default ${DEFAULT_OPTIONS.lagThresholdMs / 1000})
      --pause MS         how long a real player sleeps between reads (default ${DEFAULT_OPTIONS.pauseMs})
      --generators K     load-generator processes (default ${DEFAULT_OPTIONS.generators}; use more on a machine with
                         more than two cores)
      --no-pin           do not pin processes to CPUs
      --markdown FILE    also write the results as a markdown section to FILE
      --cache-dir DIR    where the encoded source file is kept (default: OS temp dir)
  -h, --help             this text

Example (what BENCHMARKS.md records):
  npm run bench -- --players 100,500,1000,2000
`;
