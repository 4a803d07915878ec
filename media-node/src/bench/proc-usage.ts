import { readFileSync } from 'node:fs';
import { execFileSync } from 'node:child_process';

/**
 * CPU time and memory of another process, read from Linux procfs the way
 * `top` does (proc(5)): /proc/<pid>/stat fields 14 `utime` and 15 `stime`
 * (clock ticks spent in user and kernel mode) and /proc/<pid>/status `VmRSS`.
 * Kernel time matters here: a server that writes to thousands of sockets
 * spends much of its time in `writev`, and SRS's `top` figures include it.
 */
export interface ProcSample {
  /** utime + stime, in clock ticks. */
  readonly cpuTicks: number;
  /** Resident set size in bytes. */
  readonly rssBytes: number;
}

/**
 * utime + stime from the text of /proc/<pid>/stat. Field 2 (`comm`) is in
 * parentheses and may itself contain spaces and ')', so the fields are
 * counted from the LAST ')' (proc(5) advises the same).
 */
export function parseProcStatTicks(text: string): number {
  const close = text.lastIndexOf(')');
  if (close < 0) throw new Error('not a /proc/<pid>/stat line: no ")"');
  // After ") " come field 3 (state), 4, ...; utime is field 14, stime field 15.
  const fields = text.slice(close + 2).trim().split(/\s+/);
  const utime = Number(fields[14 - 3]);
  const stime = Number(fields[15 - 3]);
  if (!Number.isFinite(utime) || !Number.isFinite(stime)) throw new Error('not a /proc/<pid>/stat line: utime/stime');
  return utime + stime;
}

/** VmRSS in bytes from the text of /proc/<pid>/status (the kernel prints it in kB). */
export function parseVmRssBytes(text: string): number {
  const m = /^VmRSS:\s+(\d+)\s+kB/m.exec(text);
  if (!m) throw new Error('no VmRSS line in /proc/<pid>/status');
  return Number(m[1]) * 1024;
}

/**
 * Busy clock ticks of the whole machine from the text of /proc/stat (proc(5)):
 * the first line, `cpu user nice system idle iowait irq softirq steal guest
 * guest_nice`, summed without idle and iowait (guest time is already inside
 * user). Used to see how much else ran during a window. With `cpu` = "cpu0",
 * "cpu1" ...: the same for one CPU (its own line), e.g. the one the server
 * under test is pinned to, to see whether it had that CPU to itself.
 */
export function parseMachineBusyTicks(text: string, cpu = 'cpu'): number {
  const line = text.split('\n').find((l) => l.startsWith(`${cpu} `));
  if (!line) throw new Error(`no "${cpu}" line in /proc/stat`);
  const f = line.trim().split(/\s+/).slice(1).map(Number);
  if (f.length < 4 || f.some((v) => !Number.isFinite(v))) throw new Error(`malformed "${cpu}" line in /proc/stat`);
  const [user = 0, nice = 0, system = 0, , , irq = 0, softirq = 0, steal = 0] = f;
  return user + nice + system + irq + softirq + steal;
}

/** Busy ticks of the whole machine (or of one CPU: "cpu0") now; undefined where /proc/stat is not readable. */
export function readMachineBusyTicks(cpu = 'cpu'): number | undefined {
  try {
    return parseMachineBusyTicks(readFileSync('/proc/stat', 'utf8'), cpu);
  } catch {
    return undefined;
  }
}

/** CPU use over a window, in percent of ONE core (so 2 busy cores read 200 %). */
export function cpuPercent(startTicks: number, endTicks: number, wallMs: number, ticksPerSecond: number): number {
  if (wallMs <= 0) return 0;
  const cpuMs = ((endTicks - startTicks) * 1000) / ticksPerSecond;
  return (cpuMs / wallMs) * 100;
}

/** One sample of a live process; undefined when it has exited (its /proc entry is gone). */
export function readProcSample(pid: number): ProcSample | undefined {
  try {
    return {
      cpuTicks: parseProcStatTicks(readFileSync(`/proc/${pid}/stat`, 'utf8')),
      rssBytes: parseVmRssBytes(readFileSync(`/proc/${pid}/status`, 'utf8')),
    };
  } catch {
    return undefined;
  }
}

/** USER_HZ, the unit of utime/stime: 100 on every mainstream Linux build; asked of getconf when possible. */
export function clockTicksPerSecond(): number {
  try {
    const v = Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim());
    if (Number.isInteger(v) && v > 0) return v;
  } catch {
    // getconf missing: fall through to the kernel's fixed USER_HZ.
  }
  return 100;
}
