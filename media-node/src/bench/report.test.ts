import { describe, expect, it } from 'vitest';
import { cpuRatio, formatMarkdown, formatTable, srsRatio, type RunMeta } from './report.ts';
import { share, type CaseResult } from './run-case.ts';

function result(over: Partial<CaseResult>): CaseResult {
  return {
    server: 'runnel',
    protocol: 'rtmp',
    style: 'eager',
    players: 1000,
    cpuPercent: 20,
    rssMiB: 120.4,
    generatorCpuPercent: 40,
    otherCpuPercent: 3,
    lag: { players: 1000, playing: 1000, keepingUp: 1000, maxLagMs: 400, medianLagMs: -900 },
    receivedMbps: 600,
    errors: 0,
    topError: undefined,
    playingAtStart: over.players ?? 1000,
    failure: undefined,
    ...over,
  };
}

const runnel = result({});
const nms = result({ server: 'nms', cpuPercent: 50 });
const runnelFlv = result({ protocol: 'flv', cpuPercent: 30 });
const nmsReal = result({ server: 'nms', style: 'real', cpuPercent: 10 });
const broken = result({ server: 'nms', protocol: 'flv', cpuPercent: Number.NaN, failure: 'nms exited before listening on 1234:\nsome log line\nError: boom\n', lag: { players: 1000, playing: 0, keepingUp: 0, maxLagMs: 0, medianLagMs: 0 } });

describe('cpuRatio', () => {
  it('divides runnel by the nms run of the same protocol, style and N', () => {
    expect(cpuRatio([runnel, nms, nmsReal], runnel)).toBeCloseTo(0.4, 9);
  });

  it('is undefined for nms rows, a missing peer or a failed peer', () => {
    expect(cpuRatio([runnel, nms], nms)).toBeUndefined();
    expect(cpuRatio([runnel, nmsReal], runnel)).toBeUndefined();
    expect(cpuRatio([runnelFlv, broken], runnelFlv)).toBeUndefined();
  });
});

describe('srsRatio', () => {
  it('compares RTMP runs with the SRS reference at 1000 and 2000 players', () => {
    expect(srsRatio(runnel)).toBeCloseTo(2, 9);
    expect(srsRatio(result({ players: 2000, cpuPercent: 38 }))).toBeCloseTo(2, 9);
  });

  it('has no reference for other N, for FLV or for nms', () => {
    expect(srsRatio(result({ players: 500 }))).toBeUndefined();
    expect(srsRatio(runnelFlv)).toBeUndefined();
    expect(srsRatio(nms)).toBeUndefined();
  });
});

describe('formatTable', () => {
  const text = formatTable([runnel, nms, broken]);
  const lines = text.trimEnd().split('\n');

  it('prints a header, a rule and one row per case', () => {
    expect(lines[0]).toMatch(/^server\s+proto\s+style\s+N\s+keep up/);
    expect(lines[1]).toMatch(/^-+( +-+)+$/);
    expect(lines[2]).toMatch(/^runnel\s+rtmp\s+eager\s+1000\s+1000\/1000 \(100%\)\s+0\.4\s+-0\.9\s+20\.0\s+120\s+40\s+3\s+600\s+0\.40x\s+2\.0x$/);
    expect(lines[3]).toMatch(/^nms\s+rtmp\s+eager\s+1000\s+1000\/1000 \(100%\)\s+0\.4\s+-0\.9\s+50\.0/);
    expect(lines[4]).toMatch(/^nms\s+flv\s+eager\s+1000\s+0\/1000 \(0%\)\s+-\s+-\s+-/);
  });

  it('lists failures by their first and last line', () => {
    expect(text).toContain('nms flv eager N=1000: FAILED: nms exited before listening on 1234: Error: boom\n');
    expect(text).not.toContain('some log line');
  });

  it('notes player errors', () => {
    expect(formatTable([result({ errors: 3, topError: 'HTTP 404 (x3)' })])).toContain('runnel rtmp eager N=1000: 3 player errors, most common: HTTP 404 (x3)');
  });

  it('notes a ramp that did not finish', () => {
    expect(formatTable([result({ playingAtStart: 900 })])).toContain('runnel rtmp eager N=1000: ramp incomplete: 900/1000 players playing');
    expect(formatTable([result({})])).not.toContain('ramp incomplete');
  });

  it('flags a noisy run', () => {
    expect(formatTable([result({ otherCpuPercent: 40 })])).toContain('runnel rtmp eager N=1000: other processes used 40 % of a core during the window: a noisy run');
    expect(formatTable([result({})])).not.toContain('noisy');
  });

  it('warns when a load generator was saturated', () => {
    expect(formatTable([result({ generatorCpuPercent: 97 })])).toContain('runnel rtmp eager N=1000: load generator at 97 % of a core');
    expect(formatTable([result({ generatorCpuPercent: 60 })])).not.toContain('load generator at');
  });

  it('rounds a partial keep-up fraction down, so 99.95 % never reads as 100 %', () => {
    const r = result({ players: 2000, lag: { players: 2000, playing: 2000, keepingUp: 1999, maxLagMs: 5000, medianLagMs: 0 } });
    expect(formatTable([r])).toContain('1999/2000 (99.9%)');
  });
});

describe('formatMarkdown', () => {
  const meta: RunMeta = {
    command: 'npm run bench -- --players 50',
    date: '2026-01-02',
    machine: 'Some CPU x 2',
    node: 'v24.0.0',
    code: 'commit abc1234',
    source: '620 kbit/s',
    pinning: 'server on CPU 0',
    window: 'measured 15 s',
  };
  const md = formatMarkdown([runnel, nms], meta);

  it('records the command in a code block and the conditions', () => {
    expect(md).toContain('```\nnpm run bench -- --players 50\n```');
    expect(md).toContain('- Machine: Some CPU x 2; Node v24.0.0');
    expect(md).toContain('- CPUs: server on CPU 0');
    expect(md).toContain('- Code: commit abc1234');
  });

  it('has a markdown table with one row per case', () => {
    const rows = md.split('\n').filter((l) => l.startsWith('|'));
    expect(rows).toHaveLength(4);
    expect(rows[1]).toMatch(/^\|( ---:? \|)+$/);
    expect(rows[2]).toContain('| runnel | rtmp | eager | 1000 |');
    expect(rows[2]).toContain('| 0.40x | 2.0x |');
  });
});

describe('share', () => {
  it.each([
    { total: 10, k: 3, want: [4, 3, 3] },
    { total: 2, k: 2, want: [1, 1] },
    { total: 1000, k: 1, want: [1000] },
    { total: 7, k: 4, want: [2, 2, 2, 1] },
  ])('splits $total over $k generators', (c) => {
    const got = Array.from({ length: c.k }, (_, i) => share(c.total, c.k, i));
    expect(got).toEqual(c.want);
    expect(got.reduce((a, b) => a + b, 0)).toBe(c.total);
  });
});
