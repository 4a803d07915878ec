import { GENERATOR_SATURATED_PERCENT, noisyRunNote, notes, playerNotes, serverCpuFullNote } from './report.ts';
import { fixed, fraction, headline, markdownTable, runHeaderLines, textTable, type RunHeaderMeta } from './report-format.ts';
import type { SrtPlayResult } from './srt-play-case.ts';
import type { SrtPublishResult } from './srt-publish-case.ts';

/** How a `bench srt` run was made: the common header with a source for each part. */
export interface SrtRunMeta extends RunHeaderMeta {
  readonly publishSource: string;
  readonly playSource: string;
}

export { SERVER_CPU_FULL_PERCENT } from './report.ts';

type Usable = { readonly failure: string | undefined; readonly cpuPercent: number };

function usable(r: Usable): boolean {
  return r.failure === undefined && Number.isFinite(r.cpuPercent);
}

/** Node CPU per stream over SRT / per stream over RTMP at the same K; undefined for RTMP rows or without a usable peer. */
export function publishRatio(results: readonly SrtPublishResult[], r: SrtPublishResult): number | undefined {
  if (r.protocol !== 'srt' || !usable(r)) return undefined;
  const peer = results.find((o) => o.protocol === 'rtmp' && o.streams === r.streams && usable(o));
  return peer === undefined || peer.cpuPercent <= 0 ? undefined : r.cpuPercent / peer.cpuPercent;
}

/** Node CPU for N SRT players / for N RTMP players; undefined for RTMP rows or without a usable peer. */
export function playRatio(results: readonly SrtPlayResult[], r: SrtPlayResult): number | undefined {
  if (r.protocol !== 'srt' || !usable(r)) return undefined;
  const peer = results.find((o) => o.protocol === 'rtmp' && o.players === r.players && usable(o));
  return peer === undefined || peer.cpuPercent <= 0 ? undefined : r.cpuPercent / peer.cpuPercent;
}

/**
 * Players one core would serve at this CPU cost, if it grew linearly:
 * N / CPU % x 100. Only for a row where every player kept up (a node that
 * falls behind is not serving N). A projection, named as one in the report.
 */
export function playersPerCore(r: SrtPlayResult): number | undefined {
  if (!usable(r) || r.keepingUp < r.players || r.cpuPercent <= 0) return undefined;
  return (r.players * 100) / r.cpuPercent;
}

const PUBLISH_HEADERS = ['proto', 'K', 'kept up', 'CPU %', 'CPU %/stream', 'srt/rtmp CPU', 'RSS MiB', 'ingest Mbit/s', 'min stream Mbit/s', 'SRT lost/dropped pkts', 'node UDP drops', 'pub CPU %', 'other CPU %', 'CPU 0 busy %'];
const PLAY_HEADERS = ['proto', 'N', 'keep up', 'CPU %', 'CPU %/100 players', 'srt/rtmp CPU', 'players/core (linear)', 'RSS MiB', 'Mbit/s/player', 'stream Mbit/s', 'min Mbit/s', 'SRT lost/dropped pkts', 'node UDP drops', 'max lag s', 'gen CPU %', 'other CPU %', 'CPU 0 busy %'];
const LEFT_COLUMNS = 1;

function publishRow(results: readonly SrtPublishResult[], r: SrtPublishResult): string[] {
  const ok = usable(r);
  const ratio = publishRatio(results, r);
  return [
    r.protocol,
    String(r.streams),
    ok ? `${r.keptUp ? 'yes' : 'no'} (${r.realTimeStreams}/${r.streams} real time)` : 'FAILED',
    fixed(r.cpuPercent, 1),
    ok ? (r.cpuPercent / r.streams).toFixed(2) : '-',
    ratio === undefined ? '' : `${ratio.toFixed(2)}x`,
    fixed(r.rssMiB, 0),
    ok ? r.ingestMbps.toFixed(1) : '-',
    ok ? r.minStreamMbps.toFixed(2) : '-',
    r.loss === undefined ? '' : `${r.loss.lostPackets}/${r.loss.droppedPackets}`,
    ok && Number.isFinite(r.udpDrops) ? String(r.udpDrops) : '',
    fixed(r.publisherCpuPercent, 0),
    fixed(r.otherCpuPercent, 0),
    fixed(r.serverCpuBusyPercent, 0),
  ];
}

