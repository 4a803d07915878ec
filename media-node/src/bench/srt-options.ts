import { parseArgs } from 'node:util';
import { counts, int, list, MAX_PLAYERS, MAX_WINDOW_MS, oneOf, PLAYER_LOAD_FLAGS, parsePlayerLoad, type PlayerLoadOptions } from './bench-options.ts';

/** The two measurements of issue 5: CPU per ~5 Mbit/s publish, and SRT players per core. */
export type SrtPart = 'publish' | 'play';
export const SRT_PARTS: readonly SrtPart[] = ['publish', 'play'];

/** Each SRT case is compared with the same case over RTMP in the same run. */
export type SrtBenchProtocol = 'srt' | 'rtmp';
export const SRT_BENCH_PROTOCOLS: readonly SrtBenchProtocol[] = ['srt', 'rtmp'];

/**
 * The play part's players come from load generators (PlayerLoadOptions); for
 * it, --lag-threshold applies to the RTMP players only.
 */
export interface SrtBenchOptions extends PlayerLoadOptions {
  readonly parts: readonly SrtPart[];
  /** Publish part: publisher counts K (K streams of ~5 Mbit/s on one node). */
  readonly streams: readonly number[];
  /** Play part: player counts N of one ~600 kbit/s stream. */
  readonly players: readonly number[];
  readonly protocols: readonly SrtBenchProtocol[];
  /** SRT latency the load clients receive with (the node's own srt.latency for publishers stays its default). */
  readonly latencyMs: number;
}

/**
 * Most SRT publishers one run may ask for. Each is an ffmpeg process sending
 * ~5 Mbit/s on the load CPU: past a few dozen on a small machine, the
 * publishers (and loopback) are what gets measured, not the node.
 */
export const MAX_SRT_STREAMS = 64;
/** Largest SRT receive latency of a load client: libsrt's own SRTO_RCVLATENCY has no smaller useful cap than seconds. */
export const MAX_LATENCY_MS = 10_000;

export const DEFAULT_SRT_OPTIONS: SrtBenchOptions = {
  parts: SRT_PARTS,
  streams: [1, 4, 8],
  players: [100, 200, 500],
  protocols: SRT_BENCH_PROTOCOLS,
  warmupMs: 5_000,
  durationMs: 15_000,
  rampPerSecond: 100,
  lagThresholdMs: 3_000,
  generators: 1,
  latencyMs: 120,
  pin: true,
  markdownFile: undefined,
  cacheDir: undefined,
};

export type ParsedSrtArgs = { readonly help: true } | { readonly help: false; readonly options: SrtBenchOptions };

/** Parses `runnel bench srt` arguments (after "srt"); throws an Error whose message names the bad flag. */
export function parseSrtBenchArgs(argv: readonly string[], defaults: SrtBenchOptions = DEFAULT_SRT_OPTIONS): ParsedSrtArgs {
  const { values } = parseArgs({
    args: [...argv],
    strict: true,
    allowPositionals: false,
    options: {
      ...PLAYER_LOAD_FLAGS,
      parts: { type: 'string' },
      streams: { type: 'string', short: 'k' },
      players: { type: 'string', short: 'n' },
      protocols: { type: 'string' },
      latency: { type: 'string' },
    },
  });
  if (values.help) return { help: true };
  const o = defaults;
  return {
    help: false,
    options: {
      parts: values.parts === undefined ? o.parts : list('--parts', values.parts, (s) => oneOf('--parts', s, SRT_PARTS)),
      streams: values.streams === undefined ? o.streams : counts('--streams', values.streams, MAX_SRT_STREAMS),
      players: values.players === undefined ? o.players : counts('--players', values.players, MAX_PLAYERS),
      protocols: values.protocols === undefined ? o.protocols : list('--protocols', values.protocols, (s) => oneOf('--protocols', s, SRT_BENCH_PROTOCOLS)),
      latencyMs: values.latency === undefined ? o.latencyMs : int('--latency', values.latency, 20, MAX_LATENCY_MS),
      ...parsePlayerLoad(values, o),
    },
  };
}

export const SRT_BENCH_HELP = `runnel bench srt: CPU per ~5 Mbit/s SRT publish, and SRT players per core, each against RTMP

Publish part: for each publisher count K and protocol, it starts a Runnel node
as a child process and publishes a pre-encoded ~5 Mbit/s 1920x1080 H.264+AAC
file to K stream names with K ffmpeg processes (-re, loop, -c copy): MPEG-TS
over SRT (libsrt, streamid m=publish), or FLV over RTMP. It measures the node's
CPU (utime+stime from /proc/<pid>/stat, % of one core) per stream, and whether
it kept up: it received every stream at the file's rate (/api/v1/streams), and
for SRT its receivers lost and dropped nothing (the node logs them).

Play part: one ffmpeg publishes a ~600 kbit/s stream over RTMP; N players
play it over SRT (streamid m=request; a minimal caller on the repo's sans-IO
SRT engine, one UDP socket each, acknowledging as libsrt does) or over RTMP
(the fan-out bench's players), from load-generator processes. An SRT player
keeps up when it is connected, dropped no packet in the window and received
at least 90 % of the stream's MPEG-TS rate; an RTMP player when its lag stays
under --lag-threshold. The node is pinned alone to CPU 0; ffmpeg and the
generators share the other CPUs (taskset).

Options (lists are comma-separated):
      --parts LIST       publish,play (default both)
  -k, --streams LIST     publish part: publisher counts K (default ${DEFAULT_SRT_OPTIONS.streams.join(',')}; max ${MAX_SRT_STREAMS})
  -n, --players LIST     play part: player counts N (default ${DEFAULT_SRT_OPTIONS.players.join(',')}; max ${MAX_PLAYERS})
      --protocols LIST   srt,rtmp (default both: RTMP is the comparison)
      --warmup S         seconds between the last publisher/player starting and the window (default ${DEFAULT_SRT_OPTIONS.warmupMs / 1000})
      --duration S       measurement window in seconds (default ${DEFAULT_SRT_OPTIONS.durationMs / 1000}; max ${MAX_WINDOW_MS / 1000})
      --ramp R           players opened per second (default ${DEFAULT_SRT_OPTIONS.rampPerSecond})
      --lag-threshold S  RTMP players: largest lag that keeps up (default ${DEFAULT_SRT_OPTIONS.lagThresholdMs / 1000})
      --generators K     load-generator processes (default ${DEFAULT_SRT_OPTIONS.generators})
      --latency MS       SRT receive latency of the players (default ${DEFAULT_SRT_OPTIONS.latencyMs}, libsrt's)
      --no-pin           do not pin processes to CPUs
      --markdown FILE    also write the results as a markdown section to FILE
      --cache-dir DIR    where the encoded source files are kept (default: OS temp dir)
  -h, --help             this text

Example (what BENCHMARKS.md records):
  npm run bench -- srt --streams 1,4,8 --players 100,200,500 --markdown bench-srt.md
`;
