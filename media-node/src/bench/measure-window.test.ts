import { describe, expect, it } from 'vitest';
import { peakRssBytes, pinnedCpu, sampleWindow, windowUsage, type WindowSample } from './measure-window.ts';

const TICKS_PER_SECOND = 100;

function sample(over: Partial<WindowSample>): WindowSample {
  return { server: { cpuTicks: 0, rssBytes: 0 }, generators: [], publishers: [], machine: undefined, serverCpu: undefined, ...over };
}

describe('windowUsage', () => {
  // A 2 s window at 100 ticks/s: 200 ticks are one core.
  const start = sample({
    server: { cpuTicks: 1_000, rssBytes: 10 * 2 ** 20 },
    generators: [{ cpuTicks: 0, rssBytes: 0 }, { cpuTicks: 50, rssBytes: 0 }, { cpuTicks: 7, rssBytes: 0 }],
    publishers: [{ cpuTicks: 10, rssBytes: 0 }, { cpuTicks: 20, rssBytes: 0 }],
    machine: 5_000,
    serverCpu: 300,
  });
  const end = sample({
    server: { cpuTicks: 1_100, rssBytes: 0 },
    // The third generator exited: it counts 0.
    generators: [{ cpuTicks: 40, rssBytes: 0 }, { cpuTicks: 210, rssBytes: 0 }, undefined],
    publishers: [{ cpuTicks: 30, rssBytes: 0 }, { cpuTicks: 30, rssBytes: 0 }],
    machine: 5_500,
    serverCpu: 480,
  });
  const u = windowUsage(start, end, 2_000, 96 * 2 ** 20, TICKS_PER_SECOND);

  it('server CPU and peak RSS', () => {
    expect(u.cpuPercent).toBeCloseTo(50);
    expect(u.rssMiB).toBe(96);
  });

  it('reports the busiest generator and the publishers summed', () => {
    expect(u.generatorCpuPercent).toBeCloseTo(80);
    expect(u.publisherCpuPercent).toBeCloseTo(15);
  });

  it('other = machine busy ticks minus server, generators and publishers', () => {
    // 500 - 100 - (40 + 160) - (20 + 10) = 170 ticks.
    expect(u.otherCpuPercent).toBeCloseTo(85);
  });

  it("the server's own CPU when pinned to one", () => {
    expect(u.serverCpuBusyPercent).toBeCloseTo(90);
  });

  it('without /proc/stat or pinning: other 0, CPU busy NaN; without generators: 0', () => {
    const bare = windowUsage(sample({ server: { cpuTicks: 0, rssBytes: 0 } }), sample({ server: { cpuTicks: 200, rssBytes: 0 } }), 2_000, 0, TICKS_PER_SECOND);
    expect(bare.cpuPercent).toBeCloseTo(100);
    expect(bare.otherCpuPercent).toBe(0);
    expect(bare.generatorCpuPercent).toBe(0);
    expect(bare.publisherCpuPercent).toBe(0);
    expect(bare.serverCpuBusyPercent).toBeNaN();
  });

  it('other never goes below 0 (ticks are read at slightly different moments)', () => {
    const u2 = windowUsage(sample({ machine: 0 }), sample({ server: { cpuTicks: 50, rssBytes: 0 }, machine: 10 }), 1_000, 0, TICKS_PER_SECOND);
    expect(u2.otherCpuPercent).toBe(0);
  });
});

describe('pinnedCpu', () => {
  it('names the /proc/stat line of exactly one CPU', () => {
    expect(pinnedCpu('0')).toBe('cpu0');
    expect(pinnedCpu('12')).toBe('cpu12');
  });

  it('undefined when not pinned or pinned to several', () => {
    expect(pinnedCpu(undefined)).toBeUndefined();
    expect(pinnedCpu('0-1')).toBeUndefined();
    expect(pinnedCpu('0,2')).toBeUndefined();
  });
});

describe('sampleWindow', () => {
  it('reads this process and the machine', () => {
    const s = sampleWindow({ serverName: 'me', server: { pid: process.pid, tail: () => '' }, generators: [process.pid], publishers: [2 ** 30], serverCpu: 'cpu0' }, 'before');
    expect(s.server.rssBytes).toBeGreaterThan(0);
    expect(s.generators[0]).toBeDefined();
    expect(s.publishers[0]).toBeUndefined();
    expect(s.machine).toBeGreaterThan(0);
    expect(s.serverCpu).toBeGreaterThan(0);
  });

  it('throws with the server name, the moment and its last output when the server is gone', () => {
    const procs = { serverName: 'nms', server: { pid: 2 ** 30, tail: () => 'last words' }, generators: [], publishers: [], serverCpu: undefined };
    expect(() => sampleWindow(procs, 'before')).toThrow('nms exited before the window:\nlast words');
    expect(() => sampleWindow(procs, 'during')).toThrow('nms exited during the window:\nlast words');
  });
});

describe('peakRssBytes', () => {
  it('a window of 0 ms keeps the start value', async () => {
    expect(await peakRssBytes(process.pid, 0, 123)).toBe(123);
  });

  it('samples the process during the window', async () => {
    const rss = await peakRssBytes(process.pid, 20, 1);
    expect(rss).toBeGreaterThan(2 ** 20);
  });

  it('keeps a larger start value', async () => {
    expect(await peakRssBytes(process.pid, 20, 2 ** 50)).toBe(2 ** 50);
  });
});
