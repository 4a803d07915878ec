import { performance } from 'node:perf_hooks';
import { DEFAULT_OPTIONS, type BenchOptions, type PlayerLoadOptions, type PlayProtocol, type ReadStyle, type ServerName } from './bench-options.ts';
import type { ChildRegistry, TrackedChild } from './children.ts';
import { FlvPlayer } from './flv-player.ts';
import { GeneratorClient } from './generator-client.ts';
import type { FlvGeneratorKind, GeneratorKind } from './generator-protocol.ts';
import { summarizeLags, type LagSummary } from './player-clock.ts';
import { peakRssBytes, sampleWindow, windowUsage, type WindowProcesses } from './measure-window.ts';
import { sleep, startServer, type ServerUnderTest } from './servers.ts';
import type { SourceFile } from './source-file.ts';
import { waitForRamp } from './ramp.ts';

/** Time from starting the publisher to the first frame reaching a player (ffmpeg start + RTMP publish). */
const STREAM_READY_TIMEOUT_MS = 20_000;
const POLL_MS = 250;

export interface CaseSpec {
  readonly server: ServerName;
  readonly protocol: PlayProtocol;
  readonly players: number;
  readonly style: ReadStyle;
}

export interface CaseResult extends CaseSpec {
  /** Server CPU over the window, % of one core (user + kernel). */
  readonly cpuPercent: number;
  /** Largest server RSS sampled during the window, MiB. */
  readonly rssMiB: number;
  /** CPU of the busiest load generator over the window, % of one core (near 100: the generator, not the server, is the limit). */
  readonly generatorCpuPercent: number;
  readonly lag: LagSummary;
  /**
   * CPU used during the window by everything else on the machine (other
   * processes, kernel threads), % of one core: high means a noisy run.
   */
  readonly otherCpuPercent: number;
  /** What all players received during the window, Mbit/s. */
  readonly receivedMbps: number;
  readonly errors: number;
  readonly topError: string | undefined;
  /** Players with media when the warm-up started (less than `players` if the ramp timed out). */
  readonly playingAtStart: number;
  /** Set when the case could not run to the end (a child died, a timeout). */
  readonly failure: string | undefined;
}

/** What the cases of every bench (fan-out, SRT, WebRTC, HLS) need from the run, besides their options. */
export interface BenchRunContext {
  readonly registry: ChildRegistry;
  readonly workDir: string;
  /** taskset CPU lists: the server alone on one, everything else on the rest. */
  readonly serverCpus: string | undefined;
  readonly otherCpus: string | undefined;
  readonly ticksPerSecond: number;
  readonly log: (line: string) => void;
}

export interface CaseContext extends BenchRunContext {
  readonly options: BenchOptions;
  readonly source: SourceFile;
}

/** One server, one protocol, N players of one style: start, publish, ramp, warm up, measure, stop. */
export async function runCase(spec: CaseSpec, ctx: CaseContext): Promise<CaseResult> {
  const started: TrackedChild[] = [];
  const gens: GeneratorClient[] = [];
  try {
    const server = await startServer(spec.server, { registry: ctx.registry, workDir: ctx.workDir, cpus: ctx.serverCpus });
    started.push(server.child);
    const publisher = startLoopPublisher(ctx, ctx.source.path, server.rtmpUrl);
    started.push(publisher);
    await waitForStream(server, publisher);

    gens.push(...startGenerators<FlvGeneratorKind>(ctx, spec.players, 'generator', started));
    const k = gens.length;
    const url = spec.protocol === 'rtmp' ? server.rtmpUrl : server.flvUrl;
    await Promise.all(
      gens.map((g, i) =>
        g.open({
          protocol: spec.protocol,
          url,
          count: share(spec.players, k, i),
          style: spec.style,
          pauseMs: ctx.options.pauseMs,
          rampPerSecond: Math.max(1, Math.round(ctx.options.rampPerSecond / k)),
        }),
      ),
    );
    const playingAtStart = await waitForRamp(spec.players, ctx.options.rampPerSecond, ctx.log, gens);
    await sleep(ctx.options.warmupMs);
    return { ...(await measure(spec, ctx, server, publisher, gens)), playingAtStart };
  } catch (e) {
    return failed(spec, e instanceof Error ? e.message : String(e));
  } finally {
    // Players first, then the publisher, then the server: each stop is then a clean close for the next.
    for (const child of started.reverse()) await child.stop();
  }
}

