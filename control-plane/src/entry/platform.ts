import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { EnvError, parseNodeEnv } from '../env.ts';
import { silentLogger } from '../services/logger.ts';
import type { Logger } from '../services/logger.ts';
import { startControlPlane } from './node.ts';
import type { RunningControlPlane } from './node.ts';
import { platformBanner } from './platform-banner.ts';

/**
 * The whole platform on one machine (design.md "Running it"): the control
 * plane on Node in this process, one media node registered to it, local
 * storage under one data directory.
 *
 *   node control-plane/src/entry/platform.ts [--port 8787] [--rtmp-port 1935]
 *     [--http-port 8080] [--api-port 1985] [--srt-port 10080] [--data-dir .runnel]
 *
 * The media node runs as a child process of the `runnel node` CLI, not as an
 * import: the control plane never imports media-node (design.md, enforced by
 * .dependency-cruiser.cjs); the two talk over HTTP as they do in production.
 * The node's config (`<data-dir>/node.yaml`) is written at each start.
 *
 * Secrets are made once and kept in the data directory (mode 0600): the node
 * token (or RUNNEL_NODE_TOKEN) and the first tenant's API key (or
 * RUNNEL_BOOTSTRAP_API_KEY), which is printed with ready-to-paste examples.
 */

/** The node CLI, found from this file: control-plane/src/entry -> media-node/src/cli.ts. */
const NODE_CLI = fileURLToPath(new URL('../../../media-node/src/cli.ts', import.meta.url));
/** How long the node may take to start and register before we give up. */
const NODE_START_TIMEOUT_MS = 30_000;
/** The id the one local node registers with. */
const LOCAL_NODE_ID = 'local-1';

export interface PlatformOptions {
  readonly port: number;
  readonly rtmpPort: number;
  readonly httpPort: number;
  readonly apiPort: number;
  /** UDP, SRT publish and play; the node's per-stream passphrases come from the control plane. */
  readonly srtPort: number;
  readonly dataDir: string;
  /** Environment the secrets may come from (RUNNEL_NODE_TOKEN, RUNNEL_BOOTSTRAP_API_KEY) and the control plane reads. */
  readonly env: Readonly<Record<string, string | undefined>>;
  /** Where the node's log lines go (the CLI's text log). */
  readonly nodeOutput: (line: string) => void;
  readonly log?: Logger;
}

export interface RunningPlatform {
  readonly controlPlane: RunningControlPlane;
  readonly apiKey: string;
  readonly ports: { readonly rtmp: number; readonly http: number; readonly api: number; readonly srt: number };
  readonly banner: string;
  close(): Promise<void>;
}

/** A secret from the environment, else the one kept in `file`, else a new one written there. */
function secret(fromEnv: string | undefined, file: string, make: () => string): string {
  if (fromEnv !== undefined && fromEnv !== '') return fromEnv;
  if (existsSync(file)) return readFileSync(file, 'utf8').trim();
  const value = make();
  writeFileSync(file, `${value}\n`, { mode: 0o600 });
  return value;
}

function nodeYaml(o: { dataDir: string; cpUrl: string; token: string }): string {
  return [
    '# Written by the platform launcher at each start (control-plane/src/entry/platform.ts); edits are overwritten.',
    `data_dir: ${JSON.stringify(o.dataDir)}`,
    'control_plane:',
    `  url: ${JSON.stringify(o.cpUrl)}`,
    `  node_token: ${JSON.stringify(o.token)}`,
    `  node_id: ${LOCAL_NODE_ID}`,
    '  region: local',
    // Able to record; each stream's recording mode (the on_publish grant) decides whether it is.
    'dvr:',
    '  enabled: true',
    '',
  ].join('\n');
}

