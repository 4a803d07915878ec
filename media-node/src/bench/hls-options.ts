import { parseArgs } from 'node:util';
import { COMMON_FLAGS, counts, int, list, MAX_WINDOW_MS, oneOf, parseCommon, seconds, type CommonBenchOptions } from './bench-options.ts';

/** Where the node under test puts HLS: nowhere (HLS off: the baseline), its local directory, or S3 (s3rver). */
export type HlsStorage = 'none' | 'local' | 's3';
export const HLS_STORAGES: readonly HlsStorage[] = ['none', 'local', 's3'];

export interface HlsBenchOptions extends CommonBenchOptions {
  /** Stream counts K: K publishers of the same file to K stream names on one node. */
  readonly streams: readonly number[];
  readonly storages: readonly HlsStorage[];
  /** hls_fragment given to the node. */
  readonly fragmentMs: number;
  /** A stream whose segments show up later than their media clock by more than this is not real time. */
  readonly lateThresholdMs: number;
  /** After the listed K, search upward (doubling, then bisecting) for the largest K that stays real time. */
  readonly findMax: boolean;
  /** Upper bound of that search. */
  readonly maxStreams: number;
}

/**
 * Most streams one run may ask for. Each is an ffmpeg process (~20 MB RSS,
 * ~1 % of a core) on the load CPU: past a few hundred, the publishers are
 * what gets measured, not the node.
 */
export const MAX_STREAMS = 256;
/** Shortest fragment: SRS allows less, but under half a second a 2 s GOP source gives 2 s segments anyway. */
export const MIN_FRAGMENT_MS = 500;
/** Longest fragment: one minute; the window must hold several of them to say anything. */
export const MAX_FRAGMENT_MS = 60_000;

export const DEFAULT_HLS_OPTIONS: HlsBenchOptions = {
  streams: [1, 4, 8],
  storages: HLS_STORAGES,
  fragmentMs: 2_000,
  warmupMs: 5_000,
  durationMs: 20_000,
  lateThresholdMs: 1_500,
  findMax: false,
  maxStreams: 64,
  pin: true,
  markdownFile: undefined,
  cacheDir: undefined,
};

export type ParsedHlsArgs = { readonly help: true } | { readonly help: false; readonly options: HlsBenchOptions };

/** Parses `runnel bench hls` arguments; throws an Error whose message names the bad flag. */
export function parseHlsBenchArgs(argv: readonly string[], defaults: HlsBenchOptions = DEFAULT_HLS_OPTIONS): ParsedHlsArgs {
  const { values } = parseArgs({
    args: [...argv],
    strict: true,
    allowPositionals: false,
    options: {
      ...COMMON_FLAGS,
      streams: { type: 'string', short: 'k' },
      storage: { type: 'string' },
      fragment: { type: 'string' },
      'late-threshold': { type: 'string' },
      'find-max': { type: 'boolean' },
      'max-streams': { type: 'string' },
    },
  });
  if (values.help) return { help: true };
  const o = defaults;
  const fragmentMs = values.fragment === undefined ? o.fragmentMs : seconds('--fragment', values.fragment, MIN_FRAGMENT_MS);
  if (fragmentMs > MAX_FRAGMENT_MS) throw new Error(`--fragment: at most ${MAX_FRAGMENT_MS / 1000} s`);
  const common = parseCommon(values, o);
  if (common.durationMs < 3 * fragmentMs) throw new Error(`--duration: ${common.durationMs / 1000} s holds fewer than 3 fragments of ${fragmentMs / 1000} s`);
  return {
    help: false,
    options: {
      streams: values.streams === undefined ? o.streams : counts('--streams', values.streams, MAX_STREAMS),
      storages: values.storage === undefined ? o.storages : list('--storage', values.storage, (s) => oneOf('--storage', s, HLS_STORAGES)),
      fragmentMs,
      lateThresholdMs: values['late-threshold'] === undefined ? o.lateThresholdMs : seconds('--late-threshold', values['late-threshold'], 100),
      findMax: values['find-max'] ? true : o.findMax,
      maxStreams: values['max-streams'] === undefined ? o.maxStreams : int('--max-streams', values['max-streams'], 1, MAX_STREAMS),
      ...common,
    },
  };
}

export const HLS_BENCH_HELP = `runnel bench hls: CPU per HLS-segmented stream, and how many 2 Mbit/s streams one core segments in real time

For each storage and stream count K, it starts a Runnel node as a child process
(HLS on with --fragment, storage: its local directory, or S3 = s3rver started
by the bench), publishes a pre-encoded ~2 Mbit/s 1280x720 H.264+AAC FLV file to
K stream names with K ffmpeg processes (-re, loop, -c copy), warms up, then
measures the node's CPU (utime+stime from /proc/<pid>/stat, % of one core) and
RSS. A stream is real time when the node received it at the source's rate and
its playlist (read from disk, or GET from s3rver) gained every segment on time:
each segment listed no later than its media clock allows plus --late-threshold,
none skipped, no discontinuity, durations = the fragment rounded up to the
source's 2 s GOP; for S3 the upload spool must also be empty at the end.
Storage "none" is the same node with HLS off: the baseline, so HLS costs the
difference. The node is pinned alone to CPU 0; ffmpeg and s3rver share the
other CPUs (taskset).

Options (lists are comma-separated):
  -k, --streams LIST      stream counts K (default ${DEFAULT_HLS_OPTIONS.streams.join(',')}; max ${MAX_STREAMS})
      --storage LIST      none,local,s3 (default all three)
      --fragment S        hls_fragment in seconds (default ${DEFAULT_HLS_OPTIONS.fragmentMs / 1000})
      --warmup S          seconds between the first segment of every stream and the window (default ${DEFAULT_HLS_OPTIONS.warmupMs / 1000})
      --duration S        measurement window in seconds (default ${DEFAULT_HLS_OPTIONS.durationMs / 1000}; at least 3 fragments; max ${MAX_WINDOW_MS / 1000})
      --late-threshold S  largest lateness of a segment that still counts as real time (default ${DEFAULT_HLS_OPTIONS.lateThresholdMs / 1000})
      --find-max          after the listed K, search upward for the largest real-time K of each
                          HLS storage (doubling, then bisecting; at most --max-streams)
      --max-streams K     upper bound of that search (default ${DEFAULT_HLS_OPTIONS.maxStreams})
      --no-pin            do not pin processes to CPUs
      --markdown FILE     also write the results as a markdown section to FILE
      --cache-dir DIR     where the encoded source file is kept (default: OS temp dir)
  -h, --help              this text

Example (what BENCHMARKS.md records):
  npm run bench -- hls --streams 1,4,8 --find-max --max-streams 256 --markdown bench-hls.md
`;
