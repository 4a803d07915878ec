import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import type { TrackedChild } from './children.ts';
import type { HlsBenchOptions, HlsStorage } from './hls-options.ts';
import { bucketPlaylists, localPlaylists, PlaylistWatch, readStreams, spoolBytes } from './hls-watch.ts';
import { pinnedCpu } from './measure-window.ts';
import { NODE_LOG_KEEP, summarizeNodeLog } from './node-log.ts';
import { expectedSegmentMs, type ProgressExpectations, type StreamProgress } from './playlist-progress.ts';
import { cpuPercent, readMachineBusyTicks, readProcSample, type ProcSample } from './proc-usage.ts';
import { startLoopPublisher, type BenchRunContext } from './run-case.ts';
import { probePutMs, S3RVER_KEYS, startS3rver, type S3rverChild } from './s3rver-child.ts';
import { runnelDataDir, sleep, startServer, type ServerUnderTest } from './servers.ts';
import { HLS_SOURCE_GOP_MS, type SourceFile } from './source-file.ts';
import { ingestMbps, type StreamCounters } from './stream-stats.ts';

const APP = 'live';
const BUCKET = 'media';
/** storage.s3.prefix: HLS keys go under it in the bucket, as in the S3 + CDN test. */
const S3_PREFIX = 'hls';
/** How often every playlist is read during the window: lateness is measured to this resolution. */
const POLL_MS = 500;
const RSS_SAMPLE_MS = 1_000;
/** Time for K ffmpeg processes to start and publish (and for the node to accept them), plus per stream. */
const PUBLISH_TIMEOUT_MS = 20_000;
const PUBLISH_TIMEOUT_PER_STREAM_MS = 200;
/** Time from publishing to every playlist listing a segment, on top of two segments. */
const FIRST_SEGMENT_SLACK_MS = 20_000;
const READY_POLL_MS = 250;
/**
 * A stream is received in real time when the node took at least this share of
 * the source's bit rate during the window: ffmpeg -re sends at the file's rate,
 * and a node that stops reading makes TCP push back and ffmpeg fall behind.
 * The source's rate is capped per second (maxrate/bufsize), so a 20 s window
 * of a 10 s loop carries the average within a few %.
 */
export const MIN_INGEST_FRACTION = 0.9;
/** A segment whose EXTINF is off the expected duration by more than this fraction is not what the fragment asks for. */
const DURATION_TOLERANCE = 0.25;

export interface HlsCaseSpec {
  readonly storage: HlsStorage;
  readonly streams: number;
}

export interface HlsCaseResult extends HlsCaseSpec {
  /** Node CPU over the window, % of one core (user + kernel). */
  readonly cpuPercent: number;
  /** Largest node RSS sampled in the window, MiB. */
  readonly rssMiB: number;
  /** The K ffmpeg publishers together, % of one core. */
  readonly publisherCpuPercent: number;
  /** s3rver (0 without S3) plus the bench process itself (it reads the playlists), % of one core. */
  readonly harnessCpuPercent: number;
  /** Everything else on the machine during the window, % of one core. */
  readonly otherCpuPercent: number;
  /**
   * How busy the node's CPU was in all (the node plus whatever else the
   * kernel ran there), % of it; NaN when not pinned. Near 100 the node had
   * no headroom left, whatever its own CPU % says.
   */
  readonly serverCpuBusyPercent: number;
  /** What the node received from all publishers in the window, Mbit/s, and the slowest stream's share. */
  readonly ingestMbps: number;
  readonly minStreamMbps: number;
  /** Streams that were real time (ingest, and for HLS the playlist checks). */
  readonly realTimeStreams: number;
  /** HLS only (undefined for storage none): every stream's playlist verdict. */
  readonly hls: HlsFigures | undefined;
  /** S3 only: the largest and the final size of the upload spool during the window, bytes. */
  readonly spoolMaxBytes: number;
  readonly spoolEndBytes: number;
  /** S3 only: median time of a segment-sized PUT to s3rver right after the window, ms (probePutMs); NaN otherwise. */
  readonly s3PutMs: number;
  /** Every stream real time and (S3) the spool empty at the end. */
  readonly realTime: boolean;
  /** Why not, first reason. */
  readonly problem: string | undefined;
  /** What the node logged that may say why (unpublish reasons, warnings, errors), counted; undefined when nothing. */
  readonly nodeLog: string | undefined;
  /** Set when the case could not run to the end (the node or s3rver died, a harness timeout). */
  readonly failure: string | undefined;
}

