import { describe, expect, it } from 'vitest';
import type { SrtPlayResult } from './srt-play-case.ts';
import type { SrtPublishResult } from './srt-publish-case.ts';
import { formatSrtMarkdown, formatSrtTable, playersPerCore, playRatio, publishRatio, type SrtRunMeta } from './srt-report.ts';

function pub(over: Partial<SrtPublishResult>): SrtPublishResult {
  return {
    protocol: 'srt',
    streams: 4,
    cpuPercent: 20,
    rssMiB: 150.4,
    publisherCpuPercent: 12,
    otherCpuPercent: 5,
    serverCpuBusyPercent: 22,
    ingestMbps: 20.4,
    minStreamMbps: 5.05,
    realTimeStreams: 4,
    loss: { streams: 0, lostPackets: 0, droppedPackets: 0, continuityErrors: 0, droppedPes: 0 },
    udpDrops: 0,
    keptUp: true,
    problem: undefined,
    nodeLog: undefined,
    failure: undefined,
    ...over,
  };
}

function play(over: Partial<SrtPlayResult>): SrtPlayResult {
  return {
    protocol: 'srt',
    players: 200,
    cpuPercent: 40,
    rssMiB: 180,
    generatorCpuPercent: 50,
    otherCpuPercent: 3,
    serverCpuBusyPercent: 45,
    keepingUp: 200,
    meanMbps: 0.69,
    expectedMbps: 0.684,
    minMbps: 0.66,
    lostPackets: 0,
    droppedPackets: 0,
    udpDrops: 3,
    maxLagMs: Number.NaN,
    playingAtStart: over.players ?? 200,
    errors: 0,
    topError: undefined,
    failure: undefined,
    ...over,
  };
}

const srtPub = pub({});
const rtmpPub = pub({ protocol: 'rtmp', cpuPercent: 10, loss: undefined, udpDrops: Number.NaN });
const srtPlay = play({});
const rtmpPlay = play({ protocol: 'rtmp', cpuPercent: 16, meanMbps: 0.61, expectedMbps: 0.62, minMbps: Number.NaN, lostPackets: Number.NaN, droppedPackets: Number.NaN, udpDrops: Number.NaN, serverCpuBusyPercent: Number.NaN, maxLagMs: 800 });
const brokenPlay = play({ players: 500, cpuPercent: Number.NaN, keepingUp: 0, failure: 'runnel exited during the window:\nsome log\nError: boom' });

describe('publishRatio', () => {
  it('divides SRT by RTMP at the same K', () => {
    expect(publishRatio([srtPub, rtmpPub], srtPub)).toBeCloseTo(2, 9);
  });

  it('is undefined for RTMP rows, another K or a failed peer', () => {
    expect(publishRatio([srtPub, rtmpPub], rtmpPub)).toBeUndefined();
    expect(publishRatio([srtPub, pub({ protocol: 'rtmp', streams: 8 })], srtPub)).toBeUndefined();
    expect(publishRatio([srtPub, pub({ protocol: 'rtmp', failure: 'x', cpuPercent: Number.NaN })], srtPub)).toBeUndefined();
  });
});

describe('playRatio and playersPerCore', () => {
  it('divides SRT by RTMP at the same N', () => {
    expect(playRatio([srtPlay, rtmpPlay], srtPlay)).toBeCloseTo(2.5, 9);
    expect(playRatio([srtPlay, rtmpPlay], rtmpPlay)).toBeUndefined();
  });

  it('projects players per core only where every player kept up', () => {
    expect(playersPerCore(srtPlay)).toBeCloseTo(500, 9);
    expect(playersPerCore(play({ keepingUp: 199 }))).toBeUndefined();
    expect(playersPerCore(brokenPlay)).toBeUndefined();
  });
});

