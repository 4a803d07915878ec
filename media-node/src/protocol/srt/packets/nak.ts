import { ByteReader, ProtocolError } from '@runnel/shared';
import { seqDiff } from '../seq.ts';
import { CONTROL_TYPE, encodeControl, expectType, readControlHeader, type ControlFields } from './control-header.ts';

/** An inclusive range of lost sequence numbers (`from === to` for one packet). */
export interface LossRange {
  readonly from: number;
  readonly to: number;
}

/**
 * NAK, the loss report (draft-sharabayko-srt 3.2.5, Appendix A): a list of
 * sequence numbers; one with the top bit set starts a range whose last number
 * follows it. Ranges must run forwards.
 */
export interface Nak extends ControlFields {
  readonly kind: 'nak';
  readonly losses: readonly LossRange[];
}

export function decodeNak(datagram: Uint8Array): Nak {
  const r = new ByteReader(datagram);
  const h = readControlHeader(r);
  expectType(h, CONTROL_TYPE.nak, 'NAK');
  if (r.remaining === 0 || r.remaining % 4 !== 0) throw new ProtocolError('srt_nak_length', `NAK CIF of ${r.remaining} bytes`);
  const losses: LossRange[] = [];
  while (r.remaining > 0) {
    const first = r.u32();
    if ((first & 0x80000000) === 0) {
      losses.push({ from: first, to: first });
      continue;
    }
    if (r.remaining === 0) throw new ProtocolError('srt_nak_range', 'NAK range without its last sequence');
    const from = first & 0x7fffffff;
    const to = r.u32();
    if (to & 0x80000000 || seqDiff(from, to) < 0) throw new ProtocolError('srt_nak_range', `NAK range ${from}..${to}`);
    losses.push({ from, to });
  }
  return { kind: 'nak', losses, timestamp: h.timestamp, destSocketId: h.destSocketId };
}

export function encodeNak(p: Omit<Nak, 'kind'>): Uint8Array {
  const words: number[] = [];
  for (const l of p.losses) {
    if (l.from === l.to) words.push(l.from);
    else words.push((l.from | 0x80000000) >>> 0, l.to);
  }
  const cif = new Uint8Array(words.length * 4);
  const v = new DataView(cif.buffer);
  words.forEach((w, i) => v.setUint32(i * 4, w));
  return encodeControl(CONTROL_TYPE.nak, 0, 0, p, cif);
}
