import { describe, expect, it } from 'vitest';
import type { RtcPlayResult } from './rtc-play-case.ts';
import { audioCosts, formatRtcMarkdown, formatRtcTable, rtcPlayersPerCore, rtcRtmpRatio, type RtcRunMeta } from './rtc-report.ts';

function row(over: Partial<RtcPlayResult>): RtcPlayResult {
  return {
    protocol: 'rtc',
    audio: 'on',
    udpMux: 'on',
    players: 50,
    cpuPercent: 40,
    rssMiB: 220,
    generatorCpuPercent: 60,
    otherCpuPercent: 3,
    serverCpuBusyPercent: 42,
    keepingUp: over.players ?? 50,
    meanFps: 25,
    minFps: 24.6,
    meanAudioPps: 50,
    meanMbps: 0.66,
    duplicates: 0,
    maxLagMs: Number.NaN,
    playingAtStart: over.players ?? 50,
    errors: 0,
    topError: undefined,
    failure: undefined,
    ...over,
  };
}

const rtmp = (players: number, cpuPercent: number): RtcPlayResult =>
  row({ protocol: 'rtmp', audio: 'off', players, cpuPercent, meanFps: Number.NaN, minFps: Number.NaN, meanAudioPps: Number.NaN, maxLagMs: 200, serverCpuBusyPercent: Number.NaN });

const meta: RtcRunMeta = {
  command: 'npm run bench -- rtc --players 1,50',
  date: '2026-11-24',
  machine: 'test machine',
  node: 'v24',
  code: 'abc123',
  source: '622 kbit/s test source',
  pinning: 'node alone on CPU 0',
  window: 'warm-up 5 s, measured 15 s',
};

describe('rtcRtmpRatio / rtcPlayersPerCore', () => {
  const results = [row({ cpuPercent: 40 }), row({ audio: 'off', cpuPercent: 30 }), rtmp(50, 10), row({ players: 10, keepingUp: 9, cpuPercent: 9 })];

  it('divides WHEP CPU by the RTMP twin at the same N', () => {
    expect(rtcRtmpRatio(results, results[0]!)).toBeCloseTo(4);
    expect(rtcRtmpRatio(results, results[1]!)).toBeCloseTo(3);
    expect(rtcRtmpRatio(results, results[2]!)).toBeUndefined();
    expect(rtcRtmpRatio(results, results[3]!)).toBeUndefined();
  });

  it('projects players per core only where every player kept up', () => {
    expect(rtcPlayersPerCore(results[0]!)).toBeCloseTo(125);
    expect(rtcPlayersPerCore(results[3]!)).toBeUndefined();
    expect(rtcPlayersPerCore(row({ failure: 'boom', cpuPercent: Number.NaN }))).toBeUndefined();
  });
});

describe('audioCosts', () => {
  it('pairs audio on and off at the same N', () => {
    const results = [row({ players: 1, cpuPercent: 7 }), row({ players: 1, audio: 'off', cpuPercent: 4 }), rtmp(1, 2), row({ players: 10, cpuPercent: 20 })];
    const costs = audioCosts(results);
    expect(costs).toHaveLength(1);
    expect(costs[0]!.players).toBe(1);
    expect(costs[0]!.udpMux).toBe('on');
    expect(costs[0]!.cost).toBeCloseTo(3);
  });

  it('pairs only rows of the same UDP mux mode', () => {
    const results = [
      row({ players: 1, cpuPercent: 7 }),
      row({ players: 1, udpMux: 'off', cpuPercent: 9 }),
      row({ players: 1, udpMux: 'off', audio: 'off', cpuPercent: 5 }),
      row({ players: 10, udpMux: 'off', cpuPercent: 20 }),
      row({ players: 10, audio: 'off', cpuPercent: 12 }),
      row({ players: 1, audio: 'off', cpuPercent: 4.5 }),
    ];
    expect(audioCosts(results).map((c) => [c.players, c.udpMux, c.withAudio, c.withoutAudio])).toEqual([
      [1, 'on', 7, 4.5],
      [1, 'off', 9, 5],
    ]);
  });

  it('skips failed rows', () => {
    expect(audioCosts([row({ players: 1 }), row({ players: 1, audio: 'off', failure: 'x', cpuPercent: Number.NaN })])).toEqual([]);
  });
});

