import { ByteReader, ProtocolError } from '@runnel/shared';

/**
 * The FLV file header (Adobe FLV spec v10.1, E.2 "The FLV header"):
 * 'F' 'L' 'V', version 1, a flags byte (bit 2 audio, bit 0 video), and
 * DataOffset, the header's own length (9 for version 1).
 */
export interface FlvHeader {
  readonly version: number;
  readonly hasAudio: boolean;
  readonly hasVideo: boolean;
  /** Bytes from the start of the file to the first PreviousTagSize0 field. */
  readonly dataOffset: number;
}

/** Length of a version 1 FLV header (E.2: "DataOffset ... usually has a value of 9"). */
export const FLV_HEADER_BYTES = 9;

/**
 * Largest DataOffset we skip over. Version 1 headers are 9 bytes and no
 * writer we know pads them; the cap keeps a garbage offset from making a
 * reader wait for (and buffer) up to 4 GiB before the first tag.
 */
export const MAX_FLV_DATA_OFFSET = 1024;

/** "FLV" */
export const FLV_SIGNATURE: readonly number[] = [0x46, 0x4c, 0x56];
const FLAG_AUDIO = 0x04;
const FLAG_VIDEO = 0x01;

/** Decodes the 9-byte header; throws NeedMoreBytes on short input, ProtocolError on a bad signature. */
export function decodeFlvHeader(buf: Uint8Array): FlvHeader {
  const r = new ByteReader(buf);
  r.need(FLV_HEADER_BYTES, 'FLV header');
  for (const s of FLV_SIGNATURE) {
    if (r.u8() !== s) throw new ProtocolError('flv_bad_signature', 'not an FLV stream (signature is not "FLV")');
  }
  const version = r.u8();
  if (version !== 1) throw new ProtocolError('flv_bad_version', `FLV version ${version}, only 1 exists`);
  const flags = r.u8();
  const dataOffset = r.u32();
  if (dataOffset < FLV_HEADER_BYTES || dataOffset > MAX_FLV_DATA_OFFSET) {
    throw new ProtocolError('flv_bad_data_offset', `FLV DataOffset ${dataOffset} outside ${FLV_HEADER_BYTES}..${MAX_FLV_DATA_OFFSET}`);
  }
  return { version, hasAudio: (flags & FLAG_AUDIO) !== 0, hasVideo: (flags & FLAG_VIDEO) !== 0, dataOffset };
}

/** Encodes a version 1 header (9 bytes, DataOffset 9). */
export function encodeFlvHeader(h: { readonly hasAudio: boolean; readonly hasVideo: boolean }): Uint8Array {
  const out = new Uint8Array(FLV_HEADER_BYTES);
  out.set(FLV_SIGNATURE, 0);
  out[3] = 1;
  out[4] = (h.hasAudio ? FLAG_AUDIO : 0) | (h.hasVideo ? FLAG_VIDEO : 0);
  out[8] = FLV_HEADER_BYTES;
  return out;
}

/**
 * What an HTTP-FLV response or an FLV file starts with: the header followed
 * by PreviousTagSize0, which is always 0 (E.3 "The FLV File Body").
 */
export function flvStreamStart(h: { readonly hasAudio: boolean; readonly hasVideo: boolean }): Uint8Array {
  const out = new Uint8Array(FLV_HEADER_BYTES + 4);
  out.set(encodeFlvHeader(h), 0);
  return out;
}
