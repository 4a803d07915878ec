import { ByteReader, ProtocolError } from '@runnel/shared';
import { boxAt, children, readBoxes, requireBox, type Mp4Box } from './box-reader.ts';
import { decodeEsDescriptor, type EsDescriptor } from './esds.ts';

/**
 * Reads back what an MP4 file says about its tracks and samples (moov of a
 * non-fragmented file): for tests of the writer and for tools. Every sample
 * table is expanded to per-sample rows, so the number of samples is bounded
 * by MAX_INSPECT_SAMPLES and every entry count is checked against the bytes
 * of its box before anything is allocated.
 */
export interface Mp4SampleInfo {
  readonly offset: number;
  readonly size: number;
  readonly dts: number;
  /** Composition offset (ctts), 0 without ctts. */
  readonly cto: number;
  readonly keyframe: boolean;
}

export interface Mp4EditInfo {
  readonly segmentDuration: number;
  /** -1 for an empty edit. */
  readonly mediaTime: number;
}

export interface Mp4TrackInfo {
  readonly id: number;
  /** hdlr handler_type: 'vide', 'soun'. */
  readonly handler: string;
  readonly timescale: number;
  /** mdhd duration, in the track timescale. */
  readonly mediaDuration: number;
  /** tkhd duration, in the movie timescale. */
  readonly duration: number;
  readonly width: number;
  readonly height: number;
  /** The sample entry's type: 'avc1', 'hvc1', 'mp4a'. */
  readonly entry: string;
  /** avcC / hvcC body, or the esds DecoderSpecificInfo (AudioSpecificConfig). */
  readonly config: Uint8Array | null;
  readonly esds: EsDescriptor | null;
  readonly channels: number;
  readonly sampleRate: number;
  readonly edits: readonly Mp4EditInfo[];
  /** Names of the stbl children in order (golden layout checks). */
  readonly stblBoxes: readonly string[];
  readonly samples: readonly Mp4SampleInfo[];
}

export interface Mp4Info {
  readonly majorBrand: string;
  readonly compatibleBrands: readonly string[];
  /** Top-level box types in order. */
  readonly layout: readonly string[];
  readonly timescale: number;
  readonly duration: number;
  readonly tracks: readonly Mp4TrackInfo[];
}

/** Most samples expanded per track: four times the writer's per-file cap (MAX_MP4_SAMPLES). */
export const MAX_INSPECT_SAMPLES = 4 << 20;

export function inspectMp4(bytes: Uint8Array): Mp4Info {
  const top = readBoxes(bytes);
  const ftyp = new ByteReader(requireBox(top, 'ftyp').body);
  const majorBrand = fourCc(ftyp);
  ftyp.u32();
  const compatibleBrands: string[] = [];
  while (ftyp.remaining >= 4) compatibleBrands.push(fourCc(ftyp));
  const moov = children(requireBox(top, 'moov'));
  const mvhd = fullBox(requireBox(moov, 'mvhd', 'moov'));
  const [, timescale, duration] = times(mvhd.r, mvhd.version);
  const tracks = moov.filter((b) => b.type === 'trak').map(inspectTrak);
  return { majorBrand, compatibleBrands, layout: top.map((b) => b.type), timescale, duration, tracks };
}

function fourCc(r: ByteReader): string {
  const b = r.bytes(4);
  return String.fromCharCode(b[0]!, b[1]!, b[2]!, b[3]!);
}

function fullBox(b: Mp4Box): { version: number; flags: number; r: ByteReader } {
  const r = new ByteReader(b.body);
  const version = r.u8();
  const flags = r.u24();
  return { version, flags, r };
}

/** creation/modification, then (mvhd, mdhd) timescale + duration, or (tkhd) track id + reserved + duration. */
function times(r: ByteReader, version: number): [number, number, number] {
  const wide = version === 1;
  const u = () => (wide ? Number((BigInt(r.u32()) << 32n) | BigInt(r.u32())) : r.u32());
  u();
  u();
  const a = r.u32();
  const b = u();
  return [0, a, b];
}

