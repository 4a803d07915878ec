/**
 * What the bad-inputs contract asks of the process that runs a node
 * (shared/reference/bad-inputs.md (b), (d), (e)): no uncaught exception or
 * unhandled rejection, memory back near its baseline after an attack, and no
 * child process started by the node. For tests that run the node in-process.
 */
import type * as childProcess from 'node:child_process';
import { createRequire, syncBuiltinESMExports } from 'node:module';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';

/** Every way node:child_process starts a program. */
const SPAWNERS = ['spawn', 'spawnSync', 'exec', 'execSync', 'execFile', 'execFileSync', 'fork'] as const;

export interface SpawnCall {
  readonly fn: (typeof SPAWNERS)[number];
  readonly file: string;
  /** Stack of the caller, to tell the test's own peers (ffmpeg) from anything else. */
  readonly stack: string;
}

export interface ProcessGuard {
  /** uncaughtException / unhandledRejection seen since the guard was installed. */
  readonly uncaught: readonly unknown[];
  readonly spawns: readonly SpawnCall[];
  /** Spawns whose stack does not pass through `allowedCaller` (the test's peer launcher). */
  foreignSpawns(): SpawnCall[];
  dispose(): void;
}

/**
 * Listens for uncaught errors and wraps every spawner of node:child_process
 * (named ESM imports included, through syncBuiltinESMExports) to record who
 * called it. `allowedCaller` is a path fragment of the module allowed to
 * spawn, e.g. 'test/support/ffmpeg.ts'.
 */
export function guardProcess(allowedCaller: string): ProcessGuard {
  const uncaught: unknown[] = [];
  const spawns: SpawnCall[] = [];
  const onError = (e: unknown) => uncaught.push(e);
  process.on('uncaughtException', onError);
  process.on('unhandledRejection', onError);

  // the CommonJS exports object is mutable; syncBuiltinESMExports() copies it to the ESM named exports
  const cp = createRequire(import.meta.url)('node:child_process') as typeof childProcess;
  const originals = new Map<string, unknown>();
  const table = cp as unknown as Record<string, (...args: unknown[]) => unknown>;
  for (const fn of SPAWNERS) {
    const original = table[fn]!;
    originals.set(fn, original);
    table[fn] = function (this: unknown, ...args: unknown[]) {
      spawns.push({ fn, file: String(args[0]), stack: new Error().stack ?? '' });
      return original.apply(this, args);
    };
  }
  syncBuiltinESMExports();

  return {
    uncaught,
    spawns,
    foreignSpawns: () => spawns.filter((s) => !s.stack.includes(allowedCaller)),
    dispose() {
      process.off('uncaughtException', onError);
      process.off('unhandledRejection', onError);
      for (const [fn, original] of originals) table[fn] = original as (...args: unknown[]) => unknown;
      syncBuiltinESMExports();
    },
  };
}

let gcFn: (() => void) | null = null;

/**
 * V8's gc(), even when the runner was not started with --expose-gc: setting
 * the flag at run time exposes `gc` in contexts created afterwards.
 */
export function forceGc(): () => void {
  if (gcFn === null) {
    const g = (globalThis as { gc?: () => void }).gc;
    if (typeof g === 'function') {
      gcFn = g;
    } else {
      setFlagsFromString('--expose-gc');
      gcFn = runInNewContext('gc') as () => void;
    }
  }
  return gcFn;
}

/**
 * JS heap plus ArrayBuffer backing stores (where message and chunk buffers
 * live), after full collections, in bytes.
 */
export async function settledMemory(): Promise<number> {
  const gc = forceGc();
  for (let i = 0; i < 3; i++) {
    gc();
    await new Promise((r) => setTimeout(r, 10));
  }
  const m = process.memoryUsage();
  return m.heapUsed + m.arrayBuffers;
}
