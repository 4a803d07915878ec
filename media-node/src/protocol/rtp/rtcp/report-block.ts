import { ProtocolError } from '@runnel/shared';

/** RFC 3550 6.4.1: a reception report block is 24 bytes. */
export const REPORT_BLOCK_BYTES = 24;

/** One reception report block (RFC 3550 6.4.1), shared by SR and RR. */
export interface ReportBlock {
  readonly ssrc: number;
  /** Fraction of packets lost since the last report, as a fixed-point number over 256. */
  readonly fractionLost: number;
  /** Cumulative packets lost: a signed 24-bit number (duplicates can make it negative). */
  readonly cumulativeLost: number;
  /** Extended highest sequence number received (cycles << 16 | highest). */
  readonly highestSequence: number;
  readonly jitter: number;
  /** Middle 32 bits of the NTP timestamp of the last SR received (LSR). */
  readonly lastSr: number;
  /** Delay since that SR in 1/65536 s (DLSR). */
  readonly delaySinceLastSr: number;
}

/** Decodes `count` report blocks at `pos` of `body`; the caller has checked the length. */
export function decodeReportBlocks(v: DataView, pos: number, count: number): ReportBlock[] {
  if (pos + count * REPORT_BLOCK_BYTES > v.byteLength) {
    throw new ProtocolError('rtcp_truncated', `${count} report blocks in ${v.byteLength - pos} bytes`);
  }
  const out: ReportBlock[] = [];
  for (let i = 0; i < count; i++, pos += REPORT_BLOCK_BYTES) {
    const lost = v.getUint32(pos + 4) & 0xffffff;
    out.push({
      ssrc: v.getUint32(pos),
      fractionLost: v.getUint8(pos + 4),
      cumulativeLost: lost & 0x800000 ? lost - 0x1000000 : lost,
      highestSequence: v.getUint32(pos + 8),
      jitter: v.getUint32(pos + 12),
      lastSr: v.getUint32(pos + 16),
      delaySinceLastSr: v.getUint32(pos + 20),
    });
  }
  return out;
}

/** Writes report blocks at `pos`; at most 31 fit one packet (the RC field is 5 bits). */
export function writeReportBlocks(v: DataView, pos: number, blocks: readonly ReportBlock[]): void {
  if (blocks.length > 31) throw new ProtocolError('rtcp_count', `${blocks.length} report blocks (0..31)`);
  for (const b of blocks) {
    if (b.cumulativeLost < -0x800000 || b.cumulativeLost > 0x7fffff) {
      throw new ProtocolError('rtcp_field_range', `cumulative lost ${b.cumulativeLost} is not a signed 24-bit number`);
    }
    v.setUint32(pos, b.ssrc >>> 0);
    v.setUint32(pos + 4, ((b.fractionLost & 0xff) << 24 | (b.cumulativeLost & 0xffffff)) >>> 0);
    v.setUint32(pos + 8, b.highestSequence >>> 0);
    v.setUint32(pos + 12, b.jitter >>> 0);
    v.setUint32(pos + 16, b.lastSr >>> 0);
    v.setUint32(pos + 20, b.delaySinceLastSr >>> 0);
    pos += REPORT_BLOCK_BYTES;
  }
}
