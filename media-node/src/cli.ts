// The `runnel` command: the one entry point of a media node. Only this file
// reads process.env, argv, cwd and signals; everything below gets values.
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { parseCli, readyBanner, readyUrls, UsageError } from './server/cli-args.ts';
import type { CliCommand, ReadyInfo } from './server/cli-args.ts';
import { ConfigError, loadNodeConfig } from './server/config/index.ts';
import type { NodeConfig } from './server/config/index.ts';
import { createLogger, lineSink } from './server/log/logger.ts';
import type { Logger } from './server/log/logger.ts';
import { RUNNEL_VERSION, startNode } from './server/node.ts';

async function main(argv: readonly string[]): Promise<number> {
  let cmd: CliCommand;
  try {
    cmd = parseCli(argv);
  } catch (e) {
    if (!(e instanceof UsageError)) throw e;
    process.stderr.write(`runnel: ${e.message}\n`);
    return 2;
  }
  switch (cmd.kind) {
    case 'help':
      (cmd.exitCode === 0 ? process.stdout : process.stderr).write(cmd.text);
      return cmd.exitCode;
    case 'version':
      process.stdout.write(`runnel ${RUNNEL_VERSION}\n`);
      return 0;
    case 'bench':
      return runBench(cmd.argv);
    case 'start':
      return runStart(cmd.argv);
    case 'node':
      return runNode(cmd);
  }
}

async function runNode(cmd: Extract<CliCommand, { kind: 'node' }>): Promise<number> {
  let config: NodeConfig;
  try {
    config = await loadNodeConfig({ file: cmd.configFile, overrides: cmd.overrides, envServerId: process.env.SRS_SERVER_ID, cwd: process.cwd() });
  } catch (e) {
    if (!(e instanceof ConfigError)) throw e;
    process.stderr.write(`runnel: ${e.message}\n`);
    return 2;
  }
  const logger: Logger = createLogger({ level: config.log.level, sink: lineSink(config.log.format, (line) => process.stdout.write(line)) });

  // A promise some code forgot to handle is a bug, but not a reason to drop every stream of the node:
  // log it loudly (with its stack) and keep serving. Tests still fail on one (vitest reports them).
  process.on('unhandledRejection', (reason) => {
    logger.error('unhandled_rejection', { error: reason instanceof Error ? reason : String(reason) });
  });

  // Listen for signals before starting, so a stop during startup is not lost.
  const signalled = new Promise<NodeJS.Signals>((resolve) => {
    process.once('SIGINT', resolve);
    process.once('SIGTERM', resolve);
  });

  let node: Awaited<ReturnType<typeof startNode>>;
  try {
    node = await startNode(config, logger, { argv: process.argv, cwd: process.cwd(), awsCredentials: awsCredentialsFromEnv() });
  } catch (e) {
    logger.error('start_failed', { error: e instanceof Error ? e : String(e) });
    return 1;
  }
  const ready = { version: RUNNEL_VERSION, serverId: config.serverId, host: config.listen.host, ports: node.ports };
  const cpUrl = config.controlPlane.url;
  if (config.log.format === 'text') {
    process.stdout.write(cpUrl === '' ? readyBanner(ready) : controlPlaneBanner(ready, cpUrl));
  } else {
    const urls = readyUrls(ready);
    const examples = cpUrl === '' ? { publish: urls.publish, play: urls.play } : { control_plane: cpUrl };
    logger.info('ready', { server_id: config.serverId, ...examples, api: urls.api });
  }

  const signal = await signalled;
  logger.info('stopping', { signal });
  // A second signal means "now": do not wait for clients to close.
  const force = () => process.exit(130);
  process.once('SIGINT', force);
  process.once('SIGTERM', force);
  await node.stop();
  logger.info('stopped');
  return 0;
}

/**
 * The ready lines of a node under a control plane (`runnel start`, a fleet
 * node). Every publish there needs a stream key the control plane issued,
 * and streams play under playback ids, so the standalone examples
 * (`live/livestream`) would be refused: this points at the API instead.
 */
function controlPlaneBanner(ready: ReadyInfo, cpUrl: string): string {
  const api = cpUrl.replace(/\/+$/, '');
  return [
    `runnel ${ready.version} node ${ready.serverId} ready, streams managed by the control plane ${api}`,
    `  publish  to the URL and stream key of a stream the API created: POST ${api}/v1/live-streams/{id}/publish-urls`,
    `  play     under its playback id: GET ${api}/v1/live-streams/{id}/playback-urls`,
    ...readyUrls(ready).api.map((u) => `  api      ${u}`),
    '',
  ].join('\n');
}

/** The AWS SDK's standard variables, for `storage.type: s3` without keys in the config. */
function awsCredentialsFromEnv(): { accessKeyId: string; secretAccessKey: string; sessionToken?: string } | undefined {
  const { AWS_ACCESS_KEY_ID: accessKeyId, AWS_SECRET_ACCESS_KEY: secretAccessKey, AWS_SESSION_TOKEN: sessionToken } = process.env;
  if (!accessKeyId || !secretAccessKey) return undefined;
  return { accessKeyId, secretAccessKey, ...(sessionToken ? { sessionToken } : {}) };
}

/**
 * `runnel start`: the platform launcher (control-plane/src/entry/platform.ts)
 * as a child process. Not an import: the node never imports the control plane
 * (design.md); the launcher owns both and starts this CLI's `node` itself.
 * Signals are passed on so Ctrl-C stops the whole platform in order.
 */
async function runStart(argv: readonly string[]): Promise<number> {
  const launcher = fileURLToPath(new URL('../../control-plane/src/entry/platform.ts', import.meta.url));
  if (!existsSync(launcher)) {
    process.stderr.write('runnel: start needs the control plane (control-plane/ beside media-node/); for a node alone run "runnel node"\n');
    return 2;
  }
  const child = spawn(process.execPath, [launcher, ...argv], { stdio: 'inherit' });
  const forward = (signal: NodeJS.Signals) => child.kill(signal);
  process.on('SIGINT', forward);
  process.on('SIGTERM', forward);
  return new Promise((resolve) => child.once('exit', (code, signal) => resolve(code ?? (signal === null ? 1 : 128 + (signal === 'SIGINT' ? 2 : 15)))));
}

/** The load generators live in bench/ and are loaded only when asked for; they export `runBench(argv): Promise<number>`. */
async function runBench(argv: readonly string[]): Promise<number> {
  const specifier = './bench/cli.ts';
  let mod: { runBench?: (argv: readonly string[]) => Promise<number> };
  try {
    mod = (await import(specifier)) as typeof mod;
  } catch (e) {
    const err = e as NodeJS.ErrnoException;
    if (err.code === 'ERR_MODULE_NOT_FOUND' && err.message.includes('bench/cli.ts')) {
      process.stderr.write('runnel: bench is not part of this build yet\n');
      return 2;
    }
    throw e;
  }
  if (typeof mod.runBench !== 'function') {
    process.stderr.write('runnel: bench/cli.ts does not export runBench(argv)\n');
    return 1;
  }
  return mod.runBench(argv);
}

const code = await main(process.argv.slice(2));
// A stopped node may leave idle handles (keep-alive sockets, timers of other modules): exit explicitly.
process.exit(code);
