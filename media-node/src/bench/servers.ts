import { writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { connect, createServer } from 'node:net';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import type { ServerName } from './bench-options.ts';
import type { ChildRegistry, TrackedChild } from './children.ts';

/** Time a server gets from spawn to accepting connections on its ports (Node start-up + TS stripping). */
const READY_TIMEOUT_MS = 20_000;
const READY_POLL_MS = 100;

/** The stream every run publishes and plays (SRS URL convention: app "live"). */
export const STREAM_APP = 'live';
export const STREAM_NAME = 'bench';

export interface ServerUnderTest {
  readonly name: ServerName;
  readonly child: TrackedChild;
  readonly rtmpPort: number;
  readonly httpPort: number;
  /** The SRS-compatible HTTP API (Runnel only; 0 for NMS, whose admin is off). */
  readonly apiPort: number;
  /** rtmp://127.0.0.1:P/live/bench */
  readonly rtmpUrl: string;
  /** http://127.0.0.1:Q/live/bench.flv */
  readonly flvUrl: string;
}

export interface StartServerOptions {
  readonly registry: ChildRegistry;
  /** Scratch directory: the server's cwd, and where NMS's config and data go. */
  readonly workDir: string;
  readonly cpus: string | undefined;
  /**
   * Runnel config sections that replace the defaults below (a whole section
   * each, e.g. `{ hls: { enabled: true, fragment_ms: 2000 } }`); ignored for NMS.
   */
  readonly runnelConfig?: Readonly<Record<string, unknown>>;
  /** Server output lines to keep for the report (ChildSpec.keepLines). */
  readonly keepLines?: RegExp;
}

/** Where a Runnel node started in `workDir` keeps its data (HLS files, spool). */
export function runnelDataDir(workDir: string): string {
  return join(workDir, 'runnel-data');
}

/**
 * The Runnel node, started through its own CLI (what an operator runs), with
 * every other setting at its default. The config file only binds loopback,
 * keeps the data directory in the scratch directory and turns HLS off: this
 * measures fan-out, like NMS here (no recording) and SRS's published figures.
 */
function runnelCommand(ports: { rtmp: number; http: number; api: number }, workDir: string, sections: Readonly<Record<string, unknown>> = {}): string[] {
  const cli = fileURLToPath(new URL('../cli.ts', import.meta.url));
  const configPath = join(workDir, 'runnel-node.json');
  const config = { data_dir: runnelDataDir(workDir), listen: { host: '127.0.0.1' }, hls: { enabled: false }, srt: { enabled: false }, ...sections };
  writeFileSync(configPath, JSON.stringify(config, null, 2));
  // --rtc-port 0: the WebRTC UDP mux takes an OS-chosen port, not 8000 (another process may hold it).
  const portFlags = ['--rtmp-port', String(ports.rtmp), '--http-port', String(ports.http), '--api-port', String(ports.api), '--rtc-port', '0'];
  return [cli, 'node', '-c', configPath, ...portFlags];
}

/**
 * Node-Media-Server 4.4.3 from npm, on the same Node binary. It gets its own
 * config file in the scratch directory: its bin/app.js otherwise writes a
 * generated admin password and secret back into node_modules on first start.
 * Listening on loopback only, no RTMPS/HTTPS, no web admin, no recording.
 */
function nmsCommand(ports: { rtmp: number; http: number }, workDir: string): string[] {
  const app = createRequire(import.meta.url).resolve('node-media-server/bin/app.js');
  const configPath = join(workDir, 'nms-config.json');
  const config = {
    bind: '127.0.0.1',
    notify: { url: '' },
    store: { path: join(workDir, 'nms-data') },
    auth: { play: false, publish: false, secret: randomBytes(16).toString('hex') },
    rtmp: { port: ports.rtmp },
    http: { port: ports.http },
    webadmin: { enable: false },
    record: { auto: false, path: join(workDir, 'nms-record') },
  };
  writeFileSync(configPath, JSON.stringify(config, null, 2));
  return [app, '-c', configPath, '--rtmp-port', String(ports.rtmp), '--http-port', String(ports.http), '--no-admin'];
}

export async function startServer(name: ServerName, opts: StartServerOptions): Promise<ServerUnderTest> {
  const rtmp = await freePort();
  const http = await freePort();
  const api = await freePort();
  const args = name === 'runnel' ? runnelCommand({ rtmp, http, api }, opts.workDir, opts.runnelConfig) : nmsCommand({ rtmp, http }, opts.workDir);
  const child = opts.registry.spawn({
    name,
    command: process.execPath,
    args,
    cwd: opts.workDir,
    ...(opts.cpus === undefined ? {} : { cpus: opts.cpus }),
    ...(opts.keepLines === undefined ? {} : { keepLines: opts.keepLines }),
  });
  await waitForPorts(child, name === 'runnel' ? [rtmp, http, api] : [rtmp, http]);
  return {
    name,
    child,
    rtmpPort: rtmp,
    httpPort: http,
    apiPort: name === 'runnel' ? api : 0,
    rtmpUrl: `rtmp://127.0.0.1:${rtmp}/${STREAM_APP}/${STREAM_NAME}`,
    flvUrl: `http://127.0.0.1:${http}/${STREAM_APP}/${STREAM_NAME}.flv`,
  };
}

/** A port that was free a moment ago (the OS picks it; tests and benches never use fixed ports). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const addr = srv.address();
      const port = typeof addr === 'object' && addr ? addr.port : 0;
      srv.close(() => resolve(port));
    });
  });
}

async function waitForPorts(child: TrackedChild, ports: readonly number[]): Promise<void> {
  const deadline = Date.now() + READY_TIMEOUT_MS;
  for (const port of ports) {
    while (!(await canConnect(port))) {
      if (!child.alive) throw new Error(`${child.name} exited before listening on ${port}:\n${child.tail()}`);
      if (Date.now() > deadline) throw new Error(`${child.name} is not listening on ${port} after ${READY_TIMEOUT_MS} ms:\n${child.tail()}`);
      await sleep(READY_POLL_MS);
    }
  }
}

function canConnect(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const s = connect({ host: '127.0.0.1', port });
    s.once('connect', () => {
      s.destroy();
      resolve(true);
    });
    s.once('error', () => resolve(false));
  });
}

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
