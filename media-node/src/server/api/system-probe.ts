import os from 'node:os';

/**
 * Process and host figures for `/api/v1/summaries`, in SRS's field names and
 * units (`srs_api_dump_summaries`, `4.0:trunk/src/app/srs_app_utility.cpp`).
 * Note SRS's units: every `*_percent` is a ratio (self `cpu_percent` 1.0 =
 * one full core, `srs_update_proc_stat`; system `cpu_percent` 1.0 = all
 * cores busy), `mem_kbyte` is KiB, `srs_uptime` whole seconds, system
 * `uptime`/`ilde_time` (sic) seconds.
 *
 * CPU figures are averages since the previous call (the first call: since
 * the process started / since boot), as SRS samples between its timer ticks.
 * What Node cannot see without reading /proc (disk, network, swap, socket
 * states) is reported as 0.
 */
export interface SelfSummary {
  readonly version: string;
  readonly pid: number;
  readonly ppid: number;
  readonly argv: string;
  readonly cwd: string;
  readonly mem_kbyte: number;
  readonly mem_percent: number;
  readonly cpu_percent: number;
  readonly srs_uptime: number;
}

export interface SystemSummary {
  readonly cpu_percent: number;
  readonly disk_read_KBps: number;
  readonly disk_write_KBps: number;
  readonly disk_busy_percent: number;
  readonly mem_ram_kbyte: number;
  readonly mem_ram_percent: number;
  readonly mem_swap_kbyte: number;
  readonly mem_swap_percent: number;
  readonly cpus: number;
  readonly cpus_online: number;
  readonly uptime: number;
  readonly ilde_time: number;
  readonly load_1m: number;
  readonly load_5m: number;
  readonly load_15m: number;
}

/** A fresh sample each call; the fake in tests returns fixed values. */
export interface SystemProbe {
  readonly pid: number;
  sample(): { readonly self: SelfSummary; readonly system: SystemSummary };
}

export interface SystemProbeOptions {
  /** Runnel's version, `self.version`. */
  readonly version: string;
  /** The command line as the entry point saw it (`process.argv`). */
  readonly argv: readonly string[];
  readonly cwd: string;
  /** Wall clock in ms (for the uptime). */
  readonly now?: () => number;
}

interface CpuTotals {
  readonly idle: number;
  readonly total: number;
}

function cpuTotals(): CpuTotals {
  let idle = 0;
  let total = 0;
  for (const c of os.cpus()) {
    idle += c.times.idle;
    total += c.times.user + c.times.nice + c.times.sys + c.times.idle + c.times.irq;
  }
  return { idle, total };
}

/** Rounds ratios to 4 decimals so the JSON stays readable. */
const ratio = (n: number) => Math.round(n * 10_000) / 10_000;

export function createSystemProbe(opts: SystemProbeOptions): SystemProbe {
  const now = opts.now ?? Date.now;
  const startMs = now() - process.uptime() * 1000;
  // Baselines: process start for our CPU, boot for the host's (all counters start at 0 there).
  let lastSelf = { cpu: { user: 0, system: 0 }, wallUs: 0 };
  let lastHost: CpuTotals = { idle: 0, total: 0 };
  const argv = opts.argv.join(' ');
  return {
    pid: process.pid,
    sample() {
      const cpu = process.cpuUsage();
      const wallUs = process.uptime() * 1e6;
      const busyUs = cpu.user - lastSelf.cpu.user + (cpu.system - lastSelf.cpu.system);
      const spanUs = wallUs - lastSelf.wallUs;
      lastSelf = { cpu, wallUs };
      const host = cpuTotals();
      const hostSpan = host.total - lastHost.total;
      const hostIdle = host.idle - lastHost.idle;
      lastHost = host;
      const rss = process.memoryUsage.rss();
      const totalMem = os.totalmem();
      const cpus = os.cpus().length;
      const [l1, l5, l15] = os.loadavg();
      return {
        self: {
          version: opts.version,
          pid: process.pid,
          ppid: process.ppid,
          argv,
          cwd: opts.cwd,
          mem_kbyte: Math.round(rss / 1024),
          mem_percent: ratio(totalMem > 0 ? rss / totalMem : 0),
          cpu_percent: ratio(spanUs > 0 ? busyUs / spanUs : 0),
          srs_uptime: Math.floor((now() - startMs) / 1000),
        },
        system: {
          cpu_percent: ratio(hostSpan > 0 ? 1 - hostIdle / hostSpan : 0),
          disk_read_KBps: 0,
          disk_write_KBps: 0,
          disk_busy_percent: 0,
          mem_ram_kbyte: Math.round(totalMem / 1024),
          mem_ram_percent: ratio(totalMem > 0 ? 1 - os.freemem() / totalMem : 0),
          mem_swap_kbyte: 0,
          mem_swap_percent: 0,
          cpus,
          cpus_online: os.availableParallelism(),
          uptime: os.uptime(),
          ilde_time: Math.round(host.idle / 10) / 100,
          load_1m: l1,
          load_5m: l5,
          load_15m: l15,
        },
      };
    },
  };
}
