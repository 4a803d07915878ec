import { headline, markdownTable, runHeaderLines, textTable, type RunHeaderMeta } from './report-format.ts';
import type { CaseResult } from './run-case.ts';

/**
 * SRS 6's CPU for N RTMP players of one 584 kbps stream on one core over
 * loopback, measured on a machine like ours (issue 2, "Benchmark"). Not
 * measured in this run: SRS is not installed here; the column says how far we
 * are from the bar the issue sets.
 */
export const SRS_RTMP_CPU_PERCENT: ReadonlyMap<number, number> = new Map([
  [1000, 10],
  [2000, 19],
]);

/** How a run was made, with one source (the header of a markdown report). */
export interface RunMeta extends RunHeaderMeta {
  readonly source: string;
}

/** runnel CPU / nms CPU for the same protocol, style and N; undefined when either is missing or failed. */
export function cpuRatio(results: readonly CaseResult[], r: CaseResult): number | undefined {
  if (r.server !== 'runnel') return undefined;
  const peer = results.find((o) => o.server === 'nms' && o.protocol === r.protocol && o.style === r.style && o.players === r.players);
  if (!peer || !usable(r) || !usable(peer) || peer.cpuPercent <= 0) return undefined;
  return r.cpuPercent / peer.cpuPercent;
}

/** runnel CPU / SRS's reference CPU, for RTMP at the player counts the reference has. */
export function srsRatio(r: CaseResult): number | undefined {
  const ref = SRS_RTMP_CPU_PERCENT.get(r.players);
  if (r.server !== 'runnel' || r.protocol !== 'rtmp' || ref === undefined || !usable(r)) return undefined;
  return r.cpuPercent / ref;
}

function usable(r: CaseResult): boolean {
  return r.failure === undefined && Number.isFinite(r.cpuPercent);
}

const HEADERS = ['server', 'proto', 'style', 'N', 'keep up', 'max lag s', 'median lag s', 'CPU %', 'RSS MiB', 'gen CPU %', 'other CPU %', 'Mbit/s', 'runnel/nms CPU', 'runnel/SRS CPU'];

function row(results: readonly CaseResult[], r: CaseResult): string[] {
  const ratio = cpuRatio(results, r);
  const srs = srsRatio(r);
  const ok = Number.isFinite(r.cpuPercent);
  return [
    r.server,
    r.protocol,
    r.style,
    String(r.players),
    `${r.lag.keepingUp}/${r.players} (${pct(r.lag.keepingUp, r.players)})`,
    ok ? secs(r.lag.maxLagMs) : '-',
    ok ? secs(r.lag.medianLagMs) : '-',
    ok ? r.cpuPercent.toFixed(1) : '-',
    ok ? r.rssMiB.toFixed(0) : '-',
    ok ? r.generatorCpuPercent.toFixed(0) : '-',
    ok ? r.otherCpuPercent.toFixed(0) : '-',
    ok ? r.receivedMbps.toFixed(0) : '-',
    ratio === undefined ? '' : `${ratio.toFixed(2)}x`,
    srs === undefined ? '' : `${srs.toFixed(1)}x`,
  ];
}

function pct(n: number, d: number): string {
  return d === 0 ? '-' : `${Math.floor((n * 1000) / d) / 10}%`;
}

function secs(ms: number): string {
  return (ms / 1000).toFixed(1);
}

/** Leading columns (server, proto, style) left-aligned; the numbers right-aligned. */
const LEFT_COLUMNS = 3;

/** A fixed-width text table for the terminal. */
export function formatTable(results: readonly CaseResult[]): string {
  const lines = textTable(HEADERS, results.map((r) => row(results, r)), LEFT_COLUMNS);
  return [...lines, ...failureLines(results)].join('\n') + '\n';
}

/** The results as a markdown block for BENCHMARKS.md: how it was run, the table, failures. */
export function formatMarkdown(results: readonly CaseResult[], meta: RunMeta): string {
  const md = [
    ...runHeaderLines(meta, [['Source', meta.source]]),
    ...markdownTable(HEADERS, results.map((r) => row(results, r)), LEFT_COLUMNS),
    '',
    ...failureLines(results).map((l) => `- ${l.trim()}`),
  ];
  return md.join('\n').trimEnd() + '\n';
}

/**
 * CPU that other processes and kernel threads took during a window, % of a
 * core, above which the run is flagged as noisy: with two cores, a quarter
 * of one is enough to take time from the server or the generator.
 */
export const OTHER_LOAD_NOISY_PERCENT = 25;

/**
 * A load generator this busy cannot read on time, so lag in that run says
 * more about the generator than about the server (its CPU figure stays valid).
 */
export const GENERATOR_SATURATED_PERCENT = 90;

/** The server's CPU this busy (server + others) had no headroom: its figures there may come from sharing it. */
export const SERVER_CPU_FULL_PERCENT = 90;

/** The note for a window in which other processes took time: `undefined` below OTHER_LOAD_NOISY_PERCENT. */
export function noisyRunNote(what: string, otherCpuPercent: number): string | undefined {
  return otherCpuPercent >= OTHER_LOAD_NOISY_PERCENT ? `${what}: other processes used ${otherCpuPercent.toFixed(0)} % of a core during the window: a noisy run` : undefined;
}

/** The note for a pinned node whose CPU was full: `undefined` below SERVER_CPU_FULL_PERCENT (and for NaN, not pinned). */
export function serverCpuFullNote(what: string, serverCpuBusyPercent: number): string | undefined {
  return serverCpuBusyPercent >= SERVER_CPU_FULL_PERCENT ? `${what}: the node's CPU was ${serverCpuBusyPercent.toFixed(0)} % busy in all: no headroom left` : undefined;
}

/** What the players of a case say beyond the table: an incomplete ramp (`rampNote` appended), their errors. */
export function playerNotes(what: string, r: { readonly players: number; readonly playingAtStart: number; readonly errors: number; readonly topError: string | undefined }, rampNote = ''): string[] {
  const out: string[] = [];
  if (r.playingAtStart < r.players) out.push(`${what}: ramp incomplete: ${r.playingAtStart}/${r.players} players playing when the warm-up began${rampNote}`);
  if (r.topError !== undefined) out.push(`${what}: ${r.errors} player errors, most common: ${r.topError}`);
  return out;
}

/** Notes without the `undefined`s of the checks that did not fire. */
export function notes(...lines: readonly (string | undefined)[]): string[] {
  return lines.filter((l) => l !== undefined);
}

function failureLines(results: readonly CaseResult[]): string[] {
  const out: string[] = [];
  for (const r of results) {
    const what = `${r.server} ${r.protocol} ${r.style} N=${r.players}`;
    if (r.failure !== undefined) {
      out.push(`${what}: FAILED: ${headline(r.failure)}`);
      continue;
    }
    out.push(...playerNotes(what, r, ' (the window may include connects)'), ...notes(noisyRunNote(what, r.otherCpuPercent)));
    if (r.generatorCpuPercent >= GENERATOR_SATURATED_PERCENT) {
      out.push(`${what}: load generator at ${r.generatorCpuPercent.toFixed(0)} % of a core: its players' lag measures the generator, not the server`);
    }
  }
  return out;
}
