import { createSocket } from 'node:dgram';
import { NODE_LOG_KEEP } from './node-log.ts';
import type { BenchRunContext } from './run-case.ts';
import { startServer, type ServerUnderTest } from './servers.ts';
import type { SrtBenchOptions } from './srt-options.ts';

/** What every case of `runnel bench srt` needs from the run. */
export interface SrtCaseContext extends BenchRunContext {
  readonly options: SrtBenchOptions;
}

export interface SrtNodeUnderTest extends ServerUnderTest {
  /** The node's SRT listener (UDP, loopback). */
  readonly srtPort: number;
}

/**
 * Node output lines kept for the report: NODE_LOG_KEEP (warnings, errors,
 * unpublish reasons) plus `srt_publish_stats`, which an SRT publisher's end
 * logs when its receiver lost or dropped packets or its TS had holes
 * (server/srt/srt-publisher.ts).
 */
export const SRT_NODE_LOG_KEEP = new RegExp(`${NODE_LOG_KEEP.source}|^\\S+ INFO {2}srt_publish_stats `);

/** A UDP port that was free a moment ago (the OS picks it). */
export function freeUdpPort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createSocket('udp4');
    s.once('error', reject);
    s.bind(0, '127.0.0.1', () => {
      const port = s.address().port;
      s.close(() => resolve(port));
    });
  });
}

/**
 * The Runnel node under test, through its CLI as the other benches start it
 * (loopback, data in the case's directory, HLS off), with SRT on at a free
 * UDP port; every SRT setting at its default (SRS's: latency 120 ms).
 */
export async function startSrtNode(ctx: SrtCaseContext, workDir: string): Promise<SrtNodeUnderTest> {
  const srtPort = await freeUdpPort();
  const server = await startServer('runnel', {
    registry: ctx.registry,
    workDir,
    cpus: ctx.serverCpus,
    runnelConfig: { listen: { host: '127.0.0.1', srt: srtPort }, srt: { enabled: true } },
    keepLines: SRT_NODE_LOG_KEEP,
  });
  return { ...server, srtPort };
}
