// `runnel bench srt`: the SRT benchmark of issue 5. The edge of it: flags,
// the machine, the order of the cases, printing; srt-publish-case.ts and
// srt-play-case.ts run one case each, srt-report.ts formats.
import { writeFileSync } from 'node:fs';
import { ChildRegistry } from './children.ts';
import { describeCode, describeCommand, describeMachine, missingTool, splitCpus, withScratch } from './machine.ts';
import { clockTicksPerSecond } from './proc-usage.ts';
import { FANOUT_SOURCE } from './source-file.ts';
import type { SrtCaseContext } from './srt-node.ts';
import { parseSrtBenchArgs, SRT_BENCH_HELP, type SrtBenchOptions } from './srt-options.ts';
import { runSrtPlayCase, type SrtPlayResult } from './srt-play-case.ts';
import { runSrtPublishCase, type SrtPublishResult } from './srt-publish-case.ts';
import { formatSrtMarkdown, formatSrtTable, type SrtRunMeta } from './srt-report.ts';
import { ensureSrtSources, SRT_PUBLISH_SOURCE } from './srt-source.ts';

/** Runs `runnel bench srt` with its arguments (after "srt"); `fullArgv` is recorded as the command. Resolves to the exit code. */
export async function runSrtBench(argv: readonly string[], fullArgv: readonly string[]): Promise<number> {
  let options: SrtBenchOptions;
  try {
    const parsed = parseSrtBenchArgs(argv);
    if (parsed.help) {
      process.stdout.write(SRT_BENCH_HELP);
      return 0;
    }
    options = parsed.options;
  } catch (e) {
    process.stderr.write(`runnel bench srt: ${(e as Error).message}\nrunnel bench srt --help lists the flags.\n`);
    return 2;
  }
  const tool = missingTool();
  if (tool !== undefined) {
    process.stderr.write(`runnel bench srt: ${tool} is not installed (Debian: apt-get install ffmpeg)\n`);
    return 2;
  }

  const log = (line: string): void => void process.stderr.write(`${line}\n`);
  const registry = new ChildRegistry(options.pin);
  const { serverCpus, otherCpus, notPinned } = splitCpus(registry, options.pin);
  if (notPinned !== undefined) log(`runnel bench srt: not pinning (${notPinned}): the node shares CPUs with the load`);

  return withScratch(registry, log, async (workDir) => {
    log('runnel bench srt: encoding the sources (once, cached)');
    const publishSources = await ensureSrtSources(options.cacheDir, SRT_PUBLISH_SOURCE);
    const playSources = await ensureSrtSources(options.cacheDir, FANOUT_SOURCE);
    log(`runnel bench srt: publish source ${publishSources.flv.kbps} kbit/s as FLV, ${publishSources.ts.kbps} kbit/s as TS; play source ${playSources.flv.kbps} / ${playSources.ts.kbps} kbit/s`);
    const ctx: SrtCaseContext = { options, registry, workDir, serverCpus, otherCpus, ticksPerSecond: clockTicksPerSecond(), log };
    const publish: SrtPublishResult[] = [];
    const play: SrtPlayResult[] = [];
    if (options.parts.includes('publish')) {
      for (const streams of options.streams) {
        for (const protocol of options.protocols) {
          log(`runnel bench srt: publish ${protocol} K=${streams}`);
          const r = await runSrtPublishCase({ protocol, streams }, ctx, publishSources);
          publish.push(r);
          log(r.failure ?? `  cpu ${r.cpuPercent.toFixed(1)} % (${(r.cpuPercent / streams).toFixed(2)} %/stream), kept up ${r.keptUp ? 'yes' : 'no'}${r.problem ? ` (${r.problem})` : ''}, ingest ${r.ingestMbps.toFixed(1)} Mbit/s${r.loss ? `, lost/dropped ${r.loss.lostPackets}/${r.loss.droppedPackets}` : ''}, publishers ${r.publisherCpuPercent.toFixed(0)} %, other ${r.otherCpuPercent.toFixed(0)} %`);
        }
      }
    }
    if (options.parts.includes('play')) {
      for (const players of options.players) {
        for (const protocol of options.protocols) {
          log(`runnel bench srt: play ${protocol} N=${players}`);
          const r = await runSrtPlayCase({ protocol, players }, ctx, playSources);
          play.push(r);
          log(r.failure ?? `  cpu ${r.cpuPercent.toFixed(1)} %, keep up ${r.keepingUp}/${players}, ${r.meanMbps.toFixed(3)} Mbit/s per player (stream ${r.expectedMbps.toFixed(3)}), gen ${r.generatorCpuPercent.toFixed(0)} %, other ${r.otherCpuPercent.toFixed(0)} %`);
        }
      }
    }
    process.stdout.write(formatSrtTable(publish, play));
    if (options.markdownFile !== undefined) {
      const meta: SrtRunMeta = {
        command: describeCommand(fullArgv),
        date: new Date().toISOString().slice(0, 10),
        machine: describeMachine(),
        node: process.version,
        code: describeCode(),
        publishSource: `${SRT_PUBLISH_SOURCE.describe(publishSources.flv.kbps)}; ${publishSources.ts.kbps} kbit/s as MPEG-TS; K ffmpeg publishers -re -stream_loop -1 -c copy (SRT: the TS copy, -f mpegts, libsrt defaults; RTMP: the FLV)`,
        playSource: `${FANOUT_SOURCE.describe(playSources.flv.kbps)} over RTMP; ${playSources.ts.kbps} kbit/s as MPEG-TS`,
        pinning: serverCpus !== undefined ? `node under test alone on CPU ${serverCpus}; ffmpeg and ${options.generators} load generator process${options.generators === 1 ? '' : 'es'} on CPU ${otherCpus} (taskset)` : 'not pinned',
        window: `warm-up ${options.warmupMs / 1000} s, measured ${options.durationMs / 1000} s; players ramp ${options.rampPerSecond}/s; SRT players receive with latency ${options.latencyMs} ms; a stream kept up = ingest >= 90 % of the source rate and (SRT) no packet dropped; an SRT player keeps up = connected, nothing dropped, >= 90 % of the TS rate; an RTMP player = lag < ${options.lagThresholdMs / 1000} s`,
      };
      writeFileSync(options.markdownFile, formatSrtMarkdown(publish, play, meta));
      log(`runnel bench srt: markdown written to ${options.markdownFile}`);
    }
    return [...publish, ...play].some((r) => r.failure !== undefined) ? 1 : 0;
  });
}
