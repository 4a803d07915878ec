import os from 'node:os';
import { setTimeout as sleep } from 'node:timers/promises';
import { describe, expect, it } from 'vitest';
import { createSystemProbe } from './system-probe.ts';

function spin(ms: number): void {
  const end = performance.now() + ms;
  while (performance.now() < end) {
    // busy on purpose: the probe must see this CPU time
  }
}

describe('createSystemProbe', () => {
  it('reports this process and host in SRS units', () => {
    const probe = createSystemProbe({ version: '1.2.3', argv: ['node', 'cli.ts', 'node'], cwd: '/srv/runnel' });
    const { self, system } = probe.sample();
    expect(probe.pid).toBe(process.pid);
    expect(self).toMatchObject({ version: '1.2.3', pid: process.pid, ppid: process.ppid, argv: 'node cli.ts node', cwd: '/srv/runnel' });
    const rssKb = process.memoryUsage.rss() / 1024;
    expect(self.mem_kbyte).toBeGreaterThan(rssKb * 0.5);
    expect(self.mem_kbyte).toBeLessThan(rssKb * 2);
    expect(self.mem_percent).toBeCloseTo(self.mem_kbyte / (os.totalmem() / 1024), 3);
    expect(Math.abs(self.srs_uptime - process.uptime())).toBeLessThan(1.5);
    expect(system.cpus).toBe(os.cpus().length);
    expect(system.mem_ram_kbyte).toBe(Math.round(os.totalmem() / 1024));
    expect(system.mem_ram_percent).toBeGreaterThan(0);
    expect(system.mem_ram_percent).toBeLessThanOrEqual(1);
    expect(system.cpu_percent).toBeGreaterThanOrEqual(0);
    expect(system.cpu_percent).toBeLessThanOrEqual(1);
    expect(Math.abs(system.uptime - os.uptime())).toBeLessThan(5);
    expect(system.load_1m).toBe(os.loadavg()[0]);
  });

  it('samples CPU between calls: a busy span reads higher than an idle one', async () => {
    const probe = createSystemProbe({ version: '0', argv: [], cwd: '/' });
    probe.sample();
    spin(150);
    const busy = probe.sample().self.cpu_percent;
    await sleep(150);
    const idle = probe.sample().self.cpu_percent;
    expect(busy).toBeGreaterThan(0.1);
    expect(idle).toBeLessThan(busy);
  });

  it('counts uptime from process start on the injected clock', () => {
    let now = 1_000_000;
    const probe = createSystemProbe({ version: '0', argv: [], cwd: '/', now: () => now });
    const first = probe.sample().self.srs_uptime;
    now += 10_000;
    expect(probe.sample().self.srs_uptime).toBe(first + 10);
  });
});