function playRow(results: readonly SrtPlayResult[], r: SrtPlayResult): string[] {
  const ok = usable(r);
  const ratio = playRatio(results, r);
  const perCore = playersPerCore(r);
  return [
    r.protocol,
    String(r.players),
    ok ? fraction(r.keepingUp, r.players) : 'FAILED',
    fixed(r.cpuPercent, 1),
    ok ? ((r.cpuPercent * 100) / r.players).toFixed(2) : '-',
    ratio === undefined ? '' : `${ratio.toFixed(2)}x`,
    perCore === undefined ? '' : String(Math.round(perCore)),
    fixed(r.rssMiB, 0),
    ok ? r.meanMbps.toFixed(3) : '-',
    r.expectedMbps.toFixed(3),
    ok ? fixed(r.minMbps, 3) : '-',
    ok && Number.isFinite(r.lostPackets) ? `${r.lostPackets}/${r.droppedPackets}` : '',
    ok && Number.isFinite(r.udpDrops) ? String(r.udpDrops) : '',
    ok ? fixed(r.maxLagMs / 1000, 1) : '-',
    fixed(r.generatorCpuPercent, 0),
    fixed(r.otherCpuPercent, 0),
    fixed(r.serverCpuBusyPercent, 0),
  ];
}

/** Fixed-width text tables for the terminal: the publish part, then the play part (each only when it ran). */
export function formatSrtTable(publish: readonly SrtPublishResult[], play: readonly SrtPlayResult[]): string {
  const out: string[] = [];
  if (publish.length > 0) out.push('Publish (~5 Mbit/s streams):', ...textTable(PUBLISH_HEADERS, publish.map((r) => publishRow(publish, r)), LEFT_COLUMNS), '');
  if (play.length > 0) out.push('Play (one ~600 kbit/s stream):', ...textTable(PLAY_HEADERS, play.map((r) => playRow(play, r)), LEFT_COLUMNS), '');
  out.push(...noteLines(publish, play));
  return out.join('\n').trimEnd() + '\n';
}

/** The results as a markdown block for BENCHMARKS.md: how it was run, both tables, notes. */
export function formatSrtMarkdown(publish: readonly SrtPublishResult[], play: readonly SrtPlayResult[], meta: SrtRunMeta): string {
  const md = runHeaderLines(meta, [
    ['Publish source', meta.publishSource],
    ['Play source', meta.playSource],
  ]);
  if (publish.length > 0) md.push('Publish:', '', ...markdownTable(PUBLISH_HEADERS, publish.map((r) => publishRow(publish, r)), LEFT_COLUMNS), '');
  if (play.length > 0) md.push('Play:', '', ...markdownTable(PLAY_HEADERS, play.map((r) => playRow(play, r)), LEFT_COLUMNS), '');
  md.push(...noteLines(publish, play).map((l) => `- ${l}`));
  return md.join('\n').trimEnd() + '\n';
}

function noteLines(publish: readonly SrtPublishResult[], play: readonly SrtPlayResult[]): string[] {
  const out: string[] = [];
  for (const r of publish) {
    const what = `publish ${r.protocol} K=${r.streams}`;
    if (r.failure !== undefined) {
      out.push(`${what}: FAILED: ${headline(r.failure)}`);
      continue;
    }
    if (r.problem !== undefined) out.push(`${what}: not kept up: ${r.problem}`);
    if (r.loss !== undefined && r.loss.lostPackets > 0 && r.loss.droppedPackets === 0) {
      out.push(`${what}: the node's SRT receivers lost ${r.loss.lostPackets} packets on loopback and retransmission recovered every one`);
    }
    if (r.nodeLog !== undefined) out.push(`${what}: node log: ${r.nodeLog}`);
    out.push(...notes(noisyRunNote(what, r.otherCpuPercent), serverCpuFullNote(what, r.serverCpuBusyPercent)));
  }
  for (const r of play) {
    const what = `play ${r.protocol} N=${r.players}`;
    if (r.failure !== undefined) {
      out.push(`${what}: FAILED: ${headline(r.failure)}`);
      continue;
    }
    out.push(...playerNotes(what, r), ...notes(noisyRunNote(what, r.otherCpuPercent), serverCpuFullNote(what, r.serverCpuBusyPercent)));
    if (r.generatorCpuPercent >= GENERATOR_SATURATED_PERCENT) out.push(`${what}: load generator at ${r.generatorCpuPercent.toFixed(0)} % of a core: whether players keep up measures the generator, not the node`);
  }
  return out;
}
