import { describe, expect, it } from 'vitest';
import { cpuPercent, parseMachineBusyTicks, parseProcStatTicks, parseVmRssBytes, readMachineBusyTicks, readProcSample } from './proc-usage.ts';

/** /proc/<pid>/stat lines as the kernel prints them (proc(5)); utime is field 14, stime field 15. */
const statCases = [
  {
    name: 'plain comm',
    line: '4242 (node) S 1 4242 4242 0 -1 4194304 1234 0 0 0 731 269 0 0 20 0 11 0 123456 1234567890 23456 18446744073709551615 1 1 0 0 0 0 0 16781312 17922 0 0 0 17 0 0 0 0 0 0',
    ticks: 731 + 269,
  },
  {
    name: 'comm with spaces and a parenthesis',
    line: '77 (my (odd) name) R 1 77 77 0 -1 4194560 10 0 0 0 5 7 0 0 20 0 1 0 99 1000 10 18446744073709551615',
    ticks: 12,
  },
  {
    name: 'zero times',
    line: '1 (init) S 0 1 1 0 -1 4194560 0 0 0 0 0 0 0 0 20 0 1 0 5 1000 10',
    ticks: 0,
  },
];

describe('parseProcStatTicks', () => {
  it.each(statCases)('reads utime + stime: $name', (c) => {
    expect(parseProcStatTicks(c.line)).toBe(c.ticks);
  });

  it('refuses text that is not a stat line', () => {
    expect(() => parseProcStatTicks('hello')).toThrow(/no "\)"/);
    expect(() => parseProcStatTicks('1 (x) S 1 2')).toThrow(/utime/);
  });
});

describe('parseVmRssBytes', () => {
  it('reads VmRSS in kB as bytes', () => {
    const status = 'Name:\tnode\nVmPeak:\t  999999 kB\nVmRSS:\t   51200 kB\nRssAnon:\t 40000 kB\n';
    expect(parseVmRssBytes(status)).toBe(51200 * 1024);
  });

  it('refuses a status without VmRSS (a kernel thread, or not a status file)', () => {
    expect(() => parseVmRssBytes('Name:\tkthreadd\nState:\tS\n')).toThrow(/VmRSS/);
  });
});

describe('cpuPercent', () => {
  it.each([
    { start: 100, end: 150, wallMs: 1000, hz: 100, pct: 50 },
    { start: 0, end: 300, wallMs: 1500, hz: 100, pct: 200 },
    { start: 10, end: 10, wallMs: 15000, hz: 100, pct: 0 },
    { start: 0, end: 250, wallMs: 1000, hz: 250, pct: 100 },
  ])('$start -> $end ticks over $wallMs ms at $hz Hz is $pct %', (c) => {
    expect(cpuPercent(c.start, c.end, c.wallMs, c.hz)).toBeCloseTo(c.pct, 9);
  });

  it('is 0 for an empty window', () => {
    expect(cpuPercent(0, 10, 0, 100)).toBe(0);
  });
});

describe('readProcSample', () => {
  it('reads this process', () => {
    const s = readProcSample(process.pid);
    expect(s).toBeDefined();
    expect(s!.rssBytes).toBeGreaterThan(1024 * 1024);
    expect(s!.cpuTicks).toBeGreaterThanOrEqual(0);
  });

  it('is undefined for a pid that does not exist', () => {
    expect(readProcSample(2 ** 30)).toBeUndefined();
  });
});

describe('parseMachineBusyTicks', () => {
  it('sums the first cpu line without idle and iowait', () => {
    const stat = 'cpu  100 2 30 5000 40 0 6 7 0 0\ncpu0 50 1 15 2500 20 0 3 3 0 0\nintr 1 2 3\n';
    expect(parseMachineBusyTicks(stat)).toBe(100 + 2 + 30 + 0 + 6 + 7);
  });

  it('reads old kernels with fewer fields', () => {
    expect(parseMachineBusyTicks('cpu 10 0 5 100\n')).toBe(15);
  });

  it('reads one CPU from its own line', () => {
    const stat = 'cpu  100 2 30 5000 40 0 6 7 0 0\ncpu0 50 1 15 2500 20 0 3 3 0 0\ncpu1 50 1 15 2500 20 0 3 4 0 0\n';
    expect(parseMachineBusyTicks(stat, 'cpu0')).toBe(50 + 1 + 15 + 0 + 3 + 3);
    expect(parseMachineBusyTicks(stat, 'cpu1')).toBe(50 + 1 + 15 + 0 + 3 + 4);
    expect(() => parseMachineBusyTicks(stat, 'cpu2')).toThrow(/no "cpu2" line/);
  });

  it('refuses text without a total cpu line', () => {
    expect(() => parseMachineBusyTicks('cpu0 1 2 3 4\n')).toThrow(/no "cpu" line/);
    expect(() => parseMachineBusyTicks('cpu a b c d\n')).toThrow(/malformed/);
  });

  it('reads this machine', () => {
    expect(readMachineBusyTicks()).toBeGreaterThan(0);
  });
});
