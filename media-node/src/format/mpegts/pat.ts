import { ByteReader, ProtocolError } from '@runnel/shared';
import { PID_PAT, TABLE_ID_PAT } from './constants.ts';
import { decodePsiSection, encodePsiSection } from './psi-section.ts';

/** Program Association Table (ISO/IEC 13818-1 2.4.4.3, Table 2-30). */
export interface Pat {
  readonly transportStreamId: number;
  readonly version: number;
  /** program_number 0 names the network PID (NIT) and is kept as is. */
  readonly programs: readonly { readonly programNumber: number; readonly pid: number }[];
}

export function decodePat(section: Uint8Array): Pat {
  const s = decodePsiSection(section);
  if (s.tableId !== TABLE_ID_PAT) throw new ProtocolError('ts_bad_section', `table_id ${s.tableId} on PID ${PID_PAT}`);
  if (s.body.length % 4 !== 0) throw new ProtocolError('ts_bad_section', 'PAT loop is not a whole number of 4-byte entries');
  const r = new ByteReader(s.body);
  const programs: { programNumber: number; pid: number }[] = [];
  while (r.remaining > 0) programs.push({ programNumber: r.u16(), pid: r.u16() & 0x1fff });
  return { transportStreamId: s.tableIdExtension, version: s.version, programs };
}

export function encodePat(pat: Pat): Uint8Array {
  const body = new Uint8Array(pat.programs.length * 4);
  pat.programs.forEach((p, i) => {
    body[i * 4] = p.programNumber >> 8;
    body[i * 4 + 1] = p.programNumber & 0xff;
    body[i * 4 + 2] = 0xe0 | (p.pid >> 8); // reserved '111'
    body[i * 4 + 3] = p.pid & 0xff;
  });
  return encodePsiSection({ tableId: TABLE_ID_PAT, tableIdExtension: pat.transportStreamId, version: pat.version, body });
}
