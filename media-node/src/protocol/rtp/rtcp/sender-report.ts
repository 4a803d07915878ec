import { ProtocolError } from '@runnel/shared';
import { REPORT_BLOCK_BYTES, decodeReportBlocks, writeReportBlocks } from './report-block.ts';
import type { ReportBlock } from './report-block.ts';

/** RTCP packet type of a sender report (RFC 3550 12.1). */
export const RTCP_SR = 200;

/**
 * RFC 3550 6.4.1 Sender Report. The NTP timestamp is kept as its two 32-bit
 * halves (no bigint on the hot path); it is what maps this sender's RTP clock
 * to wall time for A/V sync. Profile-specific extensions after the report
 * blocks are ignored.
 */
export interface RtcpSenderReport {
  readonly type: 'sr';
  readonly ssrc: number;
  readonly ntpSeconds: number;
  readonly ntpFraction: number;
  readonly rtpTimestamp: number;
  readonly packetCount: number;
  readonly octetCount: number;
  readonly reports: readonly ReportBlock[];
}

/** Sender info: SSRC + NTP (8) + RTP timestamp + packet and octet counts. */
const SR_FIXED_BYTES = 24;

export function decodeSenderReport(count: number, body: Uint8Array): RtcpSenderReport {
  if (body.length < SR_FIXED_BYTES) throw new ProtocolError('rtcp_truncated', `SR body of ${body.length} bytes`);
  const v = new DataView(body.buffer, body.byteOffset, body.byteLength);
  return {
    type: 'sr',
    ssrc: v.getUint32(0),
    ntpSeconds: v.getUint32(4),
    ntpFraction: v.getUint32(8),
    rtpTimestamp: v.getUint32(12),
    packetCount: v.getUint32(16),
    octetCount: v.getUint32(20),
    reports: decodeReportBlocks(v, SR_FIXED_BYTES, count),
  };
}

/** The SR body and its report count; the compound encoder writes the header. */
export function encodeSenderReport(p: RtcpSenderReport): [number, Uint8Array] {
  const body = new Uint8Array(SR_FIXED_BYTES + p.reports.length * REPORT_BLOCK_BYTES);
  const v = new DataView(body.buffer);
  v.setUint32(0, p.ssrc >>> 0);
  v.setUint32(4, p.ntpSeconds >>> 0);
  v.setUint32(8, p.ntpFraction >>> 0);
  v.setUint32(12, p.rtpTimestamp >>> 0);
  v.setUint32(16, p.packetCount >>> 0);
  v.setUint32(20, p.octetCount >>> 0);
  writeReportBlocks(v, SR_FIXED_BYTES, p.reports);
  return [p.reports.length, body];
}