function inspectTrak(trak: Mp4Box): Mp4TrackInfo {
  const boxes = children(trak);
  const tkhd = fullBox(requireBox(boxes, 'tkhd', 'trak'));
  const wide = tkhd.version === 1;
  tkhd.r.skip(wide ? 16 : 8);
  const id = tkhd.r.u32();
  tkhd.r.skip(4);
  const duration = wide ? Number((BigInt(tkhd.r.u32()) << 32n) | BigInt(tkhd.r.u32())) : tkhd.r.u32();
  tkhd.r.skip(8 + 8 + 36);
  const width = tkhd.r.u32() / 0x10000;
  const height = tkhd.r.u32() / 0x10000;
  const edts = boxes.find((b) => b.type === 'edts');
  const edits = edts === undefined ? [] : readElst(boxAt(children(edts), 'elst'));
  const mdia = children(requireBox(boxes, 'mdia', 'trak'));
  const mdhd = fullBox(requireBox(mdia, 'mdhd', 'mdia'));
  const [, timescale, mediaDuration] = times(mdhd.r, mdhd.version);
  const hdlr = fullBox(requireBox(mdia, 'hdlr', 'mdia'));
  hdlr.r.skip(4);
  const handler = fourCc(hdlr.r);
  const stbl = children(boxAt(children(requireBox(mdia, 'minf', 'mdia')), 'stbl'));
  const entry = readStsd(requireBox(stbl, 'stsd', 'stbl'));
  return {
    id, handler, timescale, mediaDuration, duration, width, height, ...entry, edits,
    stblBoxes: stbl.map((b) => b.type), samples: readSamples(stbl),
  };
}

function readElst(b: Mp4Box): Mp4EditInfo[] {
  const { version, r } = fullBox(b);
  const n = r.u32();
  const entryBytes = version === 1 ? 20 : 12;
  if (n * entryBytes > r.remaining) throw new ProtocolError('mp4_bad_table', `elst of ${n} entries in ${r.remaining} bytes`);
  const out: Mp4EditInfo[] = [];
  for (let i = 0; i < n; i++) {
    if (version === 1) {
      const segmentDuration = Number((BigInt(r.u32()) << 32n) | BigInt(r.u32()));
      const mediaTime = Number(BigInt.asIntN(64, (BigInt(r.u32()) << 32n) | BigInt(r.u32())));
      out.push({ segmentDuration, mediaTime });
    } else {
      out.push({ segmentDuration: r.u32(), mediaTime: r.i32() });
    }
    r.skip(4);
  }
  return out;
}

type EntryInfo = Pick<Mp4TrackInfo, 'entry' | 'config' | 'esds' | 'channels' | 'sampleRate'>;

function readStsd(b: Mp4Box): EntryInfo {
  const entries = children(b, 8);
  const e = entries[0];
  if (e === undefined) throw new ProtocolError('mp4_missing_box', 'stsd without a sample entry');
  const r = new ByteReader(e.body);
  r.skip(8);
  if (e.type === 'mp4a') {
    r.skip(8);
    const channels = r.u16();
    r.skip(6);
    const sampleRate = r.u32() / 0x10000;
    const esdsBox = requireBox(readBoxes(e.body, r.pos), 'esds', 'mp4a');
    const esds = decodeEsDescriptor(esdsBox.body.subarray(4));
    return { entry: e.type, config: esds.decoderSpecificInfo ?? null, esds, channels, sampleRate };
  }
  // VisualSampleEntry: 16 + 4 (size) + 8 (resolution) + 4 + 2 + 32 + 2 + 2 = 70 bytes after the 8-byte head
  r.skip(70);
  const inner = readBoxes(e.body, r.pos);
  const config = inner.find((x) => x.type === 'avcC' || x.type === 'hvcC' || x.type === 'av1C');
  return { entry: e.type, config: config?.body ?? null, esds: null, channels: 0, sampleRate: 0 };
}

/** A FullBox table: the entry count, checked to fit the box. */
function table(stbl: readonly Mp4Box[], type: string, entryBytes: number, countOffset = 0): { n: number; r: ByteReader } | null {
  const b = stbl.find((x) => x.type === type);
  if (b === undefined) return null;
  const { r } = fullBox(b);
  r.skip(countOffset);
  const n = r.u32();
  if (n > MAX_INSPECT_SAMPLES || n * entryBytes > r.remaining) {
    throw new ProtocolError('mp4_bad_table', `${type} of ${n} entries in ${r.remaining} bytes`);
  }
  return { n, r };
}

