import { spawn, spawnSync, type ChildProcess, type StdioOptions } from 'node:child_process';

/** Output kept per child for the error message when it dies: enough for a stack trace, bounded. */
const TAIL_CHARS = 8 * 1024;
/** Lines kept per child that match its `keepLines`: enough to count what went wrong in a run, bounded. */
const MAX_KEPT_LINES = 2_000;
/** Time a child gets to exit after SIGTERM before it is killed. */
const STOP_GRACE_MS = 3_000;

export interface ChildSpec {
  readonly name: string;
  readonly command: string;
  readonly args: readonly string[];
  readonly cwd?: string;
  /** CPU list for `taskset -c` (e.g. "0" or "1-3"); ignored when pinning is unavailable. */
  readonly cpus?: string;
  /** Open an IPC channel (for Node children that `process.send`). */
  readonly ipc?: boolean;
  /** Output lines to keep beyond the tail (the last MAX_KEPT_LINES that match), e.g. a server's warnings. */
  readonly keepLines?: RegExp;
}

/**
 * A child process whose stdout/stderr are drained (a child that logs into a
 * full pipe blocks, and Node-Media-Server logs every session) into a bounded
 * tail kept for error messages.
 */
export class TrackedChild {
  readonly name: string;
  readonly proc: ChildProcess;
  readonly exited: Promise<number | null>;
  private out = '';
  private exitCode: number | null | undefined;
  private readonly kept: string[] = [];
  private partialLine = '';

  constructor(name: string, proc: ChildProcess, keepLines?: RegExp) {
    this.name = name;
    this.proc = proc;
    const keep = (chunk: Buffer): void => {
      const text = chunk.toString('utf8');
      this.out = (this.out + text).slice(-TAIL_CHARS);
      if (keepLines !== undefined) this.keepMatching(text, keepLines);
    };
    proc.stdout?.on('data', keep);
    proc.stderr?.on('data', keep);
    this.exited = new Promise((resolve) => {
      proc.once('exit', (code, signal) => {
        this.exitCode = code ?? (signal ? null : 0);
        resolve(this.exitCode);
      });
      proc.once('error', (e) => {
        keep(Buffer.from(`spawn failed: ${e.message}\n`));
        this.exitCode = null;
        resolve(null);
      });
    });
  }

  get pid(): number {
    return this.proc.pid ?? -1;
  }

  get alive(): boolean {
    return this.exitCode === undefined;
  }

  /** The last lines the child printed. */
  tail(): string {
    return this.out.trimEnd();
  }

  /** The lines that matched `keepLines` so far (the last MAX_KEPT_LINES). */
  keptLines(): readonly string[] {
    return this.kept;
  }

  private keepMatching(text: string, re: RegExp): void {
    const lines = (this.partialLine + text).split('\n');
    // The last piece has no newline yet; a line longer than the tail is cut rather than grown.
    this.partialLine = lines.pop()!.slice(-TAIL_CHARS);
    for (const line of lines) {
      if (!re.test(line)) continue;
      this.kept.push(line);
      if (this.kept.length > MAX_KEPT_LINES) this.kept.shift();
    }
  }

  async stop(): Promise<void> {
    if (!this.alive) return;
    this.proc.kill('SIGTERM');
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<'timeout'>((resolve) => {
      timer = setTimeout(() => resolve('timeout'), STOP_GRACE_MS);
    });
    const how = await Promise.race([this.exited, timeout]);
    clearTimeout(timer);
    if (how === 'timeout' && this.alive) {
      this.proc.kill('SIGKILL');
      await this.exited;
    }
  }
}

/**
 * Every child the benchmark starts, so that all of them die with it: on
 * normal exit, on an exception, and on Ctrl-C.
 */
export class ChildRegistry {
  private readonly children = new Set<TrackedChild>();
  private readonly pinning: boolean;

  constructor(pin: boolean) {
    this.pinning = pin && hasTaskset();
  }

  /** Whether processes are really being pinned to CPUs. */
  get pinned(): boolean {
    return this.pinning;
  }

  spawn(spec: ChildSpec): TrackedChild {
    const pin = this.pinning && spec.cpus !== undefined;
    // taskset execs the command, so the pid we get is the pid we measure.
    const command = pin ? 'taskset' : spec.command;
    const args = pin ? ['-c', spec.cpus!, spec.command, ...spec.args] : [...spec.args];
    const stdio: StdioOptions = spec.ipc ? ['ignore', 'pipe', 'pipe', 'ipc'] : ['ignore', 'pipe', 'pipe'];
    const proc = spawn(command, args, { cwd: spec.cwd, stdio });
    const child = new TrackedChild(spec.name, proc, spec.keepLines);
    this.children.add(child);
    void child.exited.then(() => this.children.delete(child));
    return child;
  }

  async stopAll(): Promise<void> {
    await Promise.all([...this.children].map((c) => c.stop()));
  }

  /** Last resort from a synchronous 'exit' handler: SIGKILL everything still running. */
  killAllSync(): void {
    for (const c of this.children) if (c.alive) c.proc.kill('SIGKILL');
  }
}

function hasTaskset(): boolean {
  return spawnSync('taskset', ['-p', String(process.pid)], { stdio: 'ignore' }).status === 0;
}
