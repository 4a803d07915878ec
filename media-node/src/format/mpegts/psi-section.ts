import { ByteReader, NeedMoreBytes, ProtocolError } from '@runnel/shared';
import { crc32Mpeg2 } from './crc32.ts';

/**
 * The long form of a PSI section (ISO/IEC 13818-1 2.4.4.10-11, Table 2-30
 * and 2-33): table_id, section_syntax_indicator = 1, section_length (12
 * bits), table_id_extension, version_number, current_next_indicator,
 * section_number, last_section_number, body, CRC_32.
 */
export interface PsiSection {
  readonly tableId: number;
  /** transport_stream_id for a PAT, program_number for a PMT. */
  readonly tableIdExtension: number;
  readonly version: number;
  readonly currentNext: boolean;
  readonly sectionNumber: number;
  readonly lastSectionNumber: number;
  /** The table-specific bytes between last_section_number and CRC_32 (a view of the input). */
  readonly body: Uint8Array;
}

/** 2.4.4.11: section_length "shall not exceed 1021" for PAT/PMT, so a section is at most 1024 bytes. */
export const MAX_PSI_SECTION_LENGTH = 1021;
export const MAX_PSI_SECTION_BYTES = 3 + MAX_PSI_SECTION_LENGTH;

/** Fields after section_length (5) plus CRC_32 (4): the smallest valid section_length. */
const MIN_SECTION_LENGTH = 9;

/** Total byte length of the section starting at `b[0]`, from its 3-byte header; throws if it lies. */
export function psiSectionBytes(b: Uint8Array, off = 0): number {
  const r = new ByteReader(b, off);
  r.skip(1, 'PSI header');
  const len = r.u16() & 0x0fff;
  if (len < MIN_SECTION_LENGTH || len > MAX_PSI_SECTION_LENGTH) {
    throw new ProtocolError('ts_bad_section_length', `section_length ${len} outside ${MIN_SECTION_LENGTH}..${MAX_PSI_SECTION_LENGTH}`);
  }
  return 3 + len;
}

/** Decodes one complete section (extra bytes after it are ignored); checks length and CRC. */
export function decodePsiSection(b: Uint8Array): PsiSection {
  const total = psiSectionBytes(b);
  if (total > b.length) throw new NeedMoreBytes('PSI section');
  const r = new ByteReader(b, 0, total);
  if (crc32Mpeg2(b, 0, total) !== 0) throw new ProtocolError('ts_bad_crc', 'PSI section CRC_32 mismatch');
  const tableId = r.u8();
  const flags = r.u16();
  if ((flags & 0x8000) === 0) throw new ProtocolError('ts_bad_section', 'section_syntax_indicator is 0 on a long-form table');
  const tableIdExtension = r.u16();
  const v = r.u8();
  const sectionNumber = r.u8();
  const lastSectionNumber = r.u8();
  const body = r.bytes(total - 8 - 4);
  return { tableId, tableIdExtension, version: (v >> 1) & 0x1f, currentNext: (v & 1) === 1, sectionNumber, lastSectionNumber, body };
}

/** Encodes a single-section table (section 0 of 0, current) with its CRC. */
export function encodePsiSection(s: { tableId: number; tableIdExtension: number; version: number; body: Uint8Array }): Uint8Array {
  const len = 5 + s.body.length + 4;
  if (len > MAX_PSI_SECTION_LENGTH) throw new ProtocolError('ts_bad_section_length', `PSI section of ${len} bytes is too long`);
  const out = new Uint8Array(3 + len);
  out[0] = s.tableId;
  out[1] = 0xb0 | (len >> 8); // syntax indicator 1, '0', reserved '11'
  out[2] = len & 0xff;
  out[3] = s.tableIdExtension >> 8;
  out[4] = s.tableIdExtension & 0xff;
  out[5] = 0xc0 | ((s.version & 0x1f) << 1) | 1; // reserved '11', version, current_next 1
  out[6] = 0;
  out[7] = 0;
  out.set(s.body, 8);
  const crc = crc32Mpeg2(out, 0, out.length - 4);
  new DataView(out.buffer).setUint32(out.length - 4, crc);
  return out;
}
