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

export interface RunMeta {
  readonly command: string;
  readonly date: string;
  readonly machine: string;
  readonly node: string;
  /** The commit measured, and whether the working tree had changes on top of it. */
  readonly code: string;
  readonly source: string;
  readonly pinning: string;
  readonly window: string;
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

/** A fixed-width text table for the terminal. */
export function formatTable(results: readonly CaseResult[]): string {
  const rows = [HEADERS, ...results.map((r) => row(results, r))];
  const widths = HEADERS.map((_, c) => Math.max(...rows.map((cells) => cells[c]!.length)));
  const lines = rows.map((cells) => cells.map((cell, c) => (c < 3 ? cell.padEnd(widths[c]!) : cell.padStart(widths[c]!))).join('  ').trimEnd());
  lines.splice(1, 0, widths.map((w) => '-'.repeat(w)).join('  '));
  return [...lines, ...failureLines(results)].join('\n') + '\n';
}

/** The results as a markdown block for BENCHMARKS.md: how it was run, the table, failures. */
export function formatMarkdown(results: readonly CaseResult[], meta: RunMeta): string {
  const rows = results.map((r) => row(results, r));
  const md = [
    `Run of ${meta.date}:`,
    '',
    '```',
    meta.command,
    '```',
    '',
    `- Machine: ${meta.machine}; Node ${meta.node}`,
    `- Code: ${meta.code}`,
    `- Source: ${meta.source}`,
    `- CPUs: ${meta.pinning}`,
    `- Window: ${meta.window}`,
    '',
    `| ${HEADERS.join(' | ')} |`,
    `|${HEADERS.map((_, c) => (c < 3 ? ' --- ' : ' ---: ')).join('|')}|`,
    ...rows.map((cells) => `| ${cells.join(' | ')} |`),
    '',
    ...failureLines(results).map((l) => `- ${l.trim()}`),
  ];
  return md.join('\n').trimEnd() + '\n';
}

/** First and last line of a failure (what failed, and the child's last words), without the log between. */
function headline(failure: string): string {
  const lines = failure.split('\n').map((l) => l.trim()).filter((l) => l !== '');
  if (lines.length <= 1) return lines[0] ?? '';
  return `${lines[0]} ${lines[lines.length - 1]}`;
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

function failureLines(results: readonly CaseResult[]): string[] {
  const out: string[] = [];
  for (const r of results) {
    const what = `${r.server} ${r.protocol} ${r.style} N=${r.players}`;
    if (r.failure !== undefined) {
      out.push(`${what}: FAILED: ${headline(r.failure)}`);
      continue;
    }
    if (r.playingAtStart < r.players) {
      out.push(`${what}: ramp incomplete: ${r.playingAtStart}/${r.players} players playing when the warm-up began (the window may include connects)`);
    }
    if (r.topError !== undefined) out.push(`${what}: ${r.errors} player errors, most common: ${r.topError}`);
    if (r.otherCpuPercent >= OTHER_LOAD_NOISY_PERCENT) {
      out.push(`${what}: other processes used ${r.otherCpuPercent.toFixed(0)} % of a core during the window: a noisy run`);
    }
    if (r.generatorCpuPercent >= GENERATOR_SATURATED_PERCENT) {
      out.push(`${what}: load generator at ${r.generatorCpuPercent.toFixed(0)} % of a core: its players' lag measures the generator, not the server`);
    }
  }
  return out;
}