function readSamples(stbl: readonly Mp4Box[]): Mp4SampleInfo[] {
  const stszBox = requireBox(stbl, 'stsz', 'stbl');
  const stsz = fullBox(stszBox);
  const fixedSize = stsz.r.u32();
  const count = stsz.r.u32();
  if (count > MAX_INSPECT_SAMPLES || (fixedSize === 0 && count * 4 > stsz.r.remaining)) {
    throw new ProtocolError('mp4_bad_table', `stsz of ${count} samples in ${stsz.r.remaining} bytes`);
  }
  const sizes = Array.from({ length: count }, () => (fixedSize === 0 ? stsz.r.u32() : fixedSize));

  const dts: number[] = [];
  const stts = table(stbl, 'stts', 8);
  if (stts === null) throw new ProtocolError('mp4_missing_box', 'no stts in stbl');
  let t = 0;
  for (let i = 0; i < stts.n; i++) {
    const runs = stts.r.u32();
    const delta = stts.r.u32();
    if (dts.length + runs > count) throw new ProtocolError('mp4_bad_table', 'stts covers more samples than stsz');
    for (let k = 0; k < runs; k++, t += delta) dts.push(t);
  }
  if (dts.length !== count) throw new ProtocolError('mp4_bad_table', `stts covers ${dts.length} of ${count} samples`);

  const cto = new Array<number>(count).fill(0);
  const ctts = table(stbl, 'ctts', 8);
  if (ctts !== null) {
    const signed = stbl.find((x) => x.type === 'ctts')!.body[0] === 1;
    let i = 0;
    for (let e = 0; e < ctts.n; e++) {
      const runs = ctts.r.u32();
      const v = signed ? ctts.r.i32() : ctts.r.u32();
      if (i + runs > count) throw new ProtocolError('mp4_bad_table', 'ctts covers more samples than stsz');
      for (let k = 0; k < runs; k++) cto[i++] = v;
    }
  }

  const stss = table(stbl, 'stss', 4);
  const key = new Array<boolean>(count).fill(stss === null);
  if (stss !== null) {
    for (let e = 0; e < stss.n; e++) {
      const s = stss.r.u32();
      if (s < 1 || s > count) throw new ProtocolError('mp4_bad_table', `stss names sample ${s} of ${count}`);
      key[s - 1] = true;
    }
  }

  const offsets = readChunkOffsets(stbl);
  const stsc = table(stbl, 'stsc', 12);
  if (stsc === null) throw new ProtocolError('mp4_missing_box', 'no stsc in stbl');
  const runs = Array.from({ length: stsc.n }, () => {
    const first = stsc.r.u32();
    const per = stsc.r.u32();
    stsc.r.u32();
    return { first, per };
  });
  const out: Mp4SampleInfo[] = [];
  let s = 0;
  let ri = -1;
  for (let c = 0; c < offsets.length && s < count; c++) {
    while (ri + 1 < runs.length && runs[ri + 1]!.first <= c + 1) ri++;
    const run = runs[ri];
    if (run === undefined) throw new ProtocolError('mp4_bad_table', `chunk ${c + 1} has no stsc entry`);
    let off = offsets[c]!;
    for (let k = 0; k < run.per && s < count; k++, s++) {
      out.push({ offset: off, size: sizes[s]!, dts: dts[s]!, cto: cto[s]!, keyframe: key[s]! });
      off += sizes[s]!;
    }
  }
  if (out.length !== count) throw new ProtocolError('mp4_bad_table', `chunks hold ${out.length} of ${count} samples`);
  return out;
}

function readChunkOffsets(stbl: readonly Mp4Box[]): number[] {
  const co64 = table(stbl, 'co64', 8);
  if (co64 !== null) return Array.from({ length: co64.n }, () => Number((BigInt(co64.r.u32()) << 32n) | BigInt(co64.r.u32())));
  const stco = table(stbl, 'stco', 4);
  if (stco === null) throw new ProtocolError('mp4_missing_box', 'no stco or co64 in stbl');
  return Array.from({ length: stco.n }, () => stco.r.u32());
}
