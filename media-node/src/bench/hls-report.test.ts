import { describe, expect, it } from 'vitest';
import type { HlsCaseResult } from './hls-case.ts';
import { formatHlsMarkdown, formatHlsTable, hlsCostPerStream, summarizeStorage, type HlsRunMeta } from './hls-report.ts';

function result(over: Partial<HlsCaseResult>): HlsCaseResult {
  const streams = over.streams ?? 4;
  return {
    storage: 'local',
    streams,
    cpuPercent: 10,
    rssMiB: 150.2,
    publisherCpuPercent: 4,
    harnessCpuPercent: 1,
    otherCpuPercent: 3,
    serverCpuBusyPercent: 12,
    ingestMbps: 2 * streams,
    minStreamMbps: 2,
    realTimeStreams: streams,
    hls: { segments: 10 * streams, minDurationMs: 2000, maxDurationMs: 2010, worstBehindMs: 300, missing: 0, discontinuities: 0, maxReadMs: 4 },
    spoolMaxBytes: 0,
    spoolEndBytes: 0,
    s3PutMs: Number.NaN,
    realTime: true,
    problem: undefined,
    nodeLog: undefined,
    failure: undefined,
    ...over,
  };
}

const none4 = result({ storage: 'none', cpuPercent: 6, hls: undefined });
const local4 = result({});
const s3_4 = result({ storage: 's3', cpuPercent: 14, harnessCpuPercent: 20, spoolMaxBytes: 3 * 2 ** 20, s3PutMs: 41.6 });
const local8 = result({ streams: 8, cpuPercent: 20 });
const local16 = result({ streams: 16, cpuPercent: 45, realTime: false, realTimeStreams: 13, problem: 'bench-3: fell 2.0 s behind real time', nodeLog: 'unpublish reason=timeout x3', hls: { segments: 150, minDurationMs: 2000, maxDurationMs: 2000, worstBehindMs: 2000, missing: 0, discontinuities: 0, maxReadMs: 30 } });
const broken = result({ storage: 's3', streams: 8, cpuPercent: Number.NaN, failure: 'runnel exited before listening on 1234:\nsome log\nError: boom', realTime: false, realTimeStreams: 0, hls: undefined });
const all = [none4, local4, s3_4, local8, local16, broken];

describe('hlsCostPerStream', () => {
  it('is (HLS CPU - baseline CPU at the same K) / K', () => {
    expect(hlsCostPerStream(all, local4)).toBeCloseTo(1, 9);
    expect(hlsCostPerStream(all, s3_4)).toBeCloseTo(2, 9);
  });

  it('is undefined for the baseline itself, without a baseline at that K, or for a failed case', () => {
    expect(hlsCostPerStream(all, none4)).toBeUndefined();
    expect(hlsCostPerStream(all, local8)).toBeUndefined();
    expect(hlsCostPerStream(all, broken)).toBeUndefined();
  });
});

describe('summarizeStorage', () => {
  it('finds the largest real-time K, the next K that was not, and the CPU per stream there', () => {
    expect(summarizeStorage(all, 'local')).toEqual({ storage: 'local', largestRealTime: 8, firstNotRealTime: 16, cpuPerStreamAtLargest: 2.5 });
  });

  it('leaves out cases that failed to run', () => {
    expect(summarizeStorage(all, 's3')).toEqual({ storage: 's3', largestRealTime: 4, firstNotRealTime: undefined, cpuPerStreamAtLargest: 3.5 });
  });
});

describe('formatHlsTable', () => {
  const text = formatHlsTable(all, 1);
  const lines = text.split('\n');

  it('prints a header, a rule and one row per case', () => {
    expect(lines[0]).toMatch(/^storage\s+K\s+real time\s+CPU %/);
    expect(lines[1]).toMatch(/^-+( +-+)+$/);
    expect(lines[2]).toMatch(/^none\s+4\s+4\/4\s+6\.0\s+1\.50\s/);
    expect(lines[3]).toMatch(/^local\s+4\s+4\/4\s+10\.0\s+2\.50\s+1\.00\s/);
  });

  it('marks a case that is not real time and prints its reason', () => {
    expect(lines[6]).toMatch(/^local\s+16\s+13\/16 NO\s+45\.0/);
    expect(text).toContain('local K=16: not real time: bench-3: fell 2.0 s behind real time');
    expect(text).toContain('local K=16: node log: unpublish reason=timeout x3');
  });

  it('prints the largest real-time K of each HLS storage', () => {
    expect(text).toContain('local: largest real-time K tried = 8 (K = 16 was not); node CPU there 2.50 % of a core per stream');
    expect(text).toContain('s3: largest real-time K tried = 4 (no larger K was tried)');
  });

  it('prints dashes and a one-line reason for a failed case', () => {
    expect(lines[7]).toMatch(/^s3\s+8\s+0\/8 NO\s+-\s+-/);
    expect(text).toContain('s3 K=8: FAILED: runnel exited before listening on 1234: Error: boom');
  });

  it('warns when the load CPUs are saturated or other processes were busy', () => {
    const busy = [result({ publisherCpuPercent: 80, harnessCpuPercent: 15, otherCpuPercent: 60, serverCpuBusyPercent: 97 })];
    const t = formatHlsTable(busy, 1);
    expect(t).toContain("local K=4: the node's CPU was 97 % busy (node 10 %, the rest other processes): no headroom left");
    expect(t).toContain('local K=4: publishers + s3rver + bench used 95 % of their 1 CPU(s)');
    expect(t).toContain('local K=4: other processes used 60 % of a core during the window: a noisy run');
    expect(formatHlsTable(busy, 2)).not.toContain('publishers + s3rver + bench used');
  });
});

describe('formatHlsMarkdown', () => {
  const meta: HlsRunMeta = {
    command: 'npm run bench -- hls --streams 4',
    date: '2026-11-24',
    machine: 'AMD EPYC x 2',
    node: 'v24.21.0',
    code: 'commit abc1234',
    source: '2022 kbit/s H.264 1280x720',
    pinning: 'node under test alone on CPU 0',
    window: 'measured 20 s',
    loadCpus: 1,
  };
  const md = formatHlsMarkdown([none4, local4, s3_4], meta);

  it('records the command, machine, code and a table with one row per case', () => {
    expect(md).toContain('```\nnpm run bench -- hls --streams 4\n```');
    expect(md).toContain('- Code: commit abc1234');
    const rows = md.split('\n').filter((l) => l.startsWith('|'));
    // header, alignment row, three cases
    expect(rows).toHaveLength(5);
    expect(new Set(rows.map((r) => r.split('|').length)).size).toBe(1);
    expect(rows[1]).toMatch(/^\| --- \|( ---: \|)+$/);
    expect(rows[4]).toMatch(/^\| s3 \| 4 \| 4\/4 \| 14\.0 \| 3\.50 \| 2\.00 \|/);
    expect(rows[4]).toContain('| 3.0 | 42 |');
  });

  it('lists the summary as bullets', () => {
    expect(md).toContain('- local: largest real-time K tried = 4');
  });
});
