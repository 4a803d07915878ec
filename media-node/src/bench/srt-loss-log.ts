/**
 * What an SRT publisher's receiver lost, from the node's `srt_publish_stats`
 * lines (server/srt/srt-publisher.ts logs one when a publisher ends with lost
 * or dropped packets, TS continuity errors or dropped PES; text log format
 * `<ISO time> INFO  srt_publish_stats stream=... key=value ...`).
 */
export interface SrtLossTotals {
  /** Publishers that logged anything. */
  readonly streams: number;
  /** Packets reported lost (gaps; retransmission may have filled them). */
  readonly lostPackets: number;
  /** Packets given up on (too late): media the node never got. */
  readonly droppedPackets: number;
  readonly continuityErrors: number;
  readonly droppedPes: number;
}

const STATS_LINE = /^\S+ INFO {2}srt_publish_stats (.*)$/;

/** Sums every `srt_publish_stats` line of `lines` (other lines are ignored). */
export function sumSrtLoss(lines: readonly string[]): SrtLossTotals {
  let streams = 0;
  let lostPackets = 0;
  let droppedPackets = 0;
  let continuityErrors = 0;
  let droppedPes = 0;
  for (const line of lines) {
    const m = STATS_LINE.exec(line);
    if (!m) continue;
    const fields = m[1]!;
    const num = (key: string): number => Number(new RegExp(`(?:^| )${key}=(\\d+)`).exec(fields)?.[1] ?? 0);
    streams++;
    lostPackets += num('lost_packets');
    droppedPackets += num('dropped_packets');
    continuityErrors += num('continuity_errors');
    droppedPes += num('dropped_pes');
  }
  return { streams, lostPackets, droppedPackets, continuityErrors, droppedPes };
}

/** Whether the node received everything: nothing dropped, no hole in the TS. Lost-then-retransmitted packets are not a loss of media. */
export function lostMedia(t: SrtLossTotals): boolean {
  return t.droppedPackets + t.continuityErrors + t.droppedPes > 0;
}
