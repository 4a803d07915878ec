import { ByteReader, ProtocolError } from '@runnel/shared';
import type { BoxWriter } from './box-writer.ts';

/**
 * The body of the `esds` box of an `mp4a` sample entry (ISO/IEC 14496-14
 * 5.6.1): an ES_Descriptor (ISO/IEC 14496-1 7.2.6.5) holding a
 * DecoderConfigDescriptor (7.2.6.6) with the AudioSpecificConfig as its
 * DecoderSpecificInfo (7.2.6.7), and an SLConfigDescriptor (7.3.2.3.1).
 */
export interface EsDescriptor {
  readonly esId: number;
  /** 14496-1 Table 5: 0x40 MPEG-4 Audio (AAC), 0x6B MPEG-1 Audio (MP3). */
  readonly objectTypeIndication: number;
  /** 14496-1 Table 6: 5 AudioStream. */
  readonly streamType: number;
  readonly bufferSizeDB: number;
  readonly maxBitrate: number;
  readonly avgBitrate: number;
  /** The AudioSpecificConfig for AAC; absent for object types without one. */
  readonly decoderSpecificInfo?: Uint8Array;
}

export const OBJECT_TYPE_AAC = 0x40;
export const STREAM_TYPE_AUDIO = 5;

/** 14496-1 7.2.2.1 class tags. */
const ES_DESCR_TAG = 0x03;
const DECODER_CONFIG_DESCR_TAG = 0x04;
const DEC_SPECIFIC_INFO_TAG = 0x05;
const SL_CONFIG_DESCR_TAG = 0x06;
/** 7.3.2.3.2: predefined SL config 2 = "reserved for use in MP4 files". */
const SL_PREDEFINED_MP4 = 2;

/**
 * Largest descriptor we read. An esds holds one AudioSpecificConfig (a few
 * bytes; 14496-3 configs with program config elements stay under 1 KiB):
 * anything bigger is not a file we wrote or want to inspect.
 */
export const MAX_DESCRIPTOR_BYTES = 64 * 1024;

/** 14496-1 8.3.3 sizeOfInstance: 7 bits per byte, high bit = more bytes follow. */
function sizeBytes(size: number): number[] {
  const out = [size & 0x7f];
  for (let s = size >>> 7; s > 0; s >>>= 7) out.unshift(0x80 | (s & 0x7f));
  return out;
}

function descriptorLength(bodyBytes: number): number {
  return 1 + sizeBytes(bodyBytes).length + bodyBytes;
}

function header(w: BoxWriter, tag: number, bodyBytes: number): void {
  w.u8(tag);
  for (const b of sizeBytes(bodyBytes)) w.u8(b);
}

/** Writes the esds payload (after the FullBox header) into `w`. */
export function writeEsDescriptor(w: BoxWriter, d: EsDescriptor): void {
  const dsi = d.decoderSpecificInfo;
  const dsiBytes = dsi === undefined ? 0 : descriptorLength(dsi.length);
  const dcdBody = 13 + dsiBytes;
  const slBody = 1;
  const esBody = 3 + descriptorLength(dcdBody) + descriptorLength(slBody);
  header(w, ES_DESCR_TAG, esBody);
  w.u16(d.esId);
  w.u8(0); // no stream dependence, no URL, no OCR stream, priority 0
  header(w, DECODER_CONFIG_DESCR_TAG, dcdBody);
  w.u8(d.objectTypeIndication);
  w.u8((d.streamType << 2) | 1); // upStream 0, reserved 1
  w.u24(d.bufferSizeDB);
  w.u32(d.maxBitrate);
  w.u32(d.avgBitrate);
  if (dsi !== undefined) {
    header(w, DEC_SPECIFIC_INFO_TAG, dsi.length);
    w.raw(dsi);
  }
  header(w, SL_CONFIG_DESCR_TAG, slBody);
  w.u8(SL_PREDEFINED_MP4);
}

/** Reads a descriptor tag and length; the length is checked against the input and MAX_DESCRIPTOR_BYTES. */
function readHeader(r: ByteReader): { tag: number; size: number } {
  const tag = r.u8();
  let size = 0;
  for (let i = 0; i < 4; i++) {
    const b = r.u8();
    size = (size << 7) | (b & 0x7f);
    if ((b & 0x80) === 0) break;
    if (i === 3) throw new ProtocolError('mp4_bad_descriptor', 'descriptor size longer than 4 bytes');
  }
  if (size > MAX_DESCRIPTOR_BYTES || size > r.remaining) {
    throw new ProtocolError('mp4_bad_descriptor', `descriptor 0x${tag.toString(16)} of ${size} bytes, ${r.remaining} left`);
  }
  return { tag, size };
}

/** Decodes the esds payload (after the FullBox header). DecoderSpecificInfo is a subarray (no copy). */
export function decodeEsDescriptor(payload: Uint8Array): EsDescriptor {
  const r = new ByteReader(payload);
  const es = readHeader(r);
  if (es.tag !== ES_DESCR_TAG) throw new ProtocolError('mp4_bad_descriptor', `esds starts with tag 0x${es.tag.toString(16)}`);
  const end = r.pos + es.size;
  const esId = r.u16();
  const flags = r.u8();
  if (flags & 0x80) r.skip(2); // dependsOn_ES_ID
  if (flags & 0x40) r.skip(r.u8()); // URL
  if (flags & 0x20) r.skip(2); // OCR_ES_Id
  while (r.pos < end) {
    const d = readHeader(r);
    const next = r.pos + d.size;
    if (d.tag !== DECODER_CONFIG_DESCR_TAG) {
      r.pos = next;
      continue;
    }
    const objectTypeIndication = r.u8();
    const st = r.u8();
    const bufferSizeDB = r.u24();
    const maxBitrate = r.u32();
    const avgBitrate = r.u32();
    let decoderSpecificInfo: Uint8Array | undefined;
    while (r.pos < next) {
      const inner = readHeader(r);
      if (inner.tag === DEC_SPECIFIC_INFO_TAG) decoderSpecificInfo = r.bytes(inner.size);
      else r.skip(inner.size);
    }
    return {
      esId, objectTypeIndication, streamType: st >> 2, bufferSizeDB, maxBitrate, avgBitrate,
      ...(decoderSpecificInfo === undefined ? {} : { decoderSpecificInfo }),
    };
  }
  throw new ProtocolError('mp4_bad_descriptor', 'ES_Descriptor without a DecoderConfigDescriptor');
}