describe('formatSrtTable', () => {
  const text = formatSrtTable([srtPub, rtmpPub], [srtPlay, rtmpPlay, brokenPlay]);
  const lines = text.split('\n');

  it('prints the publish table with the ratio on the SRT row', () => {
    const i = lines.indexOf('Publish (~5 Mbit/s streams):');
    expect(lines[i + 1]).toMatch(/^proto\s+K\s+kept up\s+CPU %\s+CPU %\/stream\s+srt\/rtmp CPU/);
    expect(lines[i + 3]).toMatch(/^srt\s+4\s+yes \(4\/4 real time\)\s+20\.0\s+5\.00\s+2\.00x\s+150\s+20\.4\s+5\.05\s+0\/0\s+0\s+12\s+5\s+22$/);
    expect(lines[i + 4]).toMatch(/^rtmp\s+4\s+yes \(4\/4 real time\)\s+10\.0\s+2\.50\s+150/);
  });

  it('prints the play table: keep up, CPU per 100 players, ratio, projection', () => {
    const i = lines.indexOf('Play (one ~600 kbit/s stream):');
    expect(lines[i + 3]).toMatch(/^srt\s+200\s+200\/200 \(100%\)\s+40\.0\s+20\.00\s+2\.50x\s+500\s+180\s+0\.690\s+0\.684\s+0\.660\s+0\/0\s+3\s+-\s+50\s+3\s+45$/);
    expect(lines[i + 4]).toMatch(/^rtmp\s+200\s+200\/200 \(100%\)\s+16\.0\s+8\.00\s+1250\s+180\s+0\.610\s+0\.620\s+-\s+0\.8\s+50\s+3\s+-$/);
    expect(lines[i + 5]).toMatch(/^srt\s+500\s+FAILED\s+-\s+-/);
  });

  it('notes failures by their first and last line, and what else went wrong', () => {
    expect(text).toContain('play srt N=500: FAILED: runnel exited during the window: Error: boom');
    expect(text).not.toContain('some log');
    const noisy = formatSrtTable([pub({ otherCpuPercent: 60, serverCpuBusyPercent: 95, loss: { streams: 1, lostPackets: 69, droppedPackets: 0, continuityErrors: 0, droppedPes: 0 } })], [play({ generatorCpuPercent: 97, serverCpuBusyPercent: 92, playingAtStart: 150, errors: 2, topError: 'connect timeout (x2)' })]);
    expect(noisy).toContain('publish srt K=4: other processes used 60 % of a core during the window: a noisy run');
    expect(noisy).toContain("publish srt K=4: the node's CPU was 95 % busy in all");
    expect(noisy).toContain("publish srt K=4: the node's SRT receivers lost 69 packets");
    expect(noisy).toContain('play srt N=200: load generator at 97 % of a core');
    expect(noisy).toContain("play srt N=200: the node's CPU was 92 % busy in all");
    expect(noisy).toContain('play srt N=200: ramp incomplete: 150/200');
    expect(noisy).toContain('play srt N=200: 2 player errors, most common: connect timeout (x2)');
    expect(text).not.toContain('noisy');
  });

  it('says why a publish did not keep up', () => {
    expect(formatSrtTable([pub({ keptUp: false, problem: 'bench-2: received 3.10 Mbit/s, under 4.68' })], [])).toContain('publish srt K=4: not kept up: bench-2: received 3.10 Mbit/s, under 4.68');
  });

  it('leaves out a part that did not run', () => {
    expect(formatSrtTable([], [srtPlay])).not.toContain('Publish');
    expect(formatSrtTable([srtPub], [])).not.toContain('Play');
  });
});

describe('formatSrtMarkdown', () => {
  const meta: SrtRunMeta = {
    command: 'npm run bench -- srt --streams 1',
    date: '2026-01-02',
    machine: 'Some CPU x 2',
    node: 'v24.0.0',
    code: 'commit abc1234',
    publishSource: '5197 kbit/s',
    playSource: '620 kbit/s',
    pinning: 'node on CPU 0',
    window: 'measured 15 s',
  };
  const md = formatSrtMarkdown([srtPub, rtmpPub], [srtPlay, rtmpPlay], meta);

  it('records the command in a code block and the conditions', () => {
    expect(md).toContain('```\nnpm run bench -- srt --streams 1\n```');
    expect(md).toContain('- Machine: Some CPU x 2; Node v24.0.0');
    expect(md).toContain('- Code: commit abc1234');
    expect(md).toContain('- Publish source: 5197 kbit/s');
    expect(md).toContain('- Play source: 620 kbit/s');
  });

  it('has two markdown tables with one row per case', () => {
    const rows = md.split('\n').filter((l) => l.startsWith('|'));
    expect(rows).toHaveLength(8);
    expect(rows[1]).toMatch(/^\|( ---:? \|)+$/);
    expect(rows[2]).toContain('| srt | 4 | yes (4/4 real time) | 20.0 | 5.00 | 2.00x |');
    expect(rows[6]).toContain('| srt | 200 | 200/200 (100%) | 40.0 | 20.00 | 2.50x | 500 |');
  });
});
