import { ProtocolError } from '@runnel/shared';

/**
 * Reads the box structure of ISO BMFF bytes (ISO/IEC 14496-12 4.2): size,
 * type (with the 64-bit largesize and the size-0 "to the end" forms), and
 * the body as a subarray (no copy). Bounded: a box may not claim more bytes
 * than are there, and one level holds at most MAX_BOXES_PER_LEVEL boxes.
 */
export interface Mp4Box {
  readonly type: string;
  /** Offset of the box header in the bytes given to readBoxes. */
  readonly offset: number;
  /** Whole box, header included. */
  readonly size: number;
  readonly body: Uint8Array;
}

/**
 * Most boxes on one level. Our files have three top-level boxes and a
 * handful per container; fragmented files have two per fragment, so 100 000
 * covers a day of 1 s fragments while a garbage file of 8-byte boxes cannot
 * make us build millions of objects.
 */
export const MAX_BOXES_PER_LEVEL = 100_000;

export function readBoxes(buf: Uint8Array, start = 0, end = buf.length): Mp4Box[] {
  const out: Mp4Box[] = [];
  const view = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
  let pos = start;
  while (pos < end) {
    if (end - pos < 8) throw new ProtocolError('mp4_truncated', `${end - pos} bytes left where a box header needs 8`);
    if (out.length >= MAX_BOXES_PER_LEVEL) throw new ProtocolError('mp4_too_many_boxes', `more than ${MAX_BOXES_PER_LEVEL} boxes on one level`);
    let size = view.getUint32(pos);
    const type = String.fromCharCode(buf[pos + 4]!, buf[pos + 5]!, buf[pos + 6]!, buf[pos + 7]!);
    let header = 8;
    if (size === 1) {
      if (end - pos < 16) throw new ProtocolError('mp4_truncated', `${type} largesize cut off`);
      const large = view.getBigUint64(pos + 8);
      size = large > BigInt(end - pos) ? end - pos + 1 : Number(large);
      header = 16;
    } else if (size === 0) {
      size = end - pos; // 4.2: the box extends to the end of the file
    }
    if (size < header) throw new ProtocolError('mp4_bad_box_size', `${type} box of ${size} bytes`);
    if (size > end - pos) throw new ProtocolError('mp4_truncated', `${type} box of ${size} bytes, ${end - pos} left`);
    out.push({ type, offset: pos, size, body: buf.subarray(pos + header, pos + size) });
    pos += size;
  }
  return out;
}

/** The first box of `type`, or a ProtocolError naming what is missing. */
export function requireBox(boxes: readonly Mp4Box[], type: string, where = 'file'): Mp4Box {
  const b = boxes.find((x) => x.type === type);
  if (b === undefined) throw new ProtocolError('mp4_missing_box', `no ${type} in ${where}`);
  return b;
}

/** The children of a container box, skipping `skip` bytes of its own fields first (FullBox header, entry count). */
export function children(box: Mp4Box, skip = 0): Mp4Box[] {
  if (skip > box.body.length) throw new ProtocolError('mp4_truncated', `${box.type} shorter than its ${skip}-byte header`);
  return readBoxes(box.body, skip);
}

/** Follows a path of container types from `boxes`: `path(top, 'moov', 'mvhd')`. */
export function boxAt(boxes: readonly Mp4Box[], ...types: string[]): Mp4Box {
  let level = boxes;
  let found: Mp4Box | undefined;
  let where = 'file';
  for (const t of types) {
    found = requireBox(level, t, where);
    where = t;
    if (t !== types[types.length - 1]) level = children(found);
  }
  if (found === undefined) throw new ProtocolError('mp4_missing_box', 'empty box path');
  return found;
}
