import { parseArgs } from 'node:util';
import { counts, list, MAX_WINDOW_MS, oneOf, PLAYER_LOAD_FLAGS, parsePlayerLoad, type PlayerLoadOptions } from './bench-options.ts';

/** Each WHEP case is compared with the same N of RTMP players (the fan-out bench's case) in the same run. */
export type RtcBenchProtocol = 'rtc' | 'rtmp';
export const RTC_BENCH_PROTOCOLS: readonly RtcBenchProtocol[] = ['rtc', 'rtmp'];

/** WHEP players with an Opus section (the node runs its AAC -> Opus bridge) or video only (no bridge). */
export type RtcAudioMode = 'on' | 'off';
export const RTC_AUDIO_MODES: readonly RtcAudioMode[] = ['on', 'off'];

/** The node's rtc.udp_mux: every session on one UDP port (the default config) or a werift socket per session. */
export type RtcUdpMuxMode = 'on' | 'off';
export const RTC_UDP_MUX_MODES: readonly RtcUdpMuxMode[] = ['on', 'off'];

/** Players come from load generators (PlayerLoadOptions); --lag-threshold applies to the RTMP players only. */
export interface RtcBenchOptions extends PlayerLoadOptions {
  /** Player counts N of one ~600 kbit/s stream. */
  readonly players: readonly number[];
  readonly protocols: readonly RtcBenchProtocol[];
  /** WHEP cases run once per mode; `on,off` at the same N isolates the bridge's cost. */
  readonly audio: readonly RtcAudioMode[];
  /** WHEP cases run once per mode too; `on,off` at the same N and audio mode compares the mux with a port per session. */
  readonly udpMux: readonly RtcUdpMuxMode[];
}

/**
 * Most WHEP players one run may ask for. Each werift client binds a UDP port
 * (the node too with --udp-mux off; its rtc.port_count allows 10 000), and a
 * werift client costs its generator a DTLS handshake plus SRTP in
 * JavaScript: a few hundred saturate this machine's generator CPU long before
 * this cap.
 */
export const MAX_RTC_PLAYERS = 2_000;

export const DEFAULT_RTC_OPTIONS: RtcBenchOptions = {
  players: [1, 10, 25, 50, 100],
  protocols: RTC_BENCH_PROTOCOLS,
  audio: ['on'],
  udpMux: ['on'],
  warmupMs: 5_000,
  durationMs: 15_000,
  rampPerSecond: 20,
  lagThresholdMs: 3_000,
  generators: 1,
  pin: true,
  markdownFile: undefined,
  cacheDir: undefined,
};

export type ParsedRtcArgs = { readonly help: true } | { readonly help: false; readonly options: RtcBenchOptions };

/** Parses `runnel bench rtc` arguments (after "rtc"); throws an Error whose message names the bad flag. */
export function parseRtcBenchArgs(argv: readonly string[], defaults: RtcBenchOptions = DEFAULT_RTC_OPTIONS): ParsedRtcArgs {
  const { values } = parseArgs({
    args: [...argv],
    strict: true,
    allowPositionals: false,
    options: {
      ...PLAYER_LOAD_FLAGS,
      players: { type: 'string', short: 'n' },
      protocols: { type: 'string' },
      audio: { type: 'string' },
      'udp-mux': { type: 'string' },
    },
  });
  if (values.help) return { help: true };
  const o = defaults;
  return {
    help: false,
    options: {
      players: values.players === undefined ? o.players : counts('--players', values.players, MAX_RTC_PLAYERS),
      protocols: values.protocols === undefined ? o.protocols : list('--protocols', values.protocols, (s) => oneOf('--protocols', s, RTC_BENCH_PROTOCOLS)),
      audio: values.audio === undefined ? o.audio : list('--audio', values.audio, (s) => oneOf('--audio', s, RTC_AUDIO_MODES)),
      udpMux: values['udp-mux'] === undefined ? o.udpMux : list('--udp-mux', values['udp-mux'], (s) => oneOf('--udp-mux', s, RTC_UDP_MUX_MODES)),
      ...parsePlayerLoad(values, o),
    },
  };
}

export const RTC_BENCH_HELP = `runnel bench rtc: WebRTC (WHEP) players per core of one publish, against RTMP

For each player count N it starts a Runnel node as a child process, publishes
the ~600 kbit/s H.264+AAC file over RTMP with ffmpeg (-re, loop, -c copy), and
opens N WHEP players from load-generator processes: a minimal werift client
(recvonly H.264, plus Opus with --audio on) that POSTs its offer to
/rtc/v1/whep/ and counts the RTP it receives. With audio the node transcodes
the stream's AAC to Opus once (its AAC -> Opus bridge) for all its players.
It measures the node's CPU (utime+stime from /proc/<pid>/stat, % of one core),
the generators' CPU, and whether each player kept up: connected, and at least
90 % of 25 video frames/s (and 50 Opus packets/s with audio) over the window.
The same N over RTMP (the fan-out bench's case) is the comparison. The node is
pinned alone to CPU 0; ffmpeg and the generators share the other CPUs.

Options (lists are comma-separated):
  -n, --players LIST     player counts N (default ${DEFAULT_RTC_OPTIONS.players.join(',')}; max ${MAX_RTC_PLAYERS})
      --protocols LIST   rtc,rtmp (default both: RTMP is the comparison)
      --audio LIST       on,off: WHEP players with or without Opus (default ${DEFAULT_RTC_OPTIONS.audio.join(',')});
                         on,off at the same N shows the AAC -> Opus bridge's cost
      --udp-mux LIST     on,off: on = every session on one UDP port (the default node config),
                         off = a port per session; on,off compares them (default ${DEFAULT_RTC_OPTIONS.udpMux.join(',')})
      --warmup S         seconds between the last player starting and the window (default ${DEFAULT_RTC_OPTIONS.warmupMs / 1000})
      --duration S       measurement window in seconds (default ${DEFAULT_RTC_OPTIONS.durationMs / 1000}; max ${MAX_WINDOW_MS / 1000})
      --ramp R           players opened per second (default ${DEFAULT_RTC_OPTIONS.rampPerSecond})
      --lag-threshold S  RTMP players: largest lag that keeps up (default ${DEFAULT_RTC_OPTIONS.lagThresholdMs / 1000})
      --generators K     load-generator processes (default ${DEFAULT_RTC_OPTIONS.generators})
      --no-pin           do not pin processes to CPUs
      --markdown FILE    also write the results as a markdown section to FILE
      --cache-dir DIR    where the encoded source file is kept (default: OS temp dir)
  -h, --help             this text

Example (what BENCHMARKS.md records):
  npm run bench -- rtc --players 1,10,25,50,100 --audio on,off --markdown bench-rtc.md
  npm run bench -- rtc --players 1,10,25,50,100 --audio off --udp-mux on,off --protocols rtc
`;
