import { mkdtempSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import type { TrackedChild } from './children.ts';
import { peakRssBytes, pinnedCpu, sampleWindow, windowUsage, type WindowProcesses } from './measure-window.ts';
import { fanoutContext, fanoutRowFields, runCase, share, startGenerators, startLoopPublisher, type CaseResult, type PlayRowFields } from './run-case.ts';
import { sleep, STREAM_APP, STREAM_NAME } from './servers.ts';
import type { GeneratorClient } from './generator-client.ts';
import { waitForPublishing, waitForRamp } from './ramp.ts';
import { startSrtNode, type SrtCaseContext, type SrtNodeUnderTest } from './srt-node.ts';
import type { SrtBenchProtocol } from './srt-options.ts';
import { summarizeSrtPlayers } from './srt-play-summary.ts';
import { readUdpDrops } from './srt-udp-drops.ts';
import type { SrtSources } from './srt-source.ts';
import type { SrtGeneratorKind } from './srt-load-generator.ts';

export interface SrtPlaySpec {
  readonly protocol: SrtBenchProtocol;
  readonly players: number;
}

/** One row of the play part: SRT players measured here, RTMP players by the fan-out bench's runCase. */
export interface SrtPlayResult extends SrtPlaySpec, PlayRowFields {
  /** The stream's own rate, Mbit/s (TS for SRT, FLV for RTMP): what `meanMbps` should reach. */
  readonly expectedMbps: number;
  /** SRT only (NaN for RTMP): the slowest player, and packets lost / dropped by all players in the window. */
  readonly minMbps: number;
  readonly lostPackets: number;
  readonly droppedPackets: number;
  /** SRT only (NaN for RTMP): datagrams (the players' ACKs, NAKs, keepalives) the kernel dropped at the node's SRT socket in the window. */
  readonly udpDrops: number;
}

/** N players of the ~600 kbit/s stream over `spec.protocol`, the stream published over RTMP. */
export async function runSrtPlayCase(spec: SrtPlaySpec, ctx: SrtCaseContext, sources: SrtSources): Promise<SrtPlayResult> {
  if (spec.protocol === 'rtmp') return fromFanout(await runCase({ server: 'runnel', protocol: 'rtmp', style: 'eager', players: spec.players }, fanoutContext(ctx, sources.flv)), sources);
  const caseDir = mkdtempSync(join(ctx.workDir, `play-srt-${spec.players}-`));
  const started: TrackedChild[] = [];
  const gens: GeneratorClient<SrtGeneratorKind>[] = [];
  try {
    const node = await startSrtNode(ctx, caseDir);
    started.push(node.child);
    const publisher = startLoopPublisher(ctx, sources.flv.path, node.rtmpUrl);
    started.push(publisher);
    await waitForPublishing(node, publisher);
    gens.push(...startGenerators<SrtGeneratorKind>(ctx, spec.players, 'srt-generator', started, new URL('./srt-generator-main.ts', import.meta.url)));
    const k = gens.length;
    const streamId = `#!::r=${STREAM_APP}/${STREAM_NAME},m=request`;
    await Promise.all(gens.map((g, i) => g.open({ host: '127.0.0.1', port: node.srtPort, streamId, count: share(spec.players, k, i), latencyMs: ctx.options.latencyMs, rampPerSecond: Math.max(1, Math.round(ctx.options.rampPerSecond / k)) })));
    const playingAtStart = await waitForRamp(spec.players, ctx.options.rampPerSecond, ctx.log, gens);
    await sleep(ctx.options.warmupMs);
    return await measure(spec, ctx, node, publisher, gens, sources, playingAtStart);
  } catch (e) {
    return failed(spec, sources, e instanceof Error ? e.message : String(e));
  } finally {
    for (const child of started.reverse()) await child.stop();
    rmSync(caseDir, { recursive: true, force: true });
  }
}

function fromFanout(r: CaseResult, sources: SrtSources): SrtPlayResult {
  return {
    protocol: 'rtmp',
    ...fanoutRowFields(r),
    expectedMbps: sources.flv.kbps / 1000,
    minMbps: Number.NaN,
    lostPackets: Number.NaN,
    droppedPackets: Number.NaN,
    udpDrops: Number.NaN,
  };
}

async function measure(
  spec: SrtPlaySpec,
  ctx: SrtCaseContext,
  node: SrtNodeUnderTest,
  publisher: TrackedChild,
  gens: readonly GeneratorClient<SrtGeneratorKind>[],
  sources: SrtSources,
  playingAtStart: number,
): Promise<SrtPlayResult> {
  const procs: WindowProcesses = { serverName: 'runnel', server: node.child, generators: gens.map((g) => g.child.pid), publishers: [publisher.pid], serverCpu: pinnedCpu(ctx.serverCpus) };
  const w0 = sampleWindow(procs, 'before');
  const d0 = readUdpDrops(node.srtPort);
  await Promise.all(gens.map((g) => g.mark()));
  const t0 = performance.now();
  const rss = await peakRssBytes(node.child.pid, ctx.options.durationMs, w0.server.rssBytes);
  const reports = await Promise.all(gens.map((g) => g.report()));
  const wallMs = performance.now() - t0;
  const usage = windowUsage(w0, sampleWindow(procs, 'during'), wallMs, rss, ctx.ticksPerSecond);
  const d1 = readUdpDrops(node.srtPort);

  const expectedMbps = sources.ts.kbps / 1000;
  const summary = summarizeSrtPlayers(reports.flatMap((r) => r.players), wallMs, expectedMbps);
  const top = reports.map((r) => r.topError).find((t) => t !== undefined);
  return {
    ...spec,
    cpuPercent: usage.cpuPercent,
    rssMiB: usage.rssMiB,
    generatorCpuPercent: usage.generatorCpuPercent,
    otherCpuPercent: usage.otherCpuPercent,
    serverCpuBusyPercent: usage.serverCpuBusyPercent,
    keepingUp: summary.keepingUp,
    meanMbps: summary.meanMbps,
    expectedMbps,
    minMbps: summary.minMbps,
    lostPackets: summary.lostPackets,
    droppedPackets: summary.droppedPackets,
    udpDrops: d0 !== undefined && d1 !== undefined ? d1 - d0 : Number.NaN,
    maxLagMs: Number.NaN,
    playingAtStart,
    errors: reports.reduce((n, r) => n + r.errors, 0),
    topError: top,
    failure: publisher.alive ? undefined : `publisher exited during the run: ${publisher.tail().split('\n').pop() ?? ''}`,
  };
}

function failed(spec: SrtPlaySpec, sources: SrtSources, message: string): SrtPlayResult {
  return {
    ...spec,
    cpuPercent: Number.NaN,
    rssMiB: Number.NaN,
    generatorCpuPercent: Number.NaN,
    otherCpuPercent: Number.NaN,
    serverCpuBusyPercent: Number.NaN,
    keepingUp: 0,
    meanMbps: 0,
    expectedMbps: (spec.protocol === 'srt' ? sources.ts.kbps : sources.flv.kbps) / 1000,
    minMbps: Number.NaN,
    lostPackets: Number.NaN,
    droppedPackets: Number.NaN,
    udpDrops: Number.NaN,
    maxLagMs: Number.NaN,
    playingAtStart: 0,
    errors: 0,
    topError: undefined,
    failure: message,
  };
}
