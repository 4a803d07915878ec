import { GENERATOR_SATURATED_PERCENT, noisyRunNote, notes, playerNotes, serverCpuFullNote, type RunMeta } from './report.ts';
import { fixed, fraction, headline, markdownTable, runHeaderLines, textTable } from './report-format.ts';
import type { RtcPlayResult, RtcPlaySpec } from './rtc-play-case.ts';
import type { RtcUdpMuxMode } from './rtc-options.ts';

/** How a `bench rtc` run was made: the fan-out bench's header (one source). */
export type RtcRunMeta = RunMeta;

/** A case's name in progress lines and notes: `rtc audio on udp-mux off N=10`, `rtmp N=10`. */
export function rtcCaseName(spec: RtcPlaySpec): string {
  return `${spec.protocol}${spec.protocol === 'rtc' ? ` audio ${spec.audio} udp-mux ${spec.udpMux}` : ''} N=${spec.players}`;
}

function usable(r: RtcPlayResult): boolean {
  return r.failure === undefined && Number.isFinite(r.cpuPercent);
}

/** Node CPU for N WHEP players / for N RTMP players; undefined for RTMP rows or without a usable peer. */
export function rtcRtmpRatio(results: readonly RtcPlayResult[], r: RtcPlayResult): number | undefined {
  if (r.protocol !== 'rtc' || !usable(r)) return undefined;
  const peer = results.find((o) => o.protocol === 'rtmp' && o.players === r.players && usable(o));
  return peer === undefined || peer.cpuPercent <= 0 ? undefined : r.cpuPercent / peer.cpuPercent;
}

/**
 * Players one core would serve at this CPU cost if it grew linearly: N x 100 /
 * CPU %. Only where every player kept up. A projection, named as one in the report.
 */
export function rtcPlayersPerCore(r: RtcPlayResult): number | undefined {
  if (!usable(r) || r.keepingUp < r.players || r.cpuPercent <= 0) return undefined;
  return (r.players * 100) / r.cpuPercent;
}

/** One N and UDP mux mode measured with and without audio: what the AAC -> Opus bridge and the Opus packets cost the node. */
export interface AudioCost {
  readonly players: number;
  readonly udpMux: RtcUdpMuxMode;
  readonly withAudio: number;
  readonly withoutAudio: number;
  /** withAudio - withoutAudio, % of one core. */
  readonly cost: number;
}

/**
 * Every N and UDP mux mode that has a usable WHEP row with audio on and one
 * with it off, in the order of the results (a pair across mux modes would mix
 * the mux's cost into the bridge's).
 */
export function audioCosts(results: readonly RtcPlayResult[]): AudioCost[] {
  const out: AudioCost[] = [];
  for (const on of results) {
    if (on.protocol !== 'rtc' || on.audio !== 'on' || !usable(on)) continue;
    const off = results.find((o) => o.protocol === 'rtc' && o.audio === 'off' && o.players === on.players && o.udpMux === on.udpMux && usable(o));
    if (off !== undefined) out.push({ players: on.players, udpMux: on.udpMux, withAudio: on.cpuPercent, withoutAudio: off.cpuPercent, cost: on.cpuPercent - off.cpuPercent });
  }
  return out;
}

const HEADERS = ['proto', 'audio', 'udp mux', 'N', 'keep up', 'CPU %', 'CPU %/player', 'rtc/rtmp CPU', 'players/core (linear)', 'RSS MiB', 'fps/player (min)', 'Opus pkt/s', 'Mbit/s/player', 'max lag s', 'gen CPU %', 'other CPU %', 'CPU 0 busy %'];
const AUDIO_HEADERS = ['N', 'udp mux', 'CPU % audio on', 'CPU % audio off', 'difference (% of a core)'];
const LEFT_COLUMNS = 3;
/** N first, right-aligned like every number; the mux mode beside it. */
const AUDIO_LEFT_COLUMNS = 0;

