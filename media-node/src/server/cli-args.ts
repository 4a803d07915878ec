import { parseArgs } from 'node:util';
import { closestKey } from './config/config-keys.ts';
import type { ConfigOverrides } from './config/config-schema.ts';
import { validateConfig } from './config/validate-config.ts';

/**
 * The `runnel` command line, parsed without side effects (cli.ts does the
 * IO). Bad input is a UsageError whose message says what to do; cli.ts
 * prints it and exits with status 2.
 */
export type CliCommand =
  /** Print `text`; exit 0 (asked for) or 2 (no command given: the help goes to stderr). */
  | { readonly kind: 'help'; readonly text: string; readonly exitCode: 0 | 2 }
  | { readonly kind: 'version' }
  | { readonly kind: 'node'; readonly configFile?: string; readonly overrides: ConfigOverrides }
  /** The whole platform (control plane + this node); arguments are the platform launcher's to parse. */
  | { readonly kind: 'start'; readonly argv: readonly string[] }
  /** Reserved for the load generators (`bench/cli.ts`); arguments are theirs to parse. */
  | { readonly kind: 'bench'; readonly argv: readonly string[] };

export class UsageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'UsageError';
  }
}

const NODE_HELP_HINT = 'Run "runnel node --help" to see the flags.';
const MAIN_HELP_HINT = 'Run "runnel --help" to see the commands.';

/** Commands listed in the help (bench stays unlisted until it exists). */
const COMMANDS = ['node', 'start'] as const;

export function parseCli(argv: readonly string[]): CliCommand {
  const [first, ...rest] = argv;
  if (first === undefined) return { kind: 'help', text: mainHelp(), exitCode: 2 };
  if (first === '--help' || first === '-h' || first === 'help') return { kind: 'help', text: mainHelp(), exitCode: 0 };
  if (first === '--version' || first === '-v' || first === '-V' || first === 'version') return { kind: 'version' };
  if (first === 'node') return parseNode(rest);
  if (first === 'bench') return { kind: 'bench', argv: rest };
  if (first === 'start') return { kind: 'start', argv: rest };
  const near = closestKey(first.replace(/^-+/, ''), [...COMMANDS]);
  const hint = near === undefined ? '' : ` Did you mean "${near}"?`;
  throw new UsageError(`unknown command "${first}".${hint} ${MAIN_HELP_HINT}`);
}

const NODE_OPTIONS = {
  config: { type: 'string', short: 'c' },
  'rtmp-port': { type: 'string' },
  'http-port': { type: 'string' },
  'api-port': { type: 'string' },
  'srt-port': { type: 'string' },
  'rtc-port': { type: 'string' },
  'data-dir': { type: 'string' },
  'log-format': { type: 'string' },
  'log-level': { type: 'string' },
  help: { type: 'boolean', short: 'h' },
} as const;

function parseNode(args: readonly string[]): CliCommand {
  let values: { [K in keyof typeof NODE_OPTIONS]?: (typeof NODE_OPTIONS)[K]['type'] extends 'boolean' ? boolean : string };
  try {
    ({ values } = parseArgs({ args: [...args], options: NODE_OPTIONS, strict: true, allowPositionals: false }));
  } catch (e) {
    throw new UsageError(explainParseError(e as Error & { code?: string }));
  }
  if (values.help === true) return { kind: 'help', text: nodeHelp(), exitCode: 0 };
  if (values.config === '') throw new UsageError(`--config needs a file name. ${NODE_HELP_HINT}`);
  const ports = {
    rtmp: port(values['rtmp-port'], '--rtmp-port'),
    http: port(values['http-port'], '--http-port'),
    api: port(values['api-port'], '--api-port'),
    srt: port(values['srt-port'], '--srt-port'),
    rtc: port(values['rtc-port'], '--rtc-port'),
  };
  const dataDir = values['data-dir'];
  if (dataDir === '') throw new UsageError(`--data-dir needs a directory. ${NODE_HELP_HINT}`);
  const overrides: ConfigOverrides = {
    listen: ports,
    dataDir,
    log: { format: choice(values['log-format'], '--log-format', ['text', 'json']), level: choice(values['log-level'], '--log-level', ['debug', 'info', 'warn', 'error']) },
  };
  return { kind: 'node', configFile: values.config, overrides };
}