export interface HlsFigures {
  readonly segments: number;
  readonly minDurationMs: number;
  readonly maxDurationMs: number;
  readonly worstBehindMs: number;
  readonly missing: number;
  readonly discontinuities: number;
  /** Slowest playlist read in the window, ms (a read is stamped when sent). */
  readonly maxReadMs: number;
}

export interface HlsCaseContext extends BenchRunContext {
  readonly options: HlsBenchOptions;
  readonly source: SourceFile;
}

/** Stream names of a case: bench-1 .. bench-K. */
export function streamNames(k: number): string[] {
  return Array.from({ length: k }, (_, i) => `bench-${i + 1}`);
}

/** One storage and stream count: start s3rver (S3), the node, K publishers; wait, warm up, measure, stop. */
export async function runHlsCase(spec: HlsCaseSpec, ctx: HlsCaseContext): Promise<HlsCaseResult> {
  const caseDir = mkdtempSync(join(ctx.workDir, `${spec.storage}-${spec.streams}-`));
  const started: TrackedChild[] = [];
  const publishers: TrackedChild[] = [];
  try {
    let s3: S3rverChild | undefined;
    if (spec.storage === 's3') {
      const dir = join(caseDir, 's3rver');
      mkdirSync(dir);
      s3 = await startS3rver(ctx.registry, dir, BUCKET, ctx.otherCpus);
      started.push(s3.child);
    }
    const server = await startServer('runnel', { registry: ctx.registry, workDir: caseDir, cpus: ctx.serverCpus, runnelConfig: nodeConfig(spec.storage, ctx.options.fragmentMs, s3), keepLines: NODE_LOG_KEEP });
    started.push(server.child);
    const names = streamNames(spec.streams);
    const segmentMs = expectedSegmentMs(ctx.options.fragmentMs, HLS_SOURCE_GOP_MS);
    // Spread the starts over one segment: independent encoders cut their
    // segments at unrelated times, and K streams started together would all
    // finish a segment at the same instant, every time (a burst no real
    // node sees, which the upload queue would pay for).
    for (const name of names) {
      publishers.push(startLoopPublisher(ctx, ctx.source.path, `rtmp://127.0.0.1:${server.rtmpPort}/${APP}/${name}`, `publisher ${name} (ffmpeg)`));
      await sleep(segmentMs / names.length);
    }
    const publishing = await waitForPublishers(server, names);
    if (publishing < names.length) ctx.log(`  only ${publishing}/${names.length} streams publishing after ${publishTimeoutMs(names.length)} ms; measuring anyway`);

    const dataDir = runnelDataDir(caseDir);
    let watch: PlaylistWatch | undefined;
    if (spec.storage !== 'none') {
      const read = s3 ? bucketPlaylists(s3.url, S3_PREFIX, APP, names) : localPlaylists(join(dataDir, 'hls'), APP, names);
      watch = new PlaylistWatch(spec.streams, read);
      const timeoutMs = 2 * segmentMs + FIRST_SEGMENT_SLACK_MS;
      const listed = await waitForSegments(server, watch, timeoutMs);
      if (listed < names.length) ctx.log(`  only ${listed}/${names.length} playlists list a segment after ${timeoutMs} ms; measuring anyway`);
    }
    await sleep(ctx.options.warmupMs);
    return await measure(spec, ctx, { server, publishers, s3, watch, names, spoolDir: join(dataDir, 'spool') });
  } catch (e) {
    return failed(spec, e instanceof Error ? e.message : String(e));
  } finally {
    // Publishers first, then the node (it uploads what is left), then s3rver.
    await Promise.all(publishers.map((p) => p.stop()));
    for (const child of started.reverse()) await child.stop();
    rmSync(caseDir, { recursive: true, force: true });
  }
}

/** Config sections of the node under test; everything else at its defaults (SRS's). */
function nodeConfig(storage: HlsStorage, fragmentMs: number, s3: S3rverChild | undefined): Record<string, unknown> {
  if (storage === 'none') return { hls: { enabled: false } };
  const hls = { hls: { enabled: true, fragment_ms: fragmentMs } };
  if (storage === 'local' || s3 === undefined) return hls;
  return { ...hls, storage: { type: 's3', s3: { endpoint: s3.endpoint, bucket: s3.bucket, prefix: S3_PREFIX, force_path_style: true, ...S3RVER_KEYS } } };
}

function publishTimeoutMs(streams: number): number {
  return PUBLISH_TIMEOUT_MS + streams * PUBLISH_TIMEOUT_PER_STREAM_MS;
}

