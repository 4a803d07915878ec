import { ProtocolError } from '@runnel/shared';

/** AV1 spec 4.10.5: leb128() reads at most 8 bytes. */
export const MAX_LEB128_BYTES = 8;
/** AV1 spec 4.10.5: a leb128 value must be ≤ 2^32 - 1. */
const MAX_LEB128_VALUE = 2 ** 32 - 1;
/**
 * Most OBUs we accept in one temporal unit or configOBUs field. A temporal
 * unit holds a temporal delimiter, a sequence header, metadata and one frame
 * (or frame header + tile groups) per layer: a few dozen at most. Bounds the
 * work a buffer of 1-byte OBUs could make.
 */
export const MAX_OBUS_PER_UNIT = 1024;

/** AV1 spec 6.2.2 Table: obu_type values. */
export const AV1_OBU = {
  SEQUENCE_HEADER: 1,
  TEMPORAL_DELIMITER: 2,
  FRAME_HEADER: 3,
  TILE_GROUP: 4,
  METADATA: 5,
  FRAME: 6,
  REDUNDANT_FRAME_HEADER: 7,
  TILE_LIST: 8,
  PADDING: 15,
} as const;

/** One OBU (AV1 spec 5.3): its header fields and payload (a subarray, no copy). */
export interface Obu {
  readonly type: number;
  readonly temporalId: number;
  readonly spatialId: number;
  readonly hasSizeField: boolean;
  /** The OBU payload (after header and size). */
  readonly payload: Uint8Array;
  /** The whole OBU, header included. */
  readonly bytes: Uint8Array;
}

/**
 * Reads a leb128 (AV1 spec 4.10.5) at `pos`: `[value, bytesRead]`. More than
 * 8 bytes, a value above 2^32 - 1 or the end of input is a `ProtocolError`.
 */
export function readLeb128(b: Uint8Array, pos: number): [number, number] {
  let value = 0;
  for (let i = 0; i < MAX_LEB128_BYTES; i++) {
    if (pos + i >= b.length) throw new ProtocolError('truncated', 'truncated leb128');
    const byte = b[pos + i]!;
    value += (byte & 0x7f) * 2 ** (7 * i);
    if ((byte & 0x80) === 0) {
      if (value > MAX_LEB128_VALUE) throw new ProtocolError('av1_leb128_overflow', `leb128 value ${value} > 2^32-1`);
      return [value, i + 1];
    }
  }
  throw new ProtocolError('av1_leb128_overflow', `leb128 longer than ${MAX_LEB128_BYTES} bytes`);
}

/** Encodes a leb128 in the fewest bytes. */
export function writeLeb128(value: number): Uint8Array {
  if (!Number.isInteger(value) || value < 0 || value > MAX_LEB128_VALUE) throw new ProtocolError('av1_leb128_overflow', `leb128 value ${value}`);
  const out: number[] = [];
  let v = value;
  do {
    const low = v % 128;
    v = Math.floor(v / 128);
    out.push(v > 0 ? low | 0x80 : low);
  } while (v > 0);
  return Uint8Array.from(out);
}

/**
 * Reads the OBU at `pos` (AV1 spec 5.3.1 obu_header + obu_size). An OBU
 * without a size field runs to the end of `b` (low overhead format allows
 * that only for the last OBU). A set forbidden bit, a size past the end, or a
 * truncated header is a `ProtocolError`.
 */
export function readObu(b: Uint8Array, pos: number): Obu {
  if (pos >= b.length) throw new ProtocolError('truncated', 'truncated OBU header');
  const h = b[pos]!;
  if (h & 0x80) throw new ProtocolError('av1_obu_forbidden_bit', 'obu_forbidden_bit set');
  const type = (h >>> 3) & 0x0f;
  const extension = (h & 0x04) !== 0;
  const hasSizeField = (h & 0x02) !== 0;
  let p = pos + 1;
  let temporalId = 0;
  let spatialId = 0;
  if (extension) {
    if (p >= b.length) throw new ProtocolError('truncated', 'truncated OBU extension header');
    temporalId = b[p]! >>> 5;
    spatialId = (b[p]! >>> 3) & 0x03;
    p++;
  }
  let size = b.length - p;
  if (hasSizeField) {
    const [v, n] = readLeb128(b, p);
    p += n;
    if (v > b.length - p) throw new ProtocolError('av1_obu_overrun', `obu_size ${v} > ${b.length - p} bytes left`);
    size = v;
  }
  return { type, temporalId, spatialId, hasSizeField, payload: b.subarray(p, p + size), bytes: b.subarray(pos, p + size) };
}

/** Splits a sequence of OBUs (a temporal unit, or configOBUs) into OBUs, bounded by MAX_OBUS_PER_UNIT. */
export function splitObus(b: Uint8Array): Obu[] {
  const out: Obu[] = [];
  let pos = 0;
  while (pos < b.length) {
    if (out.length >= MAX_OBUS_PER_UNIT) throw new ProtocolError('av1_too_many_obus', `more than ${MAX_OBUS_PER_UNIT} OBUs`);
    const obu = readObu(b, pos);
    out.push(obu);
    pos += obu.bytes.length;
  }
  return out;
}

/** The first sequence header OBU in `b`, or undefined. Same errors as `splitObus`. */
export function findSequenceHeaderObu(b: Uint8Array): Obu | undefined {
  return splitObus(b).find((o) => o.type === AV1_OBU.SEQUENCE_HEADER);
}
