import { ProtocolError } from '@runnel/shared';
import { REPORT_BLOCK_BYTES, decodeReportBlocks, writeReportBlocks } from './report-block.ts';
import type { ReportBlock } from './report-block.ts';

/** RTCP packet type of a receiver report (RFC 3550 12.1). */
export const RTCP_RR = 201;

/** RFC 3550 6.4.2 Receiver Report; profile-specific extensions are ignored. */
export interface RtcpReceiverReport {
  readonly type: 'rr';
  readonly ssrc: number;
  readonly reports: readonly ReportBlock[];
}

export function decodeReceiverReport(count: number, body: Uint8Array): RtcpReceiverReport {
  if (body.length < 4) throw new ProtocolError('rtcp_truncated', `RR body of ${body.length} bytes`);
  const v = new DataView(body.buffer, body.byteOffset, body.byteLength);
  return { type: 'rr', ssrc: v.getUint32(0), reports: decodeReportBlocks(v, 4, count) };
}

export function encodeReceiverReport(p: RtcpReceiverReport): [number, Uint8Array] {
  const body = new Uint8Array(4 + p.reports.length * REPORT_BLOCK_BYTES);
  const v = new DataView(body.buffer);
  v.setUint32(0, p.ssrc >>> 0);
  writeReportBlocks(v, 4, p.reports);
  return [p.reports.length, body];
}
