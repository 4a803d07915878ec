import { mkdtempSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import type { TrackedChild } from './children.ts';
import { readStreams } from './hls-watch.ts';
import { MIN_INGEST_FRACTION, streamNames } from './hls-case.ts';
import { summarizeNodeLog } from './node-log.ts';
import { peakRssBytes, pinnedCpu, sampleWindow, windowUsage, type WindowProcesses } from './measure-window.ts';
import { sleep } from './servers.ts';
import { lostMedia, sumSrtLoss, type SrtLossTotals } from './srt-loss-log.ts';
import { readUdpDrops } from './srt-udp-drops.ts';
import { startSrtNode, type SrtCaseContext, type SrtNodeUnderTest } from './srt-node.ts';
import type { SrtBenchProtocol } from './srt-options.ts';
import type { SrtSources } from './srt-source.ts';
import { ingestMbps, type StreamCounters } from './stream-stats.ts';

const APP = 'live';
/** Publisher starts are spread over one GOP of the source (2 s), so K keyframes do not arrive together every time. */
const START_SPREAD_MS = 2_000;
/** Time for K ffmpeg processes to start and publish (and for the node to accept them), plus per stream. */
const PUBLISH_TIMEOUT_MS = 20_000;
const PUBLISH_TIMEOUT_PER_STREAM_MS = 500;
const READY_POLL_MS = 250;
/**
 * After the publishers stop, how long to wait for the node to end their
 * sessions (and log what their receivers lost): ffmpeg sends an SRT shutdown
 * on exit; one killed without it is dropped after the 5 s peer idle timeout.
 */
const END_TIMEOUT_MS = 7_000;

export interface SrtPublishSpec {
  readonly protocol: SrtBenchProtocol;
  readonly streams: number;
}

export interface SrtPublishResult extends SrtPublishSpec {
  /** Node CPU over the window, % of one core (user + kernel). */
  readonly cpuPercent: number;
  readonly rssMiB: number;
  /** The K ffmpeg publishers together, % of one core. */
  readonly publisherCpuPercent: number;
  /** Everything else on the machine during the window, % of one core. */
  readonly otherCpuPercent: number;
  /** How busy the node's CPU was in all (the node and whatever else ran there), %; NaN when not pinned. */
  readonly serverCpuBusyPercent: number;
  /** Media bytes into the hub from all publishers in the window (FLV tag bodies, /api/v1/streams recv_bytes), Mbit/s; and the slowest stream. */
  readonly ingestMbps: number;
  readonly minStreamMbps: number;
  /** Streams received at MIN_INGEST_FRACTION of the source rate or more, publisher still running. */
  readonly realTimeStreams: number;
  /** SRT only: what the node's receivers logged as lost over the whole publish (start, warm-up, window); undefined for RTMP. */
  readonly loss: SrtLossTotals | undefined;
  /** SRT only (NaN for RTMP or without /proc/net/udp): datagrams the kernel dropped at the node's SRT socket in the window (its receive buffer was full). */
  readonly udpDrops: number;
  /** Every stream real time and, for SRT, no media lost. */
  readonly keptUp: boolean;
  readonly problem: string | undefined;
  readonly nodeLog: string | undefined;
  /** Set when the case could not run to the end (the node died, a harness timeout). */
  readonly failure: string | undefined;
}

/** K publishers of the ~5 Mbit/s source to one node over SRT or RTMP: start, wait, warm up, measure, stop. */
export async function runSrtPublishCase(spec: SrtPublishSpec, ctx: SrtCaseContext, sources: SrtSources): Promise<SrtPublishResult> {
  const caseDir = mkdtempSync(join(ctx.workDir, `publish-${spec.protocol}-${spec.streams}-`));
  let node: SrtNodeUnderTest | undefined;
  const publishers: TrackedChild[] = [];
  try {
    node = await startSrtNode(ctx, caseDir);
    const names = streamNames(spec.streams);
    for (const name of names) {
      publishers.push(startPublisher(ctx, node, spec.protocol, sources, name));
      await sleep(START_SPREAD_MS / names.length);
    }
    const publishing = await waitForPublishers(node, names);
    if (publishing < names.length) ctx.log(`  only ${publishing}/${names.length} streams publishing; measuring anyway`);
    await sleep(ctx.options.warmupMs);
    const measured = await measure(spec, ctx, node, publishers, names, sources.flv.kbps);
    // What the node logged up to the end of the window (stopping the publishers adds an unpublish each).
    const nodeLog = summarizeNodeLog(node.child.keptLines().filter((l) => !l.includes(' srt_publish_stats ')));
    // Stop the publishers and let the node end their sessions, so their receivers' losses are logged.
    await Promise.all(publishers.map((p) => p.stop()));
    const loss = spec.protocol === 'srt' ? await lossAfterEnd(node, names.length) : undefined;
    const mediaLost = loss !== undefined && lostMedia(loss);
    const problem = measured.problem ?? (mediaLost ? `the node's SRT receivers dropped ${loss.droppedPackets} packets (TS continuity errors ${loss.continuityErrors}, dropped PES ${loss.droppedPes})` : undefined);
    return { ...measured, loss, keptUp: problem === undefined, problem, nodeLog };
  } catch (e) {
    return failed(spec, e instanceof Error ? e.message : String(e));
  } finally {
    await Promise.all(publishers.map((p) => p.stop()));
    await node?.child.stop();
    rmSync(caseDir, { recursive: true, force: true });
  }
}

/** ffmpeg re-sends the encoded file in real time, forever, without re-encoding (-stream_loop keeps timestamps going up). */
function startPublisher(ctx: SrtCaseContext, node: SrtNodeUnderTest, protocol: SrtBenchProtocol, sources: SrtSources, name: string): TrackedChild {
  const input = protocol === 'srt' ? sources.ts.path : sources.flv.path;
  // ffmpeg's srt URL options are not percent-decoded (test/srt.e2e.test.ts): the stream id goes in as is.
  const out = protocol === 'srt' ? ['-f', 'mpegts', `srt://127.0.0.1:${node.srtPort}?streamid=#!::r=${APP}/${name},m=publish`] : ['-f', 'flv', `rtmp://127.0.0.1:${node.rtmpPort}/${APP}/${name}`];
  return ctx.registry.spawn({
    name: `publisher ${name} (ffmpeg, ${protocol})`,
    command: 'ffmpeg',
    args: ['-hide_banner', '-loglevel', 'error', '-nostdin', '-re', '-stream_loop', '-1', '-i', input, '-c', 'copy', ...out],
    ...(ctx.otherCpus === undefined ? {} : { cpus: ctx.otherCpus }),
  });
}

/** Waits until the node's API shows every stream publishing, or the timeout; resolves to how many do. */
async function waitForPublishers(node: SrtNodeUnderTest, names: readonly string[]): Promise<number> {
  const deadline = Date.now() + PUBLISH_TIMEOUT_MS + names.length * PUBLISH_TIMEOUT_PER_STREAM_MS;
  while (true) {
    if (!node.child.alive) throw new Error(`runnel exited:\n${node.child.tail()}`);
    const streams = await readStreams(node.apiPort, names.length).catch(() => [] as StreamCounters[]);
    const publishing = names.filter((n) => streams.some((s) => s.app === APP && s.name === n && s.publishing)).length;
    if (publishing === names.length || Date.now() > deadline) return publishing;
    await sleep(READY_POLL_MS);
  }
}

/** Waits until the node logged the end of `k` publishes (or the timeout), then sums what their receivers lost. */
async function lossAfterEnd(node: SrtNodeUnderTest, k: number): Promise<SrtLossTotals> {
  const deadline = Date.now() + END_TIMEOUT_MS;
  const ended = (): number => node.child.keptLines().filter((l) => / INFO {2}unpublish /.test(l)).length;
  while (ended() < k && Date.now() < deadline && node.child.alive) await sleep(READY_POLL_MS);
  // The stats line follows the unpublish line of the same session.
  await sleep(READY_POLL_MS);
  return sumSrtLoss(node.child.keptLines());
}

type Measured = Omit<SrtPublishResult, 'loss' | 'keptUp' | 'nodeLog'>;

async function measure(spec: SrtPublishSpec, ctx: SrtCaseContext, node: SrtNodeUnderTest, publishers: readonly TrackedChild[], names: readonly string[], sourceKbps: number): Promise<Measured> {
  const procs: WindowProcesses = { serverName: 'runnel', server: node.child, generators: [], publishers: publishers.map((p) => p.pid), serverCpu: pinnedCpu(ctx.serverCpus) };
  const a0 = performance.now();
  const api0 = await readStreams(node.apiPort, names.length);
  const apiAt0 = (a0 + performance.now()) / 2;
  const w0 = sampleWindow(procs, 'before');
  const d0 = spec.protocol === 'srt' ? readUdpDrops(node.srtPort) : undefined;
  const t0 = performance.now();
  const rss = await peakRssBytes(node.child.pid, ctx.options.durationMs, w0.server.rssBytes);
  const w1 = sampleWindow(procs, 'during');
  const d1 = spec.protocol === 'srt' ? readUdpDrops(node.srtPort) : undefined;
  const wallMs = performance.now() - t0;
  const a1 = performance.now();
  const api1 = await readStreams(node.apiPort, names.length);
  const apiAt1 = (a1 + performance.now()) / 2;

  const usage = windowUsage(w0, w1, wallMs, rss, ctx.ticksPerSecond);
  const rates = ingestMbps(api0, api1, names.map((n) => `${APP}/${n}`), apiAt1 - apiAt0);
  const minRate = (MIN_INGEST_FRACTION * sourceKbps) / 1000;
  const verdicts = rates.map((mbps, i) => {
    const p = publishers[i]!;
    if (!p.alive) return `${names[i]}: its ffmpeg exited (${p.tail().split('\n').pop() ?? ''})`;
    if (mbps < minRate) return `${names[i]}: received ${mbps.toFixed(2)} Mbit/s, under ${minRate.toFixed(2)}`;
    return undefined;
  });
  return {
    ...spec,
    cpuPercent: usage.cpuPercent,
    rssMiB: usage.rssMiB,
    publisherCpuPercent: usage.publisherCpuPercent,
    otherCpuPercent: usage.otherCpuPercent,
    serverCpuBusyPercent: usage.serverCpuBusyPercent,
    ingestMbps: rates.reduce((a, b) => a + b, 0),
    minStreamMbps: Math.min(...rates),
    realTimeStreams: verdicts.filter((v) => v === undefined).length,
    udpDrops: d0 !== undefined && d1 !== undefined ? d1 - d0 : Number.NaN,
    problem: verdicts.find((v) => v !== undefined),
    failure: undefined,
  };
}

function failed(spec: SrtPublishSpec, message: string): SrtPublishResult {
  return {
    ...spec,
    cpuPercent: Number.NaN,
    rssMiB: Number.NaN,
    publisherCpuPercent: Number.NaN,
    otherCpuPercent: Number.NaN,
    serverCpuBusyPercent: Number.NaN,
    ingestMbps: 0,
    minStreamMbps: 0,
    realTimeStreams: 0,
    loss: undefined,
    udpDrops: Number.NaN,
    keptUp: false,
    problem: undefined,
    nodeLog: undefined,
    failure: message,
  };
}