async function measure(
  spec: CaseSpec,
  ctx: CaseContext,
  server: ServerUnderTest,
  publisher: TrackedChild,
  gens: readonly GeneratorClient[],
): Promise<Omit<CaseResult, 'playingAtStart'>> {
  const procs: WindowProcesses = { serverName: spec.server, server: server.child, generators: gens.map((g) => g.child.pid), publishers: [publisher.pid], serverCpu: undefined };
  const w0 = sampleWindow(procs, 'before');
  const t0 = performance.now();
  await Promise.all(gens.map((g) => g.mark()));
  const rss = await peakRssBytes(server.child.pid, ctx.options.durationMs, w0.server.rssBytes);
  const w1 = sampleWindow(procs, 'during');
  const wallMs = performance.now() - t0;
  const reports = await Promise.all(gens.map((g) => g.report()));

  const usage = windowUsage(w0, w1, wallMs, rss, ctx.ticksPerSecond);
  const lags = reports.flatMap((r) => r.lags);
  const windowBytes = reports.reduce((n, r) => n + r.windowBytes, 0);
  const top = reports.map((r) => r.topError).find((t) => t !== undefined);
  return {
    ...spec,
    cpuPercent: usage.cpuPercent,
    rssMiB: usage.rssMiB,
    generatorCpuPercent: usage.generatorCpuPercent,
    otherCpuPercent: usage.otherCpuPercent,
    lag: summarizeLags(lags, ctx.options.lagThresholdMs),
    receivedMbps: (windowBytes * 8) / (wallMs * 1000),
    errors: reports.reduce((n, r) => n + r.errors, 0),
    topError: top,
    failure: publisher.alive ? undefined : `publisher exited during the run: ${publisher.tail().split('\n').pop() ?? ''}`,
  };
}

/** What a bench with its own players needs to run fan-out (RTMP) rows through runCase. */
export type PlayerLoadCaseContext = BenchRunContext & { readonly options: PlayerLoadOptions & { readonly players: readonly number[] } };

/** The fan-out bench's context for another bench's RTMP rows: that run's window, ramp, generators and pinning. */
export function fanoutContext(ctx: PlayerLoadCaseContext, source: SourceFile): CaseContext {
  const o = ctx.options;
  const options: BenchOptions = { ...DEFAULT_OPTIONS, players: o.players, warmupMs: o.warmupMs, durationMs: o.durationMs, rampPerSecond: o.rampPerSecond, lagThresholdMs: o.lagThresholdMs, generators: o.generators, pin: o.pin, cacheDir: o.cacheDir };
  return { options, source, registry: ctx.registry, workDir: ctx.workDir, serverCpus: ctx.serverCpus, otherCpus: ctx.otherCpus, ticksPerSecond: ctx.ticksPerSecond, log: ctx.log };
}

/**
 * The columns every play row of the SRT and WebRTC benches has, whether its
 * players were measured by that bench (SRT, WHEP) or by runCase (RTMP).
 */
export interface PlayRowFields {
  readonly players: number;
  /** Node CPU, % of one core. */
  readonly cpuPercent: number;
  readonly rssMiB: number;
  /** The busiest load generator, % of one core. */
  readonly generatorCpuPercent: number;
  readonly otherCpuPercent: number;
  /** How busy the node's CPU was in all (the node and whatever else ran there), %; NaN for RTMP rows or when not pinned. */
  readonly serverCpuBusyPercent: number;
  readonly keepingUp: number;
  /** Mean rate a player received over the window, Mbit/s (RTP payload for WHEP, TS for SRT, FLV for RTMP). */
  readonly meanMbps: number;
  /** RTMP only (NaN otherwise, and for a failed case): the largest lag at the end of the window, ms. */
  readonly maxLagMs: number;
  /** Players with media when the warm-up began. */
  readonly playingAtStart: number;
  readonly errors: number;
  readonly topError: string | undefined;
  readonly failure: string | undefined;
}