function port(v: string | undefined, flag: string): number | undefined {
  if (v === undefined) return undefined;
  if (!/^[0-9]{1,5}$/.test(v) || Number(v) > 65535) {
    throw new UsageError(`${flag}: expected a port number from 0 to 65535 (0 = any free port), got ${JSON.stringify(v)}. ${NODE_HELP_HINT}`);
  }
  return Number(v);
}

function choice<const T extends string>(v: string | undefined, flag: string, allowed: readonly T[]): T | undefined {
  if (v === undefined) return undefined;
  if (!(allowed as readonly string[]).includes(v)) throw new UsageError(`${flag}: expected one of ${allowed.join(', ')}, got ${JSON.stringify(v)}. ${NODE_HELP_HINT}`);
  return v as T;
}

/** node:util parseArgs messages talk about positionals and `--`; say it the way a user needs. */
function explainParseError(e: Error & { code?: string }): string {
  const quoted = /'([^']+)'/.exec(e.message)?.[1] ?? '';
  if (e.code === 'ERR_PARSE_ARGS_UNKNOWN_OPTION') {
    const name = quoted.replace(/^-+/, '');
    const near = closestKey(name, Object.keys(NODE_OPTIONS));
    return `unknown flag "${quoted}".${near === undefined ? '' : ` Did you mean "--${near}"?`} ${NODE_HELP_HINT}`;
  }
  if (e.code === 'ERR_PARSE_ARGS_INVALID_OPTION_VALUE') {
    // quoted is "--api-port <value>" or "-h, --help": name the long flag
    const flag = quoted.split(/[ ,]+/).filter((t) => t.startsWith('-')).pop() ?? quoted;
    return /does not take an argument/.test(e.message) ? `${flag} takes no value. ${NODE_HELP_HINT}` : `${flag} needs a value. ${NODE_HELP_HINT}`;
  }
  if (e.code === 'ERR_PARSE_ARGS_UNEXPECTED_POSITIONAL') {
    return `unexpected argument "${quoted}" ("runnel node" takes flags only; the config file goes after -c). ${NODE_HELP_HINT}`;
  }
  return `${e.message}. ${NODE_HELP_HINT}`;
}

export function mainHelp(): string {
  return `runnel: a live-video media server (an SRS-compatible node in TypeScript)

Usage:
  runnel node [flags]    run a media node: RTMP, SRT and WebRTC (WHIP/WHEP) publish
                         and play, HTTP-FLV, HTTP-TS and HLS play, the SRS-compatible
                         HTTP API
  runnel start [flags]   run the whole platform on this machine: the control
                         plane (--port 8787), one node registered to it (--rtmp-port,
                         --http-port, --api-port, --srt-port), local storage (--data-dir .runnel);
                         needs the full Runnel checkout (control-plane/ beside media-node/)
  runnel --help          this help ("runnel node --help" for the node's flags)
  runnel --version       print the version
`;
}

