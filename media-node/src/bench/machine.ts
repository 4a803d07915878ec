// What both benchmarks record about where and what they measured, and how
// they split the CPUs. Reads the machine, git and the environment: an edge
// file, used only by cli.ts and hls-cli.ts.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { availableParallelism, cpus, release, tmpdir, totalmem } from 'node:os';
import { join } from 'node:path';
import type { ChildRegistry } from './children.ts';

/** The first of ffmpeg/ffprobe that does not run, or undefined when both do. */
export function missingTool(): string | undefined {
  return ['ffmpeg', 'ffprobe'].find((tool) => spawnSync(tool, ['-version'], { stdio: 'ignore' }).status !== 0);
}

/**
 * Runs `body` with a scratch directory, and makes every child in `registry`
 * die with the benchmark: on return, on an exception, on Ctrl-C / SIGTERM
 * (exit code 130) and, as a last resort, on process exit.
 */
export async function withScratch<T>(registry: ChildRegistry, log: (line: string) => void, body: (workDir: string) => Promise<T>): Promise<T> {
  const workDir = mkdtempSync(join(tmpdir(), 'runnel-bench-'));
  const onExit = (): void => registry.killAllSync();
  const onSignal = (): void => {
    log('runnel bench: interrupted, stopping children');
    void registry.stopAll().finally(() => {
      rmSync(workDir, { recursive: true, force: true });
      process.exit(130);
    });
  };
  process.on('exit', onExit);
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
  try {
    return await body(workDir);
  } finally {
    await registry.stopAll();
    process.off('exit', onExit);
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
    rmSync(workDir, { recursive: true, force: true });
  }
}

/** `AMD EPYC x 2, 24 GiB, Linux 6.1.0`. */
export function describeMachine(): string {
  return `${cpus()[0]?.model ?? 'unknown CPU'} x ${availableParallelism()}, ${(totalmem() / 2 ** 30).toFixed(0)} GiB, Linux ${release()}`;
}

/** The command line as the user typed it (`npm run bench -- ...` or the CLI). */
export function describeCommand(argv: readonly string[]): string {
  return [process.env.npm_lifecycle_event === 'bench' ? 'npm run bench --' : 'node media-node/src/cli.ts bench', ...argv].join(' ');
}

/** The commit under test, and whether media-node/ or shared/ had uncommitted changes (they are measured too). */
export function describeCode(): string {
  const git = (args: string[]): string | undefined => {
    const r = spawnSync('git', args, { encoding: 'utf8' });
    return r.status === 0 ? r.stdout.trim() : undefined;
  };
  const head = git(['rev-parse', '--short', 'HEAD']);
  if (head === undefined) return 'unknown (not a git checkout)';
  const dirty = git(['status', '--porcelain', '--', 'media-node', 'shared']);
  return `commit ${head}${dirty ? ' + uncommitted changes in media-node/ or shared/' : ''}`;
}

export interface CpuSplit {
  /** taskset lists: the server alone on one CPU, everything else on the rest; undefined when not pinning. */
  readonly serverCpus: string | undefined;
  readonly otherCpus: string | undefined;
  /** How many CPUs the load shares (all of them when not pinning). */
  readonly otherCount: number;
  /** Why not pinning, for the log; undefined when pinning. */
  readonly notPinned: string | undefined;
}

/** With taskset and two or more CPUs: the server on CPU 0, the load on 1..n-1. */
export function splitCpus(registry: ChildRegistry, wanted: boolean): CpuSplit {
  const ncpu = availableParallelism();
  if (ncpu >= 2 && registry.pinned) {
    return { serverCpus: '0', otherCpus: ncpu === 2 ? '1' : `1-${ncpu - 1}`, otherCount: ncpu - 1, notPinned: undefined };
  }
  const why = wanted ? `${ncpu} CPU(s)${registry.pinned ? '' : ', no taskset'}` : '--no-pin';
  return { serverCpus: undefined, otherCpus: undefined, otherCount: ncpu, notPinned: why };
}