/** An RTMP play row's columns from the fan-out case that measured it. */
export function fanoutRowFields(r: CaseResult): PlayRowFields {
  return {
    players: r.players,
    cpuPercent: r.cpuPercent,
    rssMiB: r.rssMiB,
    generatorCpuPercent: r.generatorCpuPercent,
    otherCpuPercent: r.otherCpuPercent,
    serverCpuBusyPercent: Number.NaN,
    keepingUp: r.lag.keepingUp,
    meanMbps: r.receivedMbps / r.players,
    maxLagMs: r.failure === undefined ? r.lag.maxLagMs : Number.NaN,
    playingAtStart: r.playingAtStart,
    errors: r.errors,
    topError: r.topError,
    failure: r.failure,
  };
}

/** ffmpeg re-publishes the file at `path` to `rtmpUrl` in real time, forever, without re-encoding. */
export function startLoopPublisher(ctx: Pick<CaseContext, 'registry' | 'otherCpus'>, path: string, rtmpUrl: string, name = 'publisher (ffmpeg)'): TrackedChild {
  return ctx.registry.spawn({
    name,
    command: 'ffmpeg',
    args: ['-hide_banner', '-loglevel', 'error', '-nostdin', '-re', '-stream_loop', '-1', '-i', path, '-c', 'copy', '-f', 'flv', rtmpUrl],
    ...(ctx.otherCpus === undefined ? {} : { cpus: ctx.otherCpus }),
  });
}

/**
 * Starts min(options.generators, players) load generators `<name>-1`, `<name>-2` ...
 * from `main` (default: the FLV/RTMP one), each pushed to `started` as it
 * spawns so that a failure later still stops it.
 */
export function startGenerators<K extends GeneratorKind>(
  ctx: Pick<CaseContext, 'registry' | 'otherCpus'> & { readonly options: Pick<PlayerLoadOptions, 'generators'> },
  players: number,
  name: string,
  started: TrackedChild[],
  main?: URL,
): GeneratorClient<K>[] {
  const gens: GeneratorClient<K>[] = [];
  const k = Math.min(ctx.options.generators, players);
  for (let i = 0; i < k; i++) {
    const g = new GeneratorClient<K>(ctx.registry, `${name}-${i + 1}`, ctx.otherCpus, main);
    gens.push(g);
    started.push(g.child);
  }
  return gens;
}

/** Plays the stream over HTTP-FLV from this process until a frame arrives: the publisher is then live. */
async function waitForStream(server: ServerUnderTest, publisher: TrackedChild): Promise<void> {
  const url = new URL(server.flvUrl);
  const env = { readBuffer: new Uint8Array(64 * 1024), now: () => performance.now() };
  const deadline = Date.now() + STREAM_READY_TIMEOUT_MS;
  let probe = new FlvPlayer(url, env);
  try {
    while (!probe.clock.started) {
      if (!publisher.alive) throw new Error(`publisher exited:\n${publisher.tail()}`);
      if (!server.child.alive) throw new Error(`${server.name} exited:\n${server.child.tail()}`);
      if (Date.now() > deadline) throw new Error(`no media on ${server.flvUrl} after ${STREAM_READY_TIMEOUT_MS} ms (${probe.error ?? 'no error'})`);
      // Before the publisher is up the server answers 404 (or closes): try again.
      if (!probe.open && probe.error !== undefined) {
        probe.close();
        probe = new FlvPlayer(url, env);
      }
      await sleep(POLL_MS);
    }
  } finally {
    probe.close();
  }
}

/** Player count of generator `i` of `k` (the first ones take the remainder). */
export function share(total: number, k: number, i: number): number {
  return Math.floor(total / k) + (i < total % k ? 1 : 0);
}

function failed(spec: CaseSpec, message: string): CaseResult {
  return {
    ...spec,
    cpuPercent: Number.NaN,
    rssMiB: Number.NaN,
    generatorCpuPercent: Number.NaN,
    otherCpuPercent: Number.NaN,
    lag: { players: spec.players, playing: 0, keepingUp: 0, maxLagMs: 0, medianLagMs: 0 },
    receivedMbps: 0,
    errors: 0,
    topError: undefined,
    playingAtStart: 0,
    failure: message,
  };
}