export async function startPlatform(opts: PlatformOptions): Promise<RunningPlatform> {
  const dataDir = resolve(opts.dataDir);
  mkdirSync(dataDir, { recursive: true });
  const token = secret(opts.env.RUNNEL_NODE_TOKEN, join(dataDir, 'node-token'), () => randomBytes(24).toString('hex'));
  const apiKey = secret(opts.env.RUNNEL_BOOTSTRAP_API_KEY, join(dataDir, 'api-key'), () => `rnl_${randomBytes(20).toString('hex')}`);
  // Signed playback ids work out of the box: one playback signing key, kept like the node token.
  const playbackKeys = opts.env.RUNNEL_PLAYBACK_KEYS ?? `local1:${secret(undefined, join(dataDir, 'playback-key'), () => randomBytes(24).toString('hex'))}`;
  const publicUrl = `http://127.0.0.1:${opts.port}`;
  const config = parseNodeEnv({
    ...opts.env,
    RUNNEL_NODE_TOKEN: token,
    RUNNEL_BOOTSTRAP_API_KEY: apiKey,
    RUNNEL_PLAYBACK_KEYS: playbackKeys,
    RUNNEL_PUBLIC_URL: opts.env.RUNNEL_PUBLIC_URL ?? publicUrl,
    // One machine, for development: webhook receivers are usually plain http on this machine.
    // Set RUNNEL_WEBHOOK_ALLOW_INSECURE=0 to apply the production rules (https, public addresses).
    RUNNEL_WEBHOOK_ALLOW_INSECURE: opts.env.RUNNEL_WEBHOOK_ALLOW_INSECURE ?? '1',
    PORT: String(opts.port),
    HOST: '127.0.0.1',
    RUNNEL_DB_FILE: join(dataDir, 'control-plane.db'),
  });
  const nodeDataDir = join(dataDir, 'node');
  // The node's hls.path and dvr.path defaults under its data_dir: HLS at /hls/{playback_id}/, recordings at /v1/recordings/{id}/file.
  const controlPlane = await startControlPlane(config, opts.log ?? silentLogger, { hlsDir: join(nodeDataDir, 'hls'), dvrDir: join(nodeDataDir, 'dvr') });

  const nodeConfig = join(dataDir, 'node.yaml');
  writeFileSync(nodeConfig, nodeYaml({ dataDir: nodeDataDir, cpUrl: controlPlane.url, token }), { mode: 0o600 });
  const args = [NODE_CLI, 'node', '-c', nodeConfig, '--rtmp-port', String(opts.rtmpPort), '--http-port', String(opts.httpPort), '--api-port', String(opts.apiPort), '--srt-port', String(opts.srtPort)];
  const child = spawn(process.execPath, args, { stdio: ['ignore', 'pipe', 'pipe'] });
  try {
    await nodeRegistered(child, opts.nodeOutput);
  } catch (e) {
    child.kill('SIGKILL');
    await controlPlane.close();
    throw e;
  }
  const ports = { rtmp: opts.rtmpPort, http: opts.httpPort, api: opts.apiPort, srt: opts.srtPort };
  const banner = platformBanner({ controlPlaneUrl: controlPlane.url, apiKey, dataDir, ports });
  return {
    controlPlane,
    apiKey,
    ports,
    banner,
    async close() {
      if (child.exitCode === null) {
        const exited = new Promise<void>((r) => child.once('exit', () => r()));
        child.kill('SIGTERM');
        await exited;
      }
      await controlPlane.close();
    },
  };
}

/** Resolves once the node logged its registration; rejects if it exits or takes too long. Every line goes to `output`. */
function nodeRegistered(child: ChildProcess, output: (line: string) => void): Promise<void> {
  return new Promise((resolvePromise, reject) => {
    const timer = setTimeout(() => reject(new Error(`the media node did not register within ${NODE_START_TIMEOUT_MS} ms`)), NODE_START_TIMEOUT_MS);
    const onLine = (line: string) => {
      output(line);
      if (/\bregistered\b/.test(line)) {
        clearTimeout(timer);
        resolvePromise();
      }
    };
    for (const stream of [child.stdout, child.stderr]) {
      let buf = '';
      stream?.setEncoding('utf8');
      stream?.on('data', (chunk: string) => {
        buf += chunk;
        const lines = buf.split('\n');
        buf = lines.pop() ?? '';
        for (const l of lines) onLine(l);
      });
    }
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`the media node exited with code ${code} before registering`));
    });
  });
}

const OPTIONS = {
  port: { type: 'string', default: '8787' },
  'rtmp-port': { type: 'string', default: '1935' },
  'http-port': { type: 'string', default: '8080' },
  'api-port': { type: 'string', default: '1985' },
  'srt-port': { type: 'string', default: '10080' },
  'data-dir': { type: 'string', default: '.runnel' },
} as const;

function portFlag(v: string, flag: string): number {
  if (!/^[0-9]{1,5}$/.test(v) || Number(v) < 1 || Number(v) > 65535) throw new EnvError(`${flag}: expected a port number from 1 to 65535, got ${JSON.stringify(v)}`);
  return Number(v);
}

async function main(): Promise<number> {
  let platform: RunningPlatform;
  try {
    const { values } = parseArgs({ args: process.argv.slice(2), options: OPTIONS, strict: true, allowPositionals: false });
    platform = await startPlatform({
      port: portFlag(values.port, '--port'),
      rtmpPort: portFlag(values['rtmp-port'], '--rtmp-port'),
      httpPort: portFlag(values['http-port'], '--http-port'),
      apiPort: portFlag(values['api-port'], '--api-port'),
      srtPort: portFlag(values['srt-port'], '--srt-port'),
      dataDir: values['data-dir'],
      env: process.env,
      nodeOutput: (line) => process.stdout.write(`[node] ${line}\n`),
    });
  } catch (e) {
    process.stderr.write(`runnel start: ${e instanceof Error ? e.message : String(e)}\n`);
    return e instanceof EnvError || (e as { code?: string }).code?.startsWith('ERR_PARSE_ARGS') === true ? 2 : 1;
  }
  process.stdout.write(platform.banner);
  const signal = await new Promise<string>((r) => {
    process.once('SIGINT', r);
    process.once('SIGTERM', r);
  });
  // A terminal's Ctrl-C reaches every process of the group, and `runnel start` passes it on too: one is enough.
  for (const again of ['SIGINT', 'SIGTERM'] as const) process.on(again, () => {});
  process.stdout.write(`stopping (${signal})\n`);
  await platform.close();
  return 0;
}

if (import.meta.main) process.exit(await main());
