// `runnel bench hls`: the HLS segmenting benchmark of issue 3. The edge of
// it: flags, the machine, the order of the cases and the search, printing;
// hls-case.ts runs one case, hls-report.ts formats.
import { writeFileSync } from 'node:fs';
import { ChildRegistry } from './children.ts';
import { runHlsCase, type HlsCaseContext, type HlsCaseResult, type HlsCaseSpec } from './hls-case.ts';
import { HLS_BENCH_HELP, parseHlsBenchArgs, type HlsBenchOptions, type HlsStorage } from './hls-options.ts';
import { formatHlsMarkdown, formatHlsTable, summarizeStorage, type HlsRunMeta } from './hls-report.ts';
import { MAX_SEARCH_STEPS, nextSearchK } from './k-search.ts';
import { OTHER_LOAD_NOISY_PERCENT } from './report.ts';
import { describeCode, describeCommand, describeMachine, missingTool, splitCpus, withScratch } from './machine.ts';
import { clockTicksPerSecond } from './proc-usage.ts';
import { ensureSourceFile, HLS_SOURCE } from './source-file.ts';

/** Runs `runnel bench hls` with its arguments (after "hls"); `fullArgv` is recorded as the command. Resolves to the exit code. */
export async function runHlsBench(argv: readonly string[], fullArgv: readonly string[]): Promise<number> {
  let options: HlsBenchOptions;
  try {
    const parsed = parseHlsBenchArgs(argv);
    if (parsed.help) {
      process.stdout.write(HLS_BENCH_HELP);
      return 0;
    }
    options = parsed.options;
  } catch (e) {
    process.stderr.write(`runnel bench hls: ${(e as Error).message}\nrunnel bench hls --help lists the flags.\n`);
    return 2;
  }
  const tool = missingTool();
  if (tool !== undefined) {
    process.stderr.write(`runnel bench hls: ${tool} is not installed (Debian: apt-get install ffmpeg)\n`);
    return 2;
  }

  const log = (line: string): void => void process.stderr.write(`${line}\n`);
  const registry = new ChildRegistry(options.pin);
  const { serverCpus, otherCpus, otherCount, notPinned } = splitCpus(registry, options.pin);
  if (notPinned !== undefined) log(`runnel bench hls: not pinning (${notPinned}): the node shares CPUs with the publishers`);

  return withScratch(registry, log, async (workDir) => {
    log('runnel bench hls: encoding the source (once, cached)');
    const source = await ensureSourceFile(options.cacheDir, HLS_SOURCE);
    log(`runnel bench hls: source ${source.kbps} kbit/s, ${source.seconds.toFixed(1)} s, looped`);
    const ctx: HlsCaseContext = { options, source, registry, workDir, serverCpus, otherCpus, ticksPerSecond: clockTicksPerSecond(), log };
    const results: HlsCaseResult[] = [];
    const run = async (spec: HlsCaseSpec): Promise<HlsCaseResult> => {
      log(`runnel bench hls: ${spec.storage} K=${spec.streams}`);
      const r = await runHlsCase(spec, ctx);
      results.push(r);
      log(r.failure ?? `  cpu ${r.cpuPercent.toFixed(1)} % (${(r.cpuPercent / r.streams).toFixed(2)} %/stream), rss ${r.rssMiB.toFixed(0)} MiB, real time ${r.realTimeStreams}/${r.streams}${r.problem ? ` (${r.problem})` : ''}, ingest ${r.ingestMbps.toFixed(1)} Mbit/s, behind ${((r.hls?.worstBehindMs ?? 0) / 1000).toFixed(1)} s, publishers ${r.publisherCpuPercent.toFixed(0)} %, s3rver+bench ${r.harnessCpuPercent.toFixed(0)} %, other ${r.otherCpuPercent.toFixed(0)} %`);
      return r;
    };
    // The baseline first at each K, so a run cut short still has pairs to compare.
    for (const streams of options.streams) {
      for (const storage of options.storages) await run({ storage, streams });
    }
    if (options.findMax) {
      for (const storage of options.storages.filter((s): s is Exclude<HlsStorage, 'none'> => s !== 'none')) {
        await search(storage, options, results, run, log);
      }
      // The baseline at each storage's largest real-time K, for the HLS cost there.
      if (options.storages.includes('none')) {
        for (const storage of options.storages) {
          const k = storage === 'none' ? 0 : summarizeStorage(results, storage).largestRealTime;
          if (k > 0 && !results.some((r) => r.storage === 'none' && r.streams === k)) await run({ storage: 'none', streams: k });
        }
      }
    }
    process.stdout.write(formatHlsTable(sorted(results, options.storages), otherCount));
    if (options.markdownFile !== undefined) {
      const meta: HlsRunMeta = {
        command: describeCommand(fullArgv),
        date: new Date().toISOString().slice(0, 10),
        machine: describeMachine(),
        node: process.version,
        code: describeCode(),
        source: HLS_SOURCE.describe(source.kbps),
        pinning: serverCpus !== undefined ? `node under test alone on CPU ${serverCpus}; the K ffmpeg publishers and s3rver on CPU ${otherCpus} (taskset)` : 'not pinned',
        window: `hls_fragment ${options.fragmentMs / 1000} s (other HLS settings at their defaults); warm-up ${options.warmupMs / 1000} s after every playlist lists a segment, measured ${options.durationMs / 1000} s; playlists read every 0.5 s; real time = ingest >= 90 % of the source rate, no segment later than ${options.lateThresholdMs / 1000} s behind the media clock, none missing, no discontinuity, durations within 25 % of the fragment, S3 spool empty at the end`,
        loadCpus: otherCount,
      };
      writeFileSync(options.markdownFile, formatHlsMarkdown(sorted(results, options.storages), meta));
      log(`runnel bench hls: markdown written to ${options.markdownFile}`);
    }
    return results.some((r) => r.failure !== undefined) ? 1 : 0;
  });
}

/**
 * Doubling, then bisecting, from the listed K for one storage; a K the list
 * already ran is not run again. A K that is not real time while other
 * processes kept the machine busy is run a second time, and the second run
 * decides (both are in the table).
 */
async function search(
  storage: Exclude<HlsStorage, 'none'>,
  options: HlsBenchOptions,
  results: readonly HlsCaseResult[],
  run: (spec: HlsCaseSpec) => Promise<HlsCaseResult>,
  log: (line: string) => void,
): Promise<void> {
  const tried = new Map(results.filter((r) => r.storage === storage && r.failure === undefined).map((r) => [r.streams, r.realTime]));
  for (let step = 0; step < MAX_SEARCH_STEPS; step++) {
    const k = nextSearchK(tried, options.maxStreams);
    if (k === undefined) return;
    let r = await run({ storage, streams: k });
    // On a shared machine, one window that others kept busy should not end the search: once more.
    if (!r.realTime && r.failure === undefined && r.otherCpuPercent >= OTHER_LOAD_NOISY_PERCENT) {
      log(`  not real time while other processes used ${r.otherCpuPercent.toFixed(0)} % of a core: once more`);
      r = await run({ storage, streams: k });
    }
    // A case that could not run says nothing about K; stop rather than retry it forever.
    if (r.failure !== undefined) return;
    tried.set(k, r.realTime);
  }
}

/** Rows by K, then by storage in the order asked (the baseline next to the HLS runs it is compared with). */
function sorted(results: readonly HlsCaseResult[], storages: readonly HlsStorage[]): HlsCaseResult[] {
  return [...results].sort((a, b) => a.streams - b.streams || storages.indexOf(a.storage) - storages.indexOf(b.storage));
}
