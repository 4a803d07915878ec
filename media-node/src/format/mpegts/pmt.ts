import { ByteReader, ProtocolError } from '@runnel/shared';
import { TABLE_ID_PMT } from './constants.ts';
import { decodePsiSection, encodePsiSection } from './psi-section.ts';

/** Program Map Table (ISO/IEC 13818-1 2.4.4.8, Table 2-33). */
export interface Descriptor {
  readonly tag: number;
  readonly data: Uint8Array;
}

export interface PmtStream {
  readonly streamType: number;
  readonly pid: number;
  readonly descriptors: readonly Descriptor[];
}

export interface Pmt {
  readonly programNumber: number;
  readonly version: number;
  readonly pcrPid: number;
  readonly programDescriptors: readonly Descriptor[];
  readonly streams: readonly PmtStream[];
}

/** 2.6.8 registration_descriptor: tag 5, a 32-bit format_identifier (e.g. 'Opus'). */
export const DESCRIPTOR_REGISTRATION = 0x05;
/** DVB extension_descriptor (ETSI EN 300 468 6.2.16): tag 0x7F, descriptor_tag_extension first; Opus uses extension 0x80. */
export const DESCRIPTOR_EXTENSION = 0x7f;

function readDescriptors(r: ByteReader, length: number): Descriptor[] {
  const inner = new ByteReader(r.bytes(length, 'descriptor loop'));
  const out: Descriptor[] = [];
  while (inner.remaining > 0) {
    const tag = inner.u8();
    out.push({ tag, data: inner.bytes(inner.u8(), 'descriptor') });
  }
  return out;
}

export function decodePmt(section: Uint8Array): Pmt {
  const s = decodePsiSection(section);
  if (s.tableId !== TABLE_ID_PMT) throw new ProtocolError('ts_bad_section', `table_id ${s.tableId} where a PMT was expected`);
  const r = new ByteReader(s.body);
  const pcrPid = r.u16() & 0x1fff;
  const programDescriptors = readDescriptors(r, r.u16() & 0x0fff);
  const streams: PmtStream[] = [];
  while (r.remaining > 0) {
    const streamType = r.u8();
    const pid = r.u16() & 0x1fff;
    streams.push({ streamType, pid, descriptors: readDescriptors(r, r.u16() & 0x0fff) });
  }
  return { programNumber: s.tableIdExtension, version: s.version, pcrPid, programDescriptors, streams };
}

function descriptorBytes(ds: readonly Descriptor[]): number {
  return ds.reduce((n, d) => n + 2 + d.data.length, 0);
}

function writeDescriptors(out: Uint8Array, off: number, ds: readonly Descriptor[]): number {
  for (const d of ds) {
    if (d.data.length > 0xff) throw new ProtocolError('ts_bad_descriptor', `descriptor ${d.tag} longer than 255 bytes`);
    out[off++] = d.tag;
    out[off++] = d.data.length;
    out.set(d.data, off);
    off += d.data.length;
  }
  return off;
}

export function encodePmt(pmt: Pmt): Uint8Array {
  const size = 4 + descriptorBytes(pmt.programDescriptors) + pmt.streams.reduce((n, st) => n + 5 + descriptorBytes(st.descriptors), 0);
  const body = new Uint8Array(size);
  const progLen = descriptorBytes(pmt.programDescriptors);
  body[0] = 0xe0 | (pmt.pcrPid >> 8);
  body[1] = pmt.pcrPid & 0xff;
  body[2] = 0xf0 | (progLen >> 8);
  body[3] = progLen & 0xff;
  let off = writeDescriptors(body, 4, pmt.programDescriptors);
  for (const st of pmt.streams) {
    const esLen = descriptorBytes(st.descriptors);
    body[off++] = st.streamType;
    body[off++] = 0xe0 | (st.pid >> 8);
    body[off++] = st.pid & 0xff;
    body[off++] = 0xf0 | (esLen >> 8);
    body[off++] = esLen & 0xff;
    off = writeDescriptors(body, off, st.descriptors);
  }
  return encodePsiSection({ tableId: TABLE_ID_PMT, tableIdExtension: pmt.programNumber, version: pmt.version, body });
}
