// `runnel bench`: the fan-out benchmark of issue 2, `runnel bench hls`
// (issue 3, hls-cli.ts), `runnel bench srt` (issue 5, srt-cli.ts) and
// `runnel bench rtc` (issue 6, rtc-cli.ts). This
// file is the edge: it reads the machine (CPUs, limits), owns the signal
// handlers and the scratch directory, and prints; bench-options.ts,
// run-case.ts and report.ts do the rest.
import { readFileSync, writeFileSync } from 'node:fs';
import { BENCH_HELP, parseBenchArgs, type BenchOptions } from './bench-options.ts';
import { ChildRegistry } from './children.ts';
import { runHlsBench } from './hls-cli.ts';
import { runRtcBench } from './rtc-cli.ts';
import { runSrtBench } from './srt-cli.ts';
import { describeCode, describeCommand, describeMachine, missingTool, splitCpus, withScratch } from './machine.ts';
import { clockTicksPerSecond } from './proc-usage.ts';
import { formatMarkdown, formatTable, type RunMeta } from './report.ts';
import { runCase, type CaseContext, type CaseResult } from './run-case.ts';
import { ensureSourceFile, FANOUT_SOURCE } from './source-file.ts';

/** Runs the benchmark with `runnel bench` arguments; resolves to the exit code. */
export async function runBench(argv: readonly string[]): Promise<number> {
  if (argv[0] === 'hls') return runHlsBench(argv.slice(1), argv);
  if (argv[0] === 'srt') return runSrtBench(argv.slice(1), argv);
  if (argv[0] === 'rtc') return runRtcBench(argv.slice(1), argv);
  let options: BenchOptions;
  try {
    const parsed = parseBenchArgs(argv);
    if (parsed.help) {
      process.stdout.write(BENCH_HELP);
      return 0;
    }
    options = parsed.options;
  } catch (e) {
    process.stderr.write(`runnel bench: ${(e as Error).message}\nrunnel bench --help lists the flags.\n`);
    return 2;
  }
  const tool = missingTool();
  if (tool !== undefined) {
    process.stderr.write(`runnel bench: ${tool} is not installed (Debian: apt-get install ffmpeg)\n`);
    return 2;
  }

  const log = (line: string): void => void process.stderr.write(`${line}\n`);
  const registry = new ChildRegistry(options.pin);
  const { serverCpus, otherCpus, notPinned } = splitCpus(registry, options.pin);
  if (notPinned !== undefined) log(`runnel bench: not pinning (${notPinned}): the server shares CPUs with the load`);
  warnFileLimit(options, log);

  return withScratch(registry, log, async (workDir) => {
    log('runnel bench: encoding the source (once, cached)');
    const source = await ensureSourceFile(options.cacheDir);
    log(`runnel bench: source ${source.kbps} kbit/s, ${source.seconds.toFixed(1)} s, looped`);
    const ctx: CaseContext = { options, source, registry, workDir, serverCpus, otherCpus, ticksPerSecond: clockTicksPerSecond(), log };
    const results: CaseResult[] = [];
    for (const players of options.players) {
      for (const protocol of options.protocols) {
        for (const style of options.styles) {
          for (const server of options.servers) {
            log(`runnel bench: ${server} ${protocol} ${style} N=${players}`);
            const r = await runCase({ server, protocol, style, players }, ctx);
            results.push(r);
            log(r.failure ?? `  cpu ${r.cpuPercent.toFixed(1)} %, rss ${r.rssMiB.toFixed(0)} MiB, keep up ${r.lag.keepingUp}/${players}, max lag ${(r.lag.maxLagMs / 1000).toFixed(1)} s, generator cpu ${r.generatorCpuPercent.toFixed(0)} %, other ${r.otherCpuPercent.toFixed(0)} %`);
          }
        }
      }
    }
    process.stdout.write(formatTable(results));
    if (options.markdownFile !== undefined) {
      const meta: RunMeta = {
        command: describeCommand(argv),
        date: new Date().toISOString().slice(0, 10),
        machine: describeMachine(),
        node: process.version,
        code: describeCode(),
        source: FANOUT_SOURCE.describe(source.kbps),
        pinning: serverCpus !== undefined ? `server under test alone on CPU ${serverCpus}; ffmpeg and ${options.generators} load generator process${options.generators === 1 ? '' : 'es'} on CPU ${otherCpus} (taskset)` : 'not pinned',
        window: `ramp ${options.rampPerSecond}/s, warm-up ${options.warmupMs / 1000} s, measured ${options.durationMs / 1000} s; keeps up = lag < ${options.lagThresholdMs / 1000} s; real players pause ${options.pauseMs} ms between reads`,
      };
      writeFileSync(options.markdownFile, formatMarkdown(results, meta));
      log(`runnel bench: markdown written to ${options.markdownFile}`);
    }
    return results.some((r) => r.failure !== undefined) ? 1 : 0;
  });
}

/** Every player is a socket in the server; a low `ulimit -n` fails connections, which would read as a server fault. */
function warnFileLimit(options: BenchOptions, log: (line: string) => void): void {
  let limit: number;
  try {
    const m = /^Max open files\s+(\d+)/m.exec(readFileSync('/proc/self/limits', 'utf8'));
    if (!m) return;
    limit = Number(m[1]);
  } catch {
    return;
  }
  const most = Math.max(...options.players);
  if (most + 256 > limit) log(`runnel bench: warning: ulimit -n is ${limit}, below the ${most} players asked for; raise it (ulimit -n ${most * 2 + 1024})`);
}