describe('formatRtcTable / formatRtcMarkdown', () => {
  it('prints every row, the ratio, the projection and the audio table', () => {
    const results = [row({ players: 1, cpuPercent: 7.24 }), row({ players: 1, audio: 'off', cpuPercent: 4.2 }), rtmp(1, 2.5)];
    const text = formatRtcTable(results);
    expect(text).toContain('players/core (linear)');
    expect(text).toMatch(/proto\s+audio\s+udp mux\s+N\s+keep up/);
    expect(text).toMatch(/rtc\s+on\s+on\s+1\s+1\/1 \(100%\)\s+7\.2\s+7\.24\s+2\.90x\s+14\b/);
    expect(text).toMatch(/rtmp\s+AAC\s+1\s+1\/1 \(100%\)\s+2\.5/);
    expect(text).toMatch(/Audio \(AAC -> Opus bridge/);
    expect(text).toMatch(/\n1\s+on\s+7\.2\s+4\.2\s+3\.0\n/);
  });

  it('prints the mux mode of each WHEP row and names it in the notes', () => {
    const text = formatRtcTable([row({ players: 1, cpuPercent: 5 }), row({ players: 1, udpMux: 'off', cpuPercent: 6, generatorCpuPercent: 97 }), rtmp(1, 2)]);
    expect(text).toMatch(/rtc\s+on\s+on\s+1\s+1\/1 \(100%\)\s+5\.0/);
    expect(text).toMatch(/rtc\s+on\s+off\s+1\s+1\/1 \(100%\)\s+6\.0/);
    expect(text).toContain('rtc audio on udp-mux off N=1: load generator at 97 %');
    expect(text).not.toContain('rtc audio on udp-mux on N=1: load generator');
  });

  it('flags a saturated generator, a noisy machine, a busy node CPU, a failure and an incomplete ramp', () => {
    const text = formatRtcTable([
      row({ generatorCpuPercent: 97 }),
      row({ players: 10, otherCpuPercent: 40 }),
      row({ players: 25, serverCpuBusyPercent: 95 }),
      row({ players: 100, failure: 'runnel exited:\nlast words', cpuPercent: Number.NaN }),
      row({ players: 200, playingAtStart: 150, errors: 50, topError: 'WHEP 503 (x50)', duplicates: 12 }),
    ]);
    expect(text).toContain('rtc audio on udp-mux on N=50: load generator at 97 % of a core: the generator, not the node, is the limit');
    expect(text).toContain('rtc audio on udp-mux on N=10: other processes used 40 %');
    expect(text).toContain("rtc audio on udp-mux on N=25: the node's CPU was 95 % busy");
    expect(text).toContain('rtc audio on udp-mux on N=100: FAILED: runnel exited: last words');
    expect(text).toContain('rtc audio on udp-mux on N=200: ramp incomplete: 150/200');
    expect(text).toContain('50 player errors, most common: WHEP 503 (x50)');
    expect(text).toContain('rtc audio on udp-mux on N=200: players received 12 RTP packets twice');
  });

  it('writes markdown with the command, the meta, a pipe table and notes', () => {
    const md = formatRtcMarkdown([row({ players: 1, cpuPercent: 7 }), row({ players: 1, audio: 'off', cpuPercent: 4 }), rtmp(1, 2)], meta);
    expect(md).toContain('```\nnpm run bench -- rtc --players 1,50\n```');
    expect(md).toContain('- Source: 622 kbit/s test source');
    expect(md).toContain('| proto | audio | udp mux | N | keep up |');
    expect(md).toContain('| --- | --- | --- | ---: |');
    expect(md).toContain('| rtc | on | on | 1 |');
    expect(md).toContain('| rtmp | AAC |  | 1 |');
    expect(md).toContain('| N | udp mux | CPU % audio on |');
    expect(md).toContain('| 1 | on | 7.0 | 4.0 | 3.0 |');
  });
});