/** The node's help; the defaults shown are read from the config schema, so they cannot drift. */
export function nodeHelp(): string {
  const d = validateConfig(null);
  return `Usage: runnel node [-c FILE] [flags]

Runs one media node. Every setting has a default (SRS's), a config file
changes any of them, and flags win over the file.

Flags:
  -c, --config FILE      config file, YAML or JSON; keys are snake_case, all
                         listed with their defaults in
                         media-node/src/server/config/node.example.yaml
      --rtmp-port N      RTMP, tcp (default ${d.listen.rtmp})
      --http-port N      HTTP-FLV, players and WHIP/WHEP, tcp (default ${d.listen.http})
      --api-port N       SRS-compatible HTTP API, tcp (default ${d.listen.api})
      --srt-port N       SRT, udp (default ${d.listen.srt})
      --rtc-port N       WebRTC media, udp (default ${d.listen.rtc}): every session
                         on this one port (rtc.udp_mux: false = a port per
                         session, N .. N + rtc.port_count - 1; 0 = any free port)
      --data-dir DIR     where the node keeps state, e.g. its server id
                         (default ${d.dataDir})
      --log-format FMT   text or json: one JSON object per line (default ${d.log.format})
      --log-level LEVEL  debug, info, warn or error (default ${d.log.level})
  -h, --help             this help

Listeners bind ${d.listen.host} unless the config sets listen.host.

Environment:
  SRS_SERVER_ID          the server id when the config sets no server_id;
                         otherwise one is generated once and kept in
                         DIR/server_id

Example:
  runnel node --log-level debug
  # publish (any input; -re sends in real time)
  ffmpeg -re -i input.mp4 -c:v libx264 -c:a aac -f flv rtmp://127.0.0.1:${d.listen.rtmp}/live/livestream
  # play over RTMP or HTTP-FLV
  ffplay rtmp://127.0.0.1:${d.listen.rtmp}/live/livestream
  ffplay http://127.0.0.1:${d.listen.http}/live/livestream.flv
  # or publish and play over SRT (MPEG-TS; quote the URL: it has # and !)
  ffmpeg -re -i input.mp4 -c:v libx264 -c:a aac -f mpegts 'srt://127.0.0.1:${d.listen.srt}?streamid=#!::r=live/livestream,m=publish'
  ffplay 'srt://127.0.0.1:${d.listen.srt}?streamid=#!::r=live/livestream,m=request'
  # WebRTC: WHIP publish / WHEP play (OBS 30+, browsers, GStreamer whipsink)
  #   http://127.0.0.1:${d.listen.http}/rtc/v1/whip/?app=live&stream=livestream
  #   http://127.0.0.1:${d.listen.http}/rtc/v1/whep/?app=live&stream=livestream
  # look at it through the API
  curl http://127.0.0.1:${d.listen.api}/api/v1/streams

SIGINT or SIGTERM stops the node: it stops accepting, closes its clients
and exits 0. Exit status 1: the node could not start (e.g. a port in use);
2: bad flags or config.
`;
}

/** Bound ports of a running node; 0 or null = that listener is not running. */
export interface ReadyPorts {
  readonly rtmp?: number | null;
  readonly http?: number | null;
  readonly api?: number | null;
  readonly srt?: number | null;
  /** The first WebRTC media port (0 = OS-chosen); null or absent = WebRTC off. WHIP/WHEP are on the http port. */
  readonly rtc?: number | null;
}

export interface ReadyInfo {
  readonly version: string;
  readonly serverId: string;
  /** The address the listeners bound (`listen.host`). */
  readonly host: string;
  readonly ports: ReadyPorts;
}

/** The URLs people need first, built for the ports actually bound. */
export function readyUrls(info: ReadyInfo): { publish: string[]; play: string[]; api: string[] } {
  const h = urlHost(info.host);
  const on = (p: number | null | undefined): p is number => typeof p === 'number' && p > 0;
  const { rtmp, http, api, srt, rtc } = info.ports;
  const srtUrl = (mode: string) => (on(srt) ? [`srt://${h}:${srt}?streamid=#!::r=live/livestream,m=${mode}`] : []);
  const rtcUrl = (kind: 'whip' | 'whep') => (on(http) && typeof rtc === 'number' ? [`http://${h}:${http}/rtc/v1/${kind}/?app=live&stream=livestream`] : []);
  return {
    publish: [...(on(rtmp) ? [`rtmp://${h}:${rtmp}/live/livestream`] : []), ...srtUrl('publish'), ...rtcUrl('whip')],
    play: [...(on(rtmp) ? [`rtmp://${h}:${rtmp}/live/livestream`] : []), ...(on(http) ? [`http://${h}:${http}/live/livestream.flv`] : []), ...srtUrl('request'), ...rtcUrl('whep')],
    api: on(api) ? [`http://${h}:${api}/api/v1/summaries`] : [],
  };
}

/** The lines printed when the node is up (text log format). */
export function readyBanner(info: ReadyInfo): string {
  const urls = readyUrls(info);
  const block = (label: string, list: readonly string[]) => list.map((u, i) => `  ${(i === 0 ? label : '').padEnd(9)}${u}\n`).join('');
  return `runnel ${info.version} node ${info.serverId} ready\n${block('publish', urls.publish)}${block('play', urls.play)}${block('api', urls.api)}`;
}

/** A wildcard bind address is reached through loopback; IPv6 literals need brackets in URLs. */
function urlHost(host: string): string {
  if (host === '0.0.0.0' || host === '::' || host === '') return '127.0.0.1';
  return host.includes(':') ? `[${host}]` : host;
}
