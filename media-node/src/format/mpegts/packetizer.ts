import { TS_PACKET_SIZE, TS_PAYLOAD_SIZE, TS_SYNC_BYTE } from './constants.ts';
import { wrap33 } from './timestamp.ts';

/**
 * Splits PES packets and PSI sections into 188-byte transport packets
 * (ISO/IEC 13818-1 2.4.3.2-5) with one continuity counter per PID. The
 * output of one call is one contiguous buffer: the ES bytes are copied
 * exactly once, straight into their packets.
 */
export class Packetizer {
  private readonly cc = new Map<number, number>();

  private nextCc(pid: number): number {
    const c = this.cc.get(pid) ?? 0;
    this.cc.set(pid, (c + 1) & 0x0f);
    return c;
  }

  /**
   * A PES as packets: `parts` (PES header first, then ES data in pieces) are
   * laid out back to back. The first packet may carry an adaptation field
   * with random_access_indicator and a PCR (base `pcr` in 90 kHz, extension
   * 0); the last is padded with adaptation-field stuffing (2.4.3.5: the only
   * stuffing allowed in PES-carrying packets).
   */
  pes(pid: number, parts: readonly Uint8Array[], opts: { pcr?: number; randomAccess?: boolean } = {}): Uint8Array {
    const total = parts.reduce((n, p) => n + p.length, 0);
    if (total === 0) return new Uint8Array(0); // nothing to carry; a payload-less packet would not count (2.4.3.3)
    const firstAf = opts.pcr !== undefined ? 8 : opts.randomAccess ? 2 : 0; // length + flags (+ 6 PCR bytes)
    const firstRoom = TS_PAYLOAD_SIZE - firstAf;
    const count = total <= firstRoom ? 1 : 1 + Math.ceil((total - firstRoom) / TS_PAYLOAD_SIZE);
    const out = new Uint8Array(count * TS_PACKET_SIZE);
    let part = 0;
    let partOff = 0;
    let left = total;
    for (let i = 0; i < count; i++) {
      const p = out.subarray(i * TS_PACKET_SIZE, (i + 1) * TS_PACKET_SIZE);
      const first = i === 0;
      let af = first ? firstAf : 0;
      const room = TS_PAYLOAD_SIZE - af;
      const take = Math.min(room, left);
      af += room - take; // stuffing
      writeHeader(p, pid, first, af > 0, this.nextCc(pid));
      if (af > 0) {
        p[4] = af - 1; // adaptation_field_length
        if (af > 1) {
          let flags = 0;
          if (first && opts.randomAccess) flags |= 0x40;
          if (first && opts.pcr !== undefined) flags |= 0x10;
          p[5] = flags;
          let q = 6;
          if (flags & 0x10) {
            writePcr(p, 6, opts.pcr!);
            q = 12;
          }
          p.fill(0xff, q, 4 + af);
        }
      }
      // copy `take` bytes of the parts into the payload
      let dst = 4 + af;
      let need = take;
      while (need > 0) {
        const src = parts[part]!;
        const n = Math.min(need, src.length - partOff);
        p.set(src.subarray(partOff, partOff + n), dst);
        dst += n;
        need -= n;
        partOff += n;
        if (partOff === src.length) {
          part++;
          partOff = 0;
        }
      }
      left -= take;
    }
    return out;
  }

  /** A PSI section as packets: pointer_field 0, the section, then 0xFF filler (2.4.4.1-2). */
  section(pid: number, section: Uint8Array): Uint8Array {
    const total = 1 + section.length;
    const count = Math.ceil(total / TS_PAYLOAD_SIZE);
    const out = new Uint8Array(count * TS_PACKET_SIZE).fill(0xff);
    let src = 0;
    for (let i = 0; i < count; i++) {
      const p = out.subarray(i * TS_PACKET_SIZE, (i + 1) * TS_PACKET_SIZE);
      writeHeader(p, pid, i === 0, false, this.nextCc(pid));
      let dst = 4;
      if (i === 0) p[dst++] = 0; // pointer_field: the section starts right here
      const n = Math.min(section.length - src, TS_PACKET_SIZE - dst);
      p.set(section.subarray(src, src + n), dst);
      src += n;
    }
    return out;
  }
}

function writeHeader(p: Uint8Array, pid: number, start: boolean, adaptation: boolean, cc: number): void {
  p[0] = TS_SYNC_BYTE;
  p[1] = (start ? 0x40 : 0) | (pid >> 8);
  p[2] = pid & 0xff;
  p[3] = (adaptation ? 0x30 : 0x10) | cc; // not scrambled; payload always present
}

/** 2.4.3.5 program_clock_reference: 33-bit base (90 kHz), 6 reserved '1' bits, 9-bit extension (0). */
function writePcr(p: Uint8Array, off: number, base90k: number): void {
  const base = wrap33(base90k);
  p[off] = Math.floor(base / 2 ** 25);
  p[off + 1] = Math.floor(base / 2 ** 17) & 0xff;
  p[off + 2] = Math.floor(base / 2 ** 9) & 0xff;
  p[off + 3] = Math.floor(base / 2) & 0xff;
  p[off + 4] = ((base & 1) << 7) | 0x7e;
  p[off + 5] = 0;
}
