// `runnel bench rtc`: WHEP players per core (issue 6). The edge of it: flags,
// the machine, the order of the cases, printing; rtc-play-case.ts runs one
// case, rtc-report.ts formats.
import { writeFileSync } from 'node:fs';
import { ChildRegistry } from './children.ts';
import { describeCode, describeCommand, describeMachine, missingTool, splitCpus, withScratch } from './machine.ts';
import { clockTicksPerSecond } from './proc-usage.ts';
import { parseRtcBenchArgs, RTC_BENCH_HELP, type RtcBenchOptions } from './rtc-options.ts';
import { runRtcPlayCase, type RtcCaseContext, type RtcPlayResult, type RtcPlaySpec } from './rtc-play-case.ts';
import { formatRtcMarkdown, formatRtcTable, rtcCaseName, type RtcRunMeta } from './rtc-report.ts';
import { ensureSourceFile, FANOUT_SOURCE } from './source-file.ts';

/** The cases of a run in order: for each N, the WHEP cases (each audio mode, within it each UDP mux mode), then the RTMP twin. */
export function rtcCases(options: RtcBenchOptions): RtcPlaySpec[] {
  const cases: RtcPlaySpec[] = [];
  for (const players of options.players) {
    if (options.protocols.includes('rtc')) {
      for (const audio of options.audio) for (const udpMux of options.udpMux) cases.push({ protocol: 'rtc', audio, udpMux, players });
    }
    if (options.protocols.includes('rtmp')) cases.push({ protocol: 'rtmp', audio: 'off', udpMux: 'on', players });
  }
  return cases;
}


/** Runs `runnel bench rtc` with its arguments (after "rtc"); `fullArgv` is recorded as the command. Resolves to the exit code. */
export async function runRtcBench(argv: readonly string[], fullArgv: readonly string[]): Promise<number> {
  let options: RtcBenchOptions;
  try {
    const parsed = parseRtcBenchArgs(argv);
    if (parsed.help) {
      process.stdout.write(RTC_BENCH_HELP);
      return 0;
    }
    options = parsed.options;
  } catch (e) {
    process.stderr.write(`runnel bench rtc: ${(e as Error).message}\nrunnel bench rtc --help lists the flags.\n`);
    return 2;
  }
  const tool = missingTool();
  if (tool !== undefined) {
    process.stderr.write(`runnel bench rtc: ${tool} is not installed (Debian: apt-get install ffmpeg)\n`);
    return 2;
  }

  const log = (line: string): void => void process.stderr.write(`${line}\n`);
  const registry = new ChildRegistry(options.pin);
  const { serverCpus, otherCpus, notPinned } = splitCpus(registry, options.pin);
  if (notPinned !== undefined) log(`runnel bench rtc: not pinning (${notPinned}): the node shares CPUs with the load`);

  return withScratch(registry, log, async (workDir) => {
    log('runnel bench rtc: encoding the source (once, cached)');
    const source = await ensureSourceFile(options.cacheDir, FANOUT_SOURCE);
    log(`runnel bench rtc: source ${source.kbps} kbit/s, ${source.seconds.toFixed(1)} s, looped`);
    const ctx: RtcCaseContext = { options, registry, workDir, serverCpus, otherCpus, ticksPerSecond: clockTicksPerSecond(), log };
    const results: RtcPlayResult[] = [];
    for (const spec of rtcCases(options)) {
      log(`runnel bench rtc: ${rtcCaseName(spec)}`);
      const r = await runRtcPlayCase(spec, ctx, source);
      results.push(r);
      log(r.failure ?? `  cpu ${r.cpuPercent.toFixed(1)} %, keep up ${r.keepingUp}/${r.players}, ${r.meanMbps.toFixed(3)} Mbit/s per player${Number.isFinite(r.meanFps) ? `, ${r.meanFps.toFixed(1)} fps (min ${r.minFps.toFixed(1)}), ${r.meanAudioPps.toFixed(1)} Opus pkt/s` : ''}, gen ${r.generatorCpuPercent.toFixed(0)} %, other ${r.otherCpuPercent.toFixed(0)} %`);
    }
    process.stdout.write(formatRtcTable(results));
    if (options.markdownFile !== undefined) {
      const meta: RtcRunMeta = {
        command: describeCommand(fullArgv),
        date: new Date().toISOString().slice(0, 10),
        machine: describeMachine(),
        node: process.version,
        code: describeCode(),
        source: `${FANOUT_SOURCE.describe(source.kbps)} over RTMP`,
        pinning: serverCpus !== undefined ? `node under test alone on CPU ${serverCpus}; ffmpeg and ${options.generators} load generator process${options.generators === 1 ? '' : 'es'} on CPU ${otherCpus} (taskset)` : 'not pinned',
        window: `warm-up ${options.warmupMs / 1000} s, measured ${options.durationMs / 1000} s; players ramp ${options.rampPerSecond}/s; a WHEP player keeps up = connected and >= 90 % of 25 video frames/s (and of 50 Opus packets/s with audio) in the window; an RTMP player = lag < ${options.lagThresholdMs / 1000} s`,
      };
      writeFileSync(options.markdownFile, formatRtcMarkdown(results, meta));
      log(`runnel bench rtc: markdown written to ${options.markdownFile}`);
    }
    return results.some((r) => r.failure !== undefined) ? 1 : 0;
  });
}