/** Waits until the node's API shows every stream publishing, or the timeout; resolves to how many do. */
async function waitForPublishers(server: ServerUnderTest, names: readonly string[]): Promise<number> {
  const deadline = Date.now() + publishTimeoutMs(names.length);
  while (true) {
    if (!server.child.alive) throw new Error(`runnel exited:\n${server.child.tail()}`);
    const streams = await readStreams(server.apiPort, names.length).catch(() => [] as StreamCounters[]);
    const publishing = names.filter((n) => streams.some((s) => s.app === APP && s.name === n && s.publishing)).length;
    if (publishing === names.length || Date.now() > deadline) return publishing;
    await sleep(READY_POLL_MS);
  }
}

/**
 * Waits until every playlist lists a segment, or the timeout; resolves to
 * how many do. A node too busy to segment K streams is a result (they will
 * not be real time), not a failure of the run.
 */
async function waitForSegments(server: ServerUnderTest, watch: PlaylistWatch, timeoutMs: number): Promise<number> {
  const deadline = Date.now() + timeoutMs;
  while (true) {
    if (!server.child.alive) throw new Error(`runnel exited:\n${server.child.tail()}`);
    const listed = await watch.startedCount();
    if (listed === watch.streams || Date.now() > deadline) return listed;
    await sleep(READY_POLL_MS);
  }
}

interface Running {
  readonly server: ServerUnderTest;
  readonly publishers: readonly TrackedChild[];
  readonly s3: S3rverChild | undefined;
  readonly watch: PlaylistWatch | undefined;
  readonly names: readonly string[];
  readonly spoolDir: string;
}

interface CpuMark {
  readonly node: ProcSample | undefined;
  readonly publishers: readonly (ProcSample | undefined)[];
  readonly s3rver: ProcSample | undefined;
  /** This process, µs of user + system CPU. */
  readonly selfMicros: number;
  readonly machine: number | undefined;
  /** Busy ticks of the CPU the node is pinned to. */
  readonly serverCpu: number | undefined;
}

function cpuMark(run: Running, serverCpus: string | undefined): CpuMark {
  const self = process.cpuUsage();
  const cpu = pinnedCpu(serverCpus);
  return {
    node: readProcSample(run.server.child.pid),
    publishers: run.publishers.map((p) => readProcSample(p.pid)),
    s3rver: run.s3 ? readProcSample(run.s3.child.pid) : undefined,
    selfMicros: self.user + self.system,
    machine: readMachineBusyTicks(),
    serverCpu: cpu === undefined ? undefined : readMachineBusyTicks(cpu),
  };
}

const ticksBetween = (a: ProcSample | undefined, b: ProcSample | undefined): number => (a && b ? b.cpuTicks - a.cpuTicks : 0);