function row(results: readonly RtcPlayResult[], r: RtcPlayResult): string[] {
  const ok = usable(r);
  const ratio = rtcRtmpRatio(results, r);
  const perCore = rtcPlayersPerCore(r);
  const rtc = r.protocol === 'rtc';
  return [
    r.protocol,
    rtc ? r.audio : 'AAC',
    rtc ? r.udpMux : '',
    String(r.players),
    ok ? fraction(r.keepingUp, r.players) : 'FAILED',
    fixed(r.cpuPercent, 1),
    ok ? (r.cpuPercent / r.players).toFixed(2) : '-',
    ratio === undefined ? '' : `${ratio.toFixed(2)}x`,
    perCore === undefined ? '' : String(Math.round(perCore)),
    fixed(r.rssMiB, 0),
    ok && rtc ? `${r.meanFps.toFixed(1)} (${r.minFps.toFixed(1)})` : '',
    ok && rtc && r.audio === 'on' ? r.meanAudioPps.toFixed(1) : '',
    ok ? fixed(r.meanMbps, 3) : '-',
    ok && !rtc ? fixed(r.maxLagMs / 1000, 1) : '',
    fixed(r.generatorCpuPercent, 0),
    fixed(r.otherCpuPercent, 0),
    fixed(r.serverCpuBusyPercent, 0),
  ];
}

function audioRow(c: AudioCost): string[] {
  return [String(c.players), c.udpMux, c.withAudio.toFixed(1), c.withoutAudio.toFixed(1), c.cost.toFixed(1)];
}

/** Fixed-width text tables for the terminal: the players, then the audio cost where both modes ran. */
export function formatRtcTable(results: readonly RtcPlayResult[]): string {
  const out = ['Play (one ~600 kbit/s stream):', ...textTable(HEADERS, results.map((r) => row(results, r)), LEFT_COLUMNS), ''];
  const costs = audioCosts(results);
  if (costs.length > 0) out.push('Audio (AAC -> Opus bridge, one per stream, plus Opus packets to N players):', ...textTable(AUDIO_HEADERS, costs.map(audioRow), AUDIO_LEFT_COLUMNS), '');
  out.push(...noteLines(results));
  return out.join('\n').trimEnd() + '\n';
}

/** The results as a markdown block for BENCHMARKS.md: how it was run, the tables, notes. */
export function formatRtcMarkdown(results: readonly RtcPlayResult[], meta: RtcRunMeta): string {
  const md = [
    ...runHeaderLines(meta, [['Source', meta.source]]),
    ...markdownTable(HEADERS, results.map((r) => row(results, r)), LEFT_COLUMNS),
    '',
  ];
  const costs = audioCosts(results);
  if (costs.length > 0) md.push('Audio on minus audio off (the AAC -> Opus bridge, one per stream, plus sending Opus to N players):', '', ...markdownTable(AUDIO_HEADERS, costs.map(audioRow), AUDIO_LEFT_COLUMNS), '');
  md.push(...noteLines(results).map((l) => `- ${l}`));
  return md.join('\n').trimEnd() + '\n';
}

function noteLines(results: readonly RtcPlayResult[]): string[] {
  const out: string[] = [];
  for (const r of results) {
    const what = rtcCaseName(r);
    if (r.failure !== undefined) {
      out.push(`${what}: FAILED: ${headline(r.failure)}`);
      continue;
    }
    out.push(...playerNotes(what, r));
    if (r.duplicates > 0) out.push(`${what}: players received ${r.duplicates} RTP packets twice (NACK retransmissions after loss; not counted in the rates)`);
    out.push(...notes(noisyRunNote(what, r.otherCpuPercent), serverCpuFullNote(what, r.serverCpuBusyPercent)));
    if (r.generatorCpuPercent >= GENERATOR_SATURATED_PERCENT) out.push(`${what}: load generator at ${r.generatorCpuPercent.toFixed(0)} % of a core: the generator, not the node, is the limit here (players falling behind measure it)`);
  }
  return out;
}
