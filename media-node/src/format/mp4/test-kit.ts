import { readBoxes, type Mp4Box } from './box-reader.ts';
import type { Mp4Ending } from './mp4-writer.ts';

/**
 * Test helpers: a whole file from what the writer hands out (the parts in
 * order, the moov appended, the mdat header written over its placeholder),
 * and the box tree of a file for golden layout checks.
 */
export function assembleMp4(parts: readonly Uint8Array[], ending: Mp4Ending): Uint8Array {
  const all = [...parts, ending.moov];
  const out = new Uint8Array(all.reduce((n, p) => n + p.length, 0));
  let off = 0;
  for (const p of all) {
    out.set(p, off);
    off += p.length;
  }
  out.set(ending.mdatHeader, ending.mdatHeaderOffset);
  return out;
}

/** Container boxes and how many bytes of their own fields come before their children. */
const CONTAINERS: Readonly<Record<string, number>> = {
  moov: 0, trak: 0, edts: 0, mdia: 0, minf: 0, dinf: 0, stbl: 0, dref: 8, stsd: 8, avc1: 78, hvc1: 78, mp4a: 28,
};

/** Nested box types, e.g. `['ftyp', 'mdat', 'moov', ['mvhd', 'trak', [...]]]`. */
export type BoxTree = (string | BoxTree)[];

export function boxTree(bytes: Uint8Array): BoxTree {
  return tree(readBoxes(bytes));
}

function tree(boxes: readonly Mp4Box[]): BoxTree {
  const out: BoxTree = [];
  for (const b of boxes) {
    out.push(b.type);
    const skip = CONTAINERS[b.type];
    if (skip !== undefined) out.push(tree(readBoxes(b.body, skip)));
  }
  return out;
}
