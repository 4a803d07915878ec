import { PID_PAT, PID_PMT, PID_VIDEO, TS_PACKET_SIZE } from '../mpegts/constants.ts';
import type { Pmt } from '../mpegts/pmt.ts';
import { TsDemuxer, type TsDemuxStats, type TsPes } from '../mpegts/ts-demuxer.ts';
import { decodeTsPacket } from '../mpegts/ts-packet.ts';

/**
 * What a test wants to know about a transport stream our muxers wrote: the
 * repo's demuxer's view (PES, PMT changes, error counters) plus packet-level
 * facts a demuxer hides (where PAT/PMT sit relative to keyframes).
 */
export interface TsInspection {
  readonly stats: TsDemuxStats;
  readonly pes: readonly TsPes[];
  readonly video: readonly TsPes[];
  readonly audio: readonly TsPes[];
  /** Every PMT that changed the program, in order. */
  readonly pmts: readonly Pmt[];
  /** Whole 188-byte packets (a trailing partial packet would be a muxer bug). */
  readonly packetCount: number;
  readonly wholePackets: boolean;
  /** The first two packets are PAT then PMT. */
  readonly startsWithTables: boolean;
  /** Video PES starts flagged random_access, and how many of them come right after PAT + PMT. */
  readonly keyframes: number;
  readonly keyframesAfterTables: number;
}

export function inspectTs(bytes: Uint8Array): TsInspection {
  const d = new TsDemuxer();
  const events = [...d.push(bytes), ...d.flush()];
  const pes = events.flatMap((e) => (e.kind === 'pes' ? [e.pes] : []));
  const pids: number[] = [];
  let keyframes = 0;
  let keyframesAfterTables = 0;
  for (let off = 0; off + TS_PACKET_SIZE <= bytes.length; off += TS_PACKET_SIZE) {
    const p = decodeTsPacket(bytes.subarray(off, off + TS_PACKET_SIZE));
    pids.push(p.pid);
    if (p.pid === PID_VIDEO && p.payloadUnitStart && p.adaptation?.randomAccess) {
      keyframes++;
      const n = pids.length;
      if (n >= 3 && pids[n - 3] === PID_PAT && pids[n - 2] === PID_PMT) keyframesAfterTables++;
    }
  }
  return {
    stats: d.stats,
    pes,
    video: pes.filter((p) => p.codec === 'h264' || p.codec === 'hevc'),
    audio: pes.filter((p) => p.codec === 'aac' || p.codec === 'mp3' || p.codec === 'opus'),
    pmts: events.flatMap((e) => (e.kind === 'pmt' ? [e.pmt] : [])),
    packetCount: pids.length,
    wholePackets: bytes.length % TS_PACKET_SIZE === 0,
    startsWithTables: pids[0] === PID_PAT && pids[1] === PID_PMT,
    keyframes,
    keyframesAfterTables,
  };
}
