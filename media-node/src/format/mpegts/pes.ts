import { ByteReader, ProtocolError } from '@runnel/shared';
import { wrap33 } from './timestamp.ts';

/**
 * PES packet header (ISO/IEC 13818-1 2.4.3.6-7, Table 2-21): start code
 * prefix 00 00 01, stream_id, PES_packet_length, and for media streams the
 * optional header with PTS/DTS (33-bit, 90 kHz).
 */
export interface PesHeader {
  readonly streamId: number;
  /** PES_packet_length: bytes after this field; 0 = unbounded (video in TS only). */
  readonly packetLength: number;
  readonly pts?: number;
  readonly dts?: number;
  readonly dataAlignment: boolean;
}

export interface Pes extends PesHeader {
  /** The elementary stream bytes (a view of the input). */
  readonly payload: Uint8Array;
}

/** Table 2-22 / 2.4.3.7: these stream_ids have no optional PES header (program_stream_map, padding, private_stream_2, ECM, EMM, directory, DSMCC, H.222.1 type E). */
const NO_OPTIONAL_HEADER = new Set([0xbc, 0xbe, 0xbf, 0xf0, 0xf1, 0xff, 0xf2, 0xf8]);

function readTimestamp(r: ByteReader): number {
  const b0 = r.u8();
  const mid = r.u16();
  const low = r.u16();
  return ((b0 >> 1) & 0x07) * 2 ** 30 + (mid >> 1) * 2 ** 15 + (low >> 1);
}

/** Decodes a complete PES packet; ProtocolError if its lengths lie or it is cut short. */
export function decodePes(b: Uint8Array): Pes {
  const r = new ByteReader(b);
  if (r.u8() !== 0 || r.u8() !== 0 || r.u8() !== 1) throw new ProtocolError('ts_bad_pes', 'PES does not start with 00 00 01');
  const streamId = r.u8();
  const packetLength = r.u16();
  const end = packetLength === 0 ? b.length : 6 + packetLength;
  if (end > b.length) throw new ProtocolError('ts_bad_pes', `PES_packet_length ${packetLength} beyond the ${b.length - 6} bytes received`);
  if (NO_OPTIONAL_HEADER.has(streamId)) {
    return { streamId, packetLength, dataAlignment: false, payload: b.subarray(6, end) };
  }
  const f1 = r.u8();
  if (f1 >> 6 !== 2) throw new ProtocolError('ts_bad_pes', "PES optional header does not start with '10'");
  const f2 = r.u8();
  const headerLength = r.u8();
  const payloadStart = 9 + headerLength;
  if (payloadStart > end) throw new ProtocolError('ts_bad_pes', `PES_header_data_length ${headerLength} beyond the packet`);
  const h = new ByteReader(b, 9, payloadStart);
  const ptsDts = f2 >> 6;
  if (ptsDts === 1) throw new ProtocolError('ts_bad_pes', "PTS_DTS_flags '01' is forbidden");
  const pts = ptsDts >= 2 ? readTimestamp(h) : undefined;
  const dts = ptsDts === 3 ? readTimestamp(h) : undefined;
  return {
    streamId, packetLength, dataAlignment: (f1 & 0x04) !== 0,
    ...(pts !== undefined ? { pts } : {}),
    ...(dts !== undefined ? { dts } : {}),
    payload: b.subarray(payloadStart, end),
  };
}

function writeTimestamp(out: Uint8Array, off: number, prefix: number, ts: number): void {
  const v = wrap33(ts);
  const high = Math.floor(v / 2 ** 30); // bits 32..30
  const mid = Math.floor(v / 2 ** 15) & 0x7fff; // bits 29..15
  const low = v & 0x7fff; // bits 14..0
  out[off] = (prefix << 4) | (high << 1) | 1;
  out[off + 1] = mid >> 7;
  out[off + 2] = ((mid & 0x7f) << 1) | 1;
  out[off + 3] = low >> 7;
  out[off + 4] = ((low & 0x7f) << 1) | 1;
}

/**
 * Encodes the PES header for `payloadLength` bytes of ES data. PTS only when
 * DTS is absent or equal to it (2.4.3.7: no DTS when it equals the PTS).
 * `unbounded` writes PES_packet_length 0, which 2.4.3.7 allows only for
 * video in a transport stream; a payload too long for 16 bits is always
 * unbounded.
 */
export function encodePesHeader(h: { streamId: number; pts: number; dts?: number; payloadLength: number; unbounded?: boolean }): Uint8Array {
  const withDts = h.dts !== undefined && wrap33(h.dts) !== wrap33(h.pts);
  const headerLength = withDts ? 10 : 5;
  const out = new Uint8Array(9 + headerLength);
  const len = 3 + headerLength + h.payloadLength;
  const packetLength = h.unbounded || len > 0xffff ? 0 : len;
  out[2] = 1;
  out[3] = h.streamId;
  out[4] = packetLength >> 8;
  out[5] = packetLength & 0xff;
  out[6] = 0x84; // '10', not scrambled, data_alignment_indicator: every PES starts an access unit
  out[7] = withDts ? 0xc0 : 0x80;
  out[8] = headerLength;
  writeTimestamp(out, 9, withDts ? 3 : 2, h.pts);
  if (withDts) writeTimestamp(out, 14, 1, h.dts!);
  return out;
}
