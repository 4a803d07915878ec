import type { TrackedChild } from './children.ts';
import { cpuPercent, readMachineBusyTicks, readProcSample, type ProcSample } from './proc-usage.ts';
import { sleep } from './servers.ts';

/** How often the server's RSS is sampled during a window: its peak, not its end value, is reported. */
const RSS_SAMPLE_MS = 1_000;

/** The processes a measured window reads (proc(5)): the server under test and the bench's own load. */
export interface WindowProcesses {
  /** The server's name in "exited before/during the window" errors. */
  readonly serverName: string;
  readonly server: Pick<TrackedChild, 'pid' | 'tail'>;
  /** Load generators: the busiest one is reported (near 100 %: it, not the server, is the limit). */
  readonly generators: readonly number[];
  /** Publishers (ffmpeg): their CPU is reported summed. */
  readonly publishers: readonly number[];
  /** The one CPU the server is pinned to ("cpu3"), or undefined when not pinned to exactly one. */
  readonly serverCpu: string | undefined;
}

/** One reading of every process of a window, at its start or its end. */
export interface WindowSample {
  readonly server: ProcSample;
  readonly generators: readonly (ProcSample | undefined)[];
  readonly publishers: readonly (ProcSample | undefined)[];
  readonly machine: number | undefined;
  readonly serverCpu: number | undefined;
}

/** What a window cost, each CPU figure in % of one core. */
export interface WindowUsage {
  /** Server CPU (user + kernel). */
  readonly cpuPercent: number;
  /** Largest server RSS sampled during the window, MiB. */
  readonly rssMiB: number;
  /** The busiest load generator (0 without generators). */
  readonly generatorCpuPercent: number;
  /** All publishers together. */
  readonly publisherCpuPercent: number;
  /** Everything else on the machine (other processes, kernel threads): high means a noisy run. */
  readonly otherCpuPercent: number;
  /** How busy the server's own CPU was in all (server + others); NaN when not pinned to one CPU. */
  readonly serverCpuBusyPercent: number;
}

/** The /proc/stat line of the CPU a taskset list names, when it names exactly one ("3" -> "cpu3"). */
export function pinnedCpu(serverCpus: string | undefined): string | undefined {
  return serverCpus !== undefined && /^\d+$/.test(serverCpus) ? `cpu${serverCpus}` : undefined;
}

/**
 * Reads every process of the window now. Throws when the server has exited
 * (`when` says where: "before" or "during" the window), with its last output.
 */
export function sampleWindow(procs: WindowProcesses, when: 'before' | 'during'): WindowSample {
  const server = readProcSample(procs.server.pid);
  const generators = procs.generators.map((pid) => readProcSample(pid));
  const publishers = procs.publishers.map((pid) => readProcSample(pid));
  const machine = readMachineBusyTicks();
  const serverCpu = procs.serverCpu === undefined ? undefined : readMachineBusyTicks(procs.serverCpu);
  if (!server) throw new Error(`${procs.serverName} exited ${when} the window:\n${procs.server.tail()}`);
  return { server, generators, publishers, machine, serverCpu };
}

/** Sleeps through a window of `durationMs`, sampling the RSS of `pid` once a second; returns the peak, at least `startBytes`. */
export async function peakRssBytes(pid: number, durationMs: number, startBytes: number): Promise<number> {
  let rss = startBytes;
  const samples = Math.ceil(durationMs / RSS_SAMPLE_MS);
  for (let i = 0; i < samples; i++) {
    await sleep(Math.min(RSS_SAMPLE_MS, durationMs - i * RSS_SAMPLE_MS));
    const s = readProcSample(pid);
    if (s) rss = Math.max(rss, s.rssBytes);
  }
  return rss;
}

const ticksBetween = (a: ProcSample | undefined, b: ProcSample | undefined): number => (a && b ? b.cpuTicks - a.cpuTicks : 0);

/**
 * The window's figures from its two samples: "other" is the machine's busy
 * ticks minus what the server, generators and publishers used (never below 0).
 * A process missing from either sample (it exited) counts 0.
 */
export function windowUsage(start: WindowSample, end: WindowSample, wallMs: number, peakRss: number, ticksPerSecond: number): WindowUsage {
  const pct = (ticks: number): number => cpuPercent(0, ticks, wallMs, ticksPerSecond);
  const serverTicks = end.server.cpuTicks - start.server.cpuTicks;
  const genTicks = start.generators.map((g, i) => ticksBetween(g, end.generators[i]));
  const pubTicks = start.publishers.reduce((n, p, i) => n + ticksBetween(p, end.publishers[i]), 0);
  const ours = serverTicks + genTicks.reduce((a, b) => a + b, 0) + pubTicks;
  const other = start.machine !== undefined && end.machine !== undefined ? Math.max(0, end.machine - start.machine - ours) : 0;
  return {
    cpuPercent: cpuPercent(start.server.cpuTicks, end.server.cpuTicks, wallMs, ticksPerSecond),
    rssMiB: peakRss / 2 ** 20,
    generatorCpuPercent: Math.max(0, ...genTicks.map(pct)),
    publisherCpuPercent: pct(pubTicks),
    otherCpuPercent: pct(other),
    serverCpuBusyPercent: start.serverCpu !== undefined && end.serverCpu !== undefined ? cpuPercent(start.serverCpu, end.serverCpu, wallMs, ticksPerSecond) : Number.NaN,
  };
}
