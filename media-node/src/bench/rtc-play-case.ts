import { mkdtempSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import type { TrackedChild } from './children.ts';
import { NODE_LOG_KEEP } from './node-log.ts';
import { peakRssBytes, pinnedCpu, sampleWindow, windowUsage, type WindowProcesses } from './measure-window.ts';
import type { GeneratorClient } from './generator-client.ts';
import { waitForPublishing, waitForRamp } from './ramp.ts';
import type { RtcAudioMode, RtcBenchOptions, RtcBenchProtocol, RtcUdpMuxMode } from './rtc-options.ts';
import { summarizeRtcPlayers } from './rtc-play-summary.ts';
import { fanoutContext, fanoutRowFields, runCase, share, startGenerators, startLoopPublisher, type BenchRunContext, type CaseResult, type PlayRowFields } from './run-case.ts';
import { sleep, startServer, STREAM_APP, STREAM_NAME, type ServerUnderTest } from './servers.ts';
import type { SourceFile } from './source-file.ts';
import type { RtcGeneratorKind } from './rtc-load-generator.ts';

/** The fan-out source's frame rate (source-file.ts: testsrc2 rate=25). */
export const SOURCE_FPS = 25;
/**
 * Sessions the node may hold beyond N: rtc.port_count is the session cap in
 * both modes, and with udp_mux off also the number of UDP ports (one per session).
 */
const SPARE_SESSIONS = 16;

/** What every case of `runnel bench rtc` needs from the run. */
export interface RtcCaseContext extends BenchRunContext {
  readonly options: RtcBenchOptions;
}

export interface RtcPlaySpec {
  readonly protocol: RtcBenchProtocol;
  /** WHEP only; 'off' for RTMP rows (their AAC is passed through, no bridge). */
  readonly audio: RtcAudioMode;
  /** WHEP only: the node's rtc.udp_mux; 'on' for RTMP rows (ignored there). */
  readonly udpMux: RtcUdpMuxMode;
  readonly players: number;
}

/** One row: WHEP players measured here, RTMP players by the fan-out bench's runCase. */
export interface RtcPlayResult extends RtcPlaySpec, PlayRowFields {
  /** WHEP only (NaN for RTMP): mean and slowest player's video frames/s, mean Opus packets/s. */
  readonly meanFps: number;
  readonly minFps: number;
  readonly meanAudioPps: number;
  /** WHEP only (NaN for RTMP): RTP packets all players received twice (NACK retransmissions) in the window. */
  readonly duplicates: number;
}

/** N players of the ~600 kbit/s stream over `spec.protocol`, the stream published over RTMP. */
export async function runRtcPlayCase(spec: RtcPlaySpec, ctx: RtcCaseContext, source: SourceFile): Promise<RtcPlayResult> {
  if (spec.protocol === 'rtmp') return fromFanout(await runCase({ server: 'runnel', protocol: 'rtmp', style: 'eager', players: spec.players }, fanoutContext(ctx, source)));
  const caseDir = mkdtempSync(join(ctx.workDir, `play-rtc-${spec.players}-mux-${spec.udpMux}-`));
  const started: TrackedChild[] = [];
  const gens: GeneratorClient<RtcGeneratorKind>[] = [];
  try {
    // listen.rtc 0: OS-chosen port(s) (nothing fixed to collide with other processes on a shared machine).
    const node = await startServer('runnel', {
      registry: ctx.registry,
      workDir: caseDir,
      cpus: ctx.serverCpus,
      runnelConfig: { listen: { host: '127.0.0.1', rtc: 0 }, rtc: { enabled: true, udp_mux: spec.udpMux === 'on', port_count: spec.players + SPARE_SESSIONS, allow_loopback_candidates: true } },
      keepLines: NODE_LOG_KEEP,
    });
    started.push(node.child);
    const publisher = startLoopPublisher(ctx, source.path, node.rtmpUrl);
    started.push(publisher);
    await waitForPublishing(node, publisher);
    gens.push(...startGenerators<RtcGeneratorKind>(ctx, spec.players, 'rtc-generator', started, new URL('./rtc-generator-main.ts', import.meta.url)));
    const k = gens.length;
    const url = `http://127.0.0.1:${node.httpPort}/rtc/v1/whep/?app=${STREAM_APP}&stream=${STREAM_NAME}`;
    const rampPerSecond = Math.max(1, Math.round(ctx.options.rampPerSecond / k));
    await Promise.all(gens.map((g, i) => g.open({ url, count: share(spec.players, k, i), audio: spec.audio === 'on', rampPerSecond })));
    const playingAtStart = await waitForRamp(spec.players, ctx.options.rampPerSecond, ctx.log, gens);
    await sleep(ctx.options.warmupMs);
    return await measure(spec, ctx, node, publisher, gens, playingAtStart);
  } catch (e) {
    return failed(spec, e instanceof Error ? e.message : String(e));
  } finally {
    for (const child of started.reverse()) await child.stop();
    rmSync(caseDir, { recursive: true, force: true });
  }
}

function fromFanout(r: CaseResult): RtcPlayResult {
  return { protocol: 'rtmp', audio: 'off', udpMux: 'on', ...fanoutRowFields(r), meanFps: Number.NaN, minFps: Number.NaN, meanAudioPps: Number.NaN, duplicates: Number.NaN };
}

async function measure(
  spec: RtcPlaySpec,
  ctx: RtcCaseContext,
  node: ServerUnderTest,
  publisher: TrackedChild,
  gens: readonly GeneratorClient<RtcGeneratorKind>[],
  playingAtStart: number,
): Promise<RtcPlayResult> {
  const procs: WindowProcesses = { serverName: 'runnel', server: node.child, generators: gens.map((g) => g.child.pid), publishers: [publisher.pid], serverCpu: pinnedCpu(ctx.serverCpus) };
  const w0 = sampleWindow(procs, 'before');
  await Promise.all(gens.map((g) => g.mark()));
  const t0 = performance.now();
  const rss = await peakRssBytes(node.child.pid, ctx.options.durationMs, w0.server.rssBytes);
  const reports = await Promise.all(gens.map((g) => g.report()));
  const wallMs = performance.now() - t0;
  const usage = windowUsage(w0, sampleWindow(procs, 'during'), wallMs, rss, ctx.ticksPerSecond);

  const summary = summarizeRtcPlayers(reports.flatMap((r) => r.players), wallMs, { videoFps: SOURCE_FPS, audio: spec.audio === 'on' });
  const top = reports.map((r) => r.topError).find((t) => t !== undefined);
  return {
    ...spec,
    cpuPercent: usage.cpuPercent,
    rssMiB: usage.rssMiB,
    generatorCpuPercent: usage.generatorCpuPercent,
    otherCpuPercent: usage.otherCpuPercent,
    serverCpuBusyPercent: usage.serverCpuBusyPercent,
    keepingUp: summary.keepingUp,
    meanFps: summary.meanFps,
    minFps: summary.minFps,
    meanAudioPps: summary.meanAudioPps,
    meanMbps: summary.meanMbps,
    duplicates: summary.duplicates,
    maxLagMs: Number.NaN,
    playingAtStart,
    errors: reports.reduce((n, r) => n + r.errors, 0),
    topError: top,
    failure: publisher.alive ? undefined : `publisher exited during the run: ${publisher.tail().split('\n').pop() ?? ''}\nnode log: ${node.child.tail().split('\n').slice(-3).join(' | ')}`,
  };
}

function failed(spec: RtcPlaySpec, message: string): RtcPlayResult {
  return {
    ...spec,
    cpuPercent: Number.NaN,
    rssMiB: Number.NaN,
    generatorCpuPercent: Number.NaN,
    otherCpuPercent: Number.NaN,
    serverCpuBusyPercent: Number.NaN,
    keepingUp: 0,
    meanFps: Number.NaN,
    minFps: Number.NaN,
    meanAudioPps: Number.NaN,
    meanMbps: Number.NaN,
    duplicates: Number.NaN,
    maxLagMs: Number.NaN,
    playingAtStart: 0,
    errors: 0,
    topError: undefined,
    failure: message,
  };
}
