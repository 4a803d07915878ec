import type { HlsCaseResult } from './hls-case.ts';
import type { HlsStorage } from './hls-options.ts';
import { searchBounds } from './k-search.ts';
import { noisyRunNote, notes, SERVER_CPU_FULL_PERCENT, type RunMeta } from './report.ts';
import { headline, markdownTable, runHeaderLines, textTable } from './report-format.ts';

export { SERVER_CPU_FULL_PERCENT } from './report.ts';

export interface HlsRunMeta extends RunMeta {
  /** CPUs the publishers and s3rver share: their CPU % is out of 100 x this. */
  readonly loadCpus: number;
}

/**
 * The publishers plus s3rver and the bench at this share of their CPUs
 * cannot be sure to send and serve on time: a stream that is late in that
 * run may be late because of them, not the node.
 */
export const LOAD_SATURATED_FRACTION = 0.9;

function usable(r: HlsCaseResult): boolean {
  return r.failure === undefined && Number.isFinite(r.cpuPercent);
}

/** HLS cost per stream: (node CPU with HLS - node CPU with HLS off, same K) / K; undefined without a usable baseline. */
export function hlsCostPerStream(results: readonly HlsCaseResult[], r: HlsCaseResult): number | undefined {
  if (r.storage === 'none' || !usable(r)) return undefined;
  const base = results.find((o) => o.storage === 'none' && o.streams === r.streams && usable(o));
  return base === undefined ? undefined : (r.cpuPercent - base.cpuPercent) / r.streams;
}

/** What one storage's runs say: the largest real-time K, the smallest larger K that was not, and the CPU per stream there. */
export interface StorageSummary {
  readonly storage: HlsStorage;
  readonly largestRealTime: number;
  readonly firstNotRealTime: number | undefined;
  /** Node CPU / K at `largestRealTime`, % of a core; NaN when nothing was real time. */
  readonly cpuPerStreamAtLargest: number;
}

export function summarizeStorage(results: readonly HlsCaseResult[], storage: HlsStorage): StorageSummary {
  const mine = results.filter((r) => r.storage === storage && r.failure === undefined);
  const { good, bad } = searchBounds(new Map(mine.map((r) => [r.streams, r.realTime])));
  const at = mine.find((r) => r.streams === good);
  return { storage, largestRealTime: good, firstNotRealTime: bad, cpuPerStreamAtLargest: at ? at.cpuPercent / at.streams : Number.NaN };
}

const HEADERS = ['storage', 'K', 'real time', 'CPU %', 'CPU %/stream', 'HLS CPU %/stream', 'RSS MiB', 'ingest Mbit/s', 'CPU %/(Mbit/s)', 'segments', 'seg s', 'behind s', 'max read ms', 'missing+disc', 'spool max MiB', 's3 PUT ms', 'pub CPU %', 's3rver+bench CPU %', 'other CPU %', 'CPU 0 busy %'];
const LEFT_COLUMNS = 1;

function row(results: readonly HlsCaseResult[], r: HlsCaseResult): string[] {
  const ok = usable(r);
  const cost = hlsCostPerStream(results, r);
  const h = r.hls;
  const dash = (v: string): string => (ok ? v : '-');
  return [
    r.storage,
    String(r.streams),
    `${r.realTimeStreams}/${r.streams}${r.realTime ? '' : ' NO'}`,
    dash(r.cpuPercent.toFixed(1)),
    dash((r.cpuPercent / r.streams).toFixed(2)),
    cost === undefined ? '' : cost.toFixed(2),
    dash(r.rssMiB.toFixed(0)),
    dash(r.ingestMbps.toFixed(1)),
    ok && r.ingestMbps > 0 ? (r.cpuPercent / r.ingestMbps).toFixed(2) : '-',
    h ? String(h.segments) : '',
    h && Number.isFinite(h.minDurationMs) ? `${(h.minDurationMs / 1000).toFixed(2)}-${(h.maxDurationMs / 1000).toFixed(2)}` : '',
    h ? (h.worstBehindMs / 1000).toFixed(1) : '',
    h ? h.maxReadMs.toFixed(0) : '',
    h ? `${h.missing}+${h.discontinuities}` : '',
    r.storage === 's3' ? dash((r.spoolMaxBytes / 2 ** 20).toFixed(1)) : '',
    Number.isFinite(r.s3PutMs) ? r.s3PutMs.toFixed(0) : '',
    dash(r.publisherCpuPercent.toFixed(0)),
    dash(r.harnessCpuPercent.toFixed(0)),
    dash(r.otherCpuPercent.toFixed(0)),
    ok && Number.isFinite(r.serverCpuBusyPercent) ? r.serverCpuBusyPercent.toFixed(0) : '',
  ];
}