async function measure(spec: HlsCaseSpec, ctx: HlsCaseContext, run: Running): Promise<HlsCaseResult> {
  const expect: ProgressExpectations = {
    segmentMs: expectedSegmentMs(ctx.options.fragmentMs, HLS_SOURCE_GOP_MS),
    durationTolerance: DURATION_TOLERANCE,
    lateThresholdMs: ctx.options.lateThresholdMs,
  };
  const a0 = performance.now();
  const api0 = await readStreams(run.server.apiPort, spec.streams);
  const apiAt0 = (a0 + performance.now()) / 2;
  const c0 = cpuMark(run, ctx.serverCpus);
  const t0 = performance.now();
  if (!c0.node) throw new Error(`runnel exited before the window:\n${run.server.child.tail()}`);
  let rss = c0.node.rssBytes;
  let spoolMax = 0;
  run.watch?.start(t0);
  let lastSample = -Infinity;
  const polls = Math.floor(ctx.options.durationMs / POLL_MS);
  for (let i = 0; i <= polls; i++) {
    const due = t0 + i * POLL_MS;
    const wait = due - performance.now();
    if (wait > 0) await sleep(wait);
    await run.watch?.poll(() => performance.now());
    if (performance.now() - lastSample >= RSS_SAMPLE_MS || i === polls) {
      lastSample = performance.now();
      const s = readProcSample(run.server.child.pid);
      if (s) rss = Math.max(rss, s.rssBytes);
      if (spec.storage === 's3') spoolMax = Math.max(spoolMax, await spoolBytes(run.spoolDir));
    }
  }
  const t1 = performance.now();
  const c1 = cpuMark(run, ctx.serverCpus);
  const wallMs = t1 - t0;
  if (!c1.node) throw new Error(`runnel exited during the window:\n${run.server.child.tail()}`);
  const a1 = performance.now();
  const api1 = await readStreams(run.server.apiPort, spec.streams);
  const apiAt1 = (a1 + performance.now()) / 2;
  const spoolEnd = spec.storage === 's3' ? await spoolBytes(run.spoolDir) : 0;
  const segmentBytes = Math.round((ctx.source.kbps * expect.segmentMs) / 8);
  const s3PutMs = run.s3 ? await probePutMs(run.s3, segmentBytes).catch(() => Number.NaN) : Number.NaN;

  const nodeTicks = ticksBetween(c0.node, c1.node);
  const pubTicks = run.publishers.reduce((n, _, i) => n + ticksBetween(c0.publishers[i], c1.publishers[i]), 0);
  const harnessTicks = ticksBetween(c0.s3rver, c1.s3rver) + ((c1.selfMicros - c0.selfMicros) * ctx.ticksPerSecond) / 1e6;
  const other = c0.machine !== undefined && c1.machine !== undefined ? Math.max(0, c1.machine - c0.machine - nodeTicks - pubTicks - harnessTicks) : 0;
  const pct = (ticks: number): number => cpuPercent(0, ticks, wallMs, ctx.ticksPerSecond);

  const rates = ingestMbps(api0, api1, run.names.map((n) => `${APP}/${n}`), apiAt1 - apiAt0);
  const minRate = (MIN_INGEST_FRACTION * ctx.source.kbps) / 1000;
  const progress = run.watch?.summarize(t1, expect);
  const verdicts = rates.map((mbps, i) => streamVerdict(run.names[i]!, run.publishers[i]!, mbps, minRate, progress?.[i]));
  const realTimeStreams = verdicts.filter((v) => v === undefined).length;
  const spoolProblem = spoolEnd > 0 ? `the S3 spool holds ${(spoolEnd / 2 ** 20).toFixed(1)} MiB at the end of the window` : undefined;
  const problem = verdicts.find((v) => v !== undefined) ?? spoolProblem;
  return {
    ...spec,
    cpuPercent: pct(nodeTicks),
    rssMiB: rss / 2 ** 20,
    publisherCpuPercent: pct(pubTicks),
    harnessCpuPercent: pct(harnessTicks),
    otherCpuPercent: pct(other),
    serverCpuBusyPercent: c0.serverCpu !== undefined && c1.serverCpu !== undefined ? pct(c1.serverCpu - c0.serverCpu) : Number.NaN,
    ingestMbps: rates.reduce((a, b) => a + b, 0),
    minStreamMbps: Math.min(...rates),
    realTimeStreams,
    hls: progress && run.watch && figures(progress, run.watch.maxReadMs),
    spoolMaxBytes: Math.max(spoolMax, spoolEnd),
    spoolEndBytes: spoolEnd,
    s3PutMs,
    realTime: problem === undefined,
    problem,
    nodeLog: summarizeNodeLog(run.server.child.keptLines()),
    failure: undefined,
  };
}

/** Why stream `name` was not real time, or undefined when it was. */
function streamVerdict(name: string, publisher: TrackedChild, mbps: number, minMbps: number, progress: StreamProgress | undefined): string | undefined {
  if (!publisher.alive) return `${name}: its ffmpeg exited (${publisher.tail().split('\n').pop() ?? ''})`;
  if (mbps < minMbps) return `${name}: received ${mbps.toFixed(2)} Mbit/s, under ${minMbps.toFixed(2)}`;
  if (progress && !progress.realTime) return `${name}: ${progress.problem ?? 'not real time'}`;
  return undefined;
}

function figures(progress: readonly StreamProgress[], maxReadMs: number): HlsFigures {
  const withSegments = progress.filter((p) => p.newSegments > 0);
  return {
    segments: progress.reduce((n, p) => n + p.newSegments, 0),
    minDurationMs: withSegments.length === 0 ? Number.NaN : Math.min(...withSegments.map((p) => p.minDurationMs)),
    maxDurationMs: withSegments.length === 0 ? Number.NaN : Math.max(...withSegments.map((p) => p.maxDurationMs)),
    worstBehindMs: Math.max(0, ...progress.map((p) => p.behindMs)),
    missing: progress.reduce((n, p) => n + p.missing, 0),
    discontinuities: progress.reduce((n, p) => n + p.discontinuities, 0),
    maxReadMs,
  };
}

function failed(spec: HlsCaseSpec, message: string): HlsCaseResult {
  return {
    ...spec,
    cpuPercent: Number.NaN,
    rssMiB: Number.NaN,
    publisherCpuPercent: Number.NaN,
    harnessCpuPercent: Number.NaN,
    otherCpuPercent: Number.NaN,
    serverCpuBusyPercent: Number.NaN,
    ingestMbps: 0,
    minStreamMbps: 0,
    realTimeStreams: 0,
    hls: undefined,
    spoolMaxBytes: 0,
    spoolEndBytes: 0,
    s3PutMs: Number.NaN,
    realTime: false,
    problem: undefined,
    nodeLog: undefined,
    failure: message,
  };
}
