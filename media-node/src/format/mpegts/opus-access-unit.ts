import { ByteReader, ProtocolError } from '@runnel/shared';

/**
 * Opus in MPEG-2 TS (ETSI TS 102 366-style carriage defined by the Opus
 * project, "Encapsulation of Opus in MPEG-2 Transport Stream" v0.1.3, 6.1):
 * every Opus packet in a PES is preceded by an opus_control_header:
 * control_header_prefix (11 bits, 0x3FF), start_trim_flag, end_trim_flag,
 * control_extension_flag, 2 reserved bits, au_size as a run of 0xFF bytes
 * plus a final byte, then the optional trims and extension.
 */
export interface OpusAccessUnit {
  readonly packet: Uint8Array;
  /** Samples (48 kHz) to drop at the start / end of this unit; 0 when not signalled. */
  readonly startTrim: number;
  readonly endTrim: number;
}

const PREFIX = 0x3ff;

/** The control header for one Opus packet of `size` bytes (no trims, no extension), as FFmpeg writes it. */
export function encodeOpusControlHeader(size: number): Uint8Array {
  const runs = Math.floor(size / 255);
  const out = new Uint8Array(2 + runs + 1);
  out[0] = 0x7f; // 0x3FF << 5 = 0x7FE0
  out[1] = 0xe0;
  out.fill(0xff, 2, 2 + runs);
  out[2 + runs] = size - runs * 255;
  return out;
}

/** Splits a PES payload into its Opus packets (views of the input). */
export function decodeOpusAccessUnits(payload: Uint8Array): OpusAccessUnit[] {
  const r = new ByteReader(payload);
  const out: OpusAccessUnit[] = [];
  while (r.remaining > 0) {
    const h = r.u16();
    if (h >> 5 !== PREFIX) throw new ProtocolError('ts_bad_opus_header', 'Opus control_header_prefix is not 0x3FF');
    let size = 0;
    let b: number;
    do {
      b = r.u8();
      size += b;
    } while (b === 0xff);
    const startTrim = h & 0x10 ? r.u16() & 0x1fff : 0;
    const endTrim = h & 0x08 ? r.u16() & 0x1fff : 0;
    if (h & 0x04) r.skip(r.u8(), 'Opus control extension');
    out.push({ packet: r.bytes(size, 'Opus access unit'), startTrim, endTrim });
  }
  return out;
}