/** A fixed-width text table for the terminal, then the summary and warnings. */
export function formatHlsTable(results: readonly HlsCaseResult[], loadCpus: number): string {
  const lines = textTable(HEADERS, results.map((r) => row(results, r)), LEFT_COLUMNS);
  return [...lines, '', ...summaryLines(results), ...noteLines(results, loadCpus)].join('\n') + '\n';
}

/** The results as a markdown block for BENCHMARKS.md: how it was run, the table, the summary, the warnings. */
export function formatHlsMarkdown(results: readonly HlsCaseResult[], meta: HlsRunMeta): string {
  const md = [
    ...runHeaderLines(meta, [['Source', meta.source]]),
    ...markdownTable(HEADERS, results.map((r) => row(results, r)), LEFT_COLUMNS),
    '',
    ...summaryLines(results).map((l) => `- ${l}`),
    ...noteLines(results, meta.loadCpus).map((l) => `- ${l}`),
  ];
  return md.join('\n').trimEnd() + '\n';
}

function summaryLines(results: readonly HlsCaseResult[]): string[] {
  const storages = (['local', 's3'] as const).filter((s) => results.some((r) => r.storage === s));
  return storages.map((s) => {
    const m = summarizeStorage(results, s);
    if (m.largestRealTime === 0) return `${s}: no stream count tried was real time${m.firstNotRealTime === undefined ? '' : ` (smallest tried: ${m.firstNotRealTime})`}`;
    const above = m.firstNotRealTime === undefined ? 'no larger K was tried' : `K = ${m.firstNotRealTime} was not`;
    return `${s}: largest real-time K tried = ${m.largestRealTime} (${above}); node CPU there ${m.cpuPerStreamAtLargest.toFixed(2)} % of a core per stream`;
  });
}

function noteLines(results: readonly HlsCaseResult[], loadCpus: number): string[] {
  const out: string[] = [];
  for (const r of results) {
    const what = `${r.storage} K=${r.streams}`;
    if (r.failure !== undefined) {
      out.push(`${what}: FAILED: ${headline(r.failure)}`);
      continue;
    }
    if (r.problem !== undefined) out.push(`${what}: not real time: ${r.problem}`);
    if (r.nodeLog !== undefined) out.push(`${what}: node log: ${r.nodeLog}`);
    const load = r.publisherCpuPercent + r.harnessCpuPercent;
    if (load >= LOAD_SATURATED_FRACTION * 100 * loadCpus) {
      out.push(`${what}: publishers + s3rver + bench used ${load.toFixed(0)} % of their ${loadCpus} CPU(s): the load side, not only the node, may be what fell behind`);
    }
    if (r.serverCpuBusyPercent >= SERVER_CPU_FULL_PERCENT) {
      out.push(`${what}: the node's CPU was ${r.serverCpuBusyPercent.toFixed(0)} % busy (node ${r.cpuPercent.toFixed(0)} %, the rest other processes): no headroom left`);
    }
    out.push(...notes(noisyRunNote(what, r.otherCpuPercent)));
  }
  return out;
}
