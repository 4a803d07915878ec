import { ProtocolError } from '@runnel/shared';
import type { AudioSpecificConfig } from './audio-specific-config.ts';
import { makeAsc } from './audio-specific-config.ts';
import { AAC_SAMPLE_RATES } from './tables.ts';

/** ADTS header without / with the CRC (ISO/IEC 14496-3 1.A.2.2.1, adts_fixed + variable header). */
export const ADTS_HEADER_BYTES = 7;
const ADTS_HEADER_WITH_CRC_BYTES = 9;
/** aac_frame_length is 13 bits and counts the header. */
export const MAX_ADTS_FRAME_BYTES = 0x1fff;

/** One ADTS header (ISO/IEC 14496-3 1.A.2.2.1 adts_fixed_header + adts_variable_header). */
export interface AdtsHeader {
  /** 1 = MPEG-2 AAC (ID bit), 0 = MPEG-4. */
  readonly mpeg2: boolean;
  /** Audio object type: profile_ObjectType + 1 (1 Main, 2 LC, 3 SSR, 4 LTP). */
  readonly objectType: number;
  readonly frequencyIndex: number;
  readonly sampleRate: number;
  /** 1..7; 0 (channel layout in a PCE inside the frame) is refused. */
  readonly channelConfiguration: number;
  /** Header + payload bytes. */
  readonly frameLength: number;
  /** 7, or 9 with CRC. */
  readonly headerLength: number;
  /** number_of_raw_data_blocks_in_frame + 1. */
  readonly rawBlocks: number;
}

/**
 * Decodes the ADTS header at the start of `b`. Returns undefined when fewer
 * than 7 bytes are given (need more); throws a `ProtocolError` when the bytes
 * there are not a usable ADTS header.
 */
export function decodeAdtsHeader(b: Uint8Array): AdtsHeader | undefined {
  if (b.length < ADTS_HEADER_BYTES) return undefined;
  const reason = adtsHeaderProblem(b, 0);
  if (reason) throw new ProtocolError('adts_bad_header', reason);
  return readHeader(b, 0);
}

/**
 * Writes the 7-byte ADTS header (no CRC) for one raw AAC frame of
 * `payloadLength` bytes. HE-AAC with explicit SBR is written as its core (LC
 * at the core rate), the implicit signaling ADTS requires.
 *
 * @example
 * ts.write(encodeAdtsHeader(asc, raw.length)); ts.write(raw);
 */
export function encodeAdtsHeader(asc: AudioSpecificConfig, payloadLength: number): Uint8Array {
  const objectType = asc.sbr ? asc.sbr.coreObjectType : asc.objectType;
  const index = asc.frequencyIndex;
  if (objectType < 1 || objectType > 4) throw new ProtocolError('adts_unsupported', `object type ${objectType} has no ADTS profile`);
  if (index >= AAC_SAMPLE_RATES.length) throw new ProtocolError('adts_unsupported', `sampling frequency ${asc.sampleRate} has no ADTS index`);
  if (asc.channelConfiguration < 1 || asc.channelConfiguration > 7) throw new ProtocolError('adts_unsupported', `channelConfiguration ${asc.channelConfiguration}`);
  const len = payloadLength + ADTS_HEADER_BYTES;
  if (payloadLength < 0 || len > MAX_ADTS_FRAME_BYTES) throw new ProtocolError('adts_frame_too_large', `AAC frame of ${payloadLength} bytes`);
  const h = new Uint8Array(ADTS_HEADER_BYTES);
  h[0] = 0xff;
  h[1] = 0xf1; // syncword low bits, MPEG-4, layer 0, protection_absent
  h[2] = ((objectType - 1) << 6) | (index << 2) | (asc.channelConfiguration >>> 2);
  h[3] = ((asc.channelConfiguration & 3) << 6) | (len >>> 11);
  h[4] = (len >>> 3) & 0xff;
  h[5] = ((len & 7) << 5) | 0x1f; // adts_buffer_fullness 0x7FF: variable bitrate
  h[6] = 0xfc; // fullness low bits, one raw data block
  return h;
}

/** The AudioSpecificConfig an ADTS stream implies (for turning TS/SRT audio into FLV). */
export function adtsToAsc(h: AdtsHeader): AudioSpecificConfig {
  return makeAsc(h.objectType, h.sampleRate, h.channelConfiguration);
}

/** One frame found in an ADTS stream: its header and raw payload (subarray, CRC excluded). */
export interface AdtsFrame {
  readonly header: AdtsHeader;
  readonly payload: Uint8Array;
}

export interface AdtsSplit {
  readonly frames: AdtsFrame[];
  /** Bytes after the last whole frame: a partial frame to prepend to the next chunk. */
  readonly rest: Uint8Array;
  /** Bytes skipped to regain sync (garbage or broken headers). */
  readonly skipped: number;
}

/**
 * Splits an ADTS stream (e.g. a PES payload) into frames without copying. When
 * a frame does not start where the previous ended, it scans forward for the
 * next valid header (resync) and counts the bytes skipped; a partial frame at
 * the end is returned in `rest` (need more bytes). Never throws: every
 * problem is a skip, and the scan is linear in the input.
 */
export function splitAdts(data: Uint8Array): AdtsSplit {
  const frames: AdtsFrame[] = [];
  let pos = 0;
  let skipped = 0;
  while (data.length - pos >= ADTS_HEADER_BYTES) {
    if (adtsHeaderProblem(data, pos)) {
      pos++;
      skipped++;
      continue;
    }
    const header = readHeader(data, pos);
    if (header.frameLength > data.length - pos) break;
    frames.push({ header, payload: data.subarray(pos + header.headerLength, pos + header.frameLength) });
    pos += header.frameLength;
  }
  return { frames, rest: data.subarray(pos), skipped };
}

/** Why the 7 bytes at `pos` are not a usable ADTS header, or '' when they are. */
function adtsHeaderProblem(b: Uint8Array, pos: number): string {
  if (b[pos] !== 0xff || (b[pos + 1]! & 0xf0) !== 0xf0) return 'no ADTS syncword';
  if ((b[pos + 1]! & 0x06) !== 0) return 'layer is not 0';
  const index = (b[pos + 2]! >>> 2) & 0x0f;
  if (index >= AAC_SAMPLE_RATES.length) return `samplingFrequencyIndex ${index}`;
  const channels = ((b[pos + 2]! & 1) << 2) | (b[pos + 3]! >>> 6);
  if (channels === 0) return 'channelConfiguration 0 (PCE) is not supported';
  const headerLength = b[pos + 1]! & 1 ? ADTS_HEADER_BYTES : ADTS_HEADER_WITH_CRC_BYTES;
  const len = ((b[pos + 3]! & 3) << 11) | (b[pos + 4]! << 3) | (b[pos + 5]! >>> 5);
  if (len <= headerLength) return `aac_frame_length ${len}`;
  return '';
}

function readHeader(b: Uint8Array, pos: number): AdtsHeader {
  const index = (b[pos + 2]! >>> 2) & 0x0f;
  return {
    mpeg2: (b[pos + 1]! & 0x08) !== 0,
    objectType: (b[pos + 2]! >>> 6) + 1,
    frequencyIndex: index,
    sampleRate: AAC_SAMPLE_RATES[index]!,
    channelConfiguration: ((b[pos + 2]! & 1) << 2) | (b[pos + 3]! >>> 6),
    frameLength: ((b[pos + 3]! & 3) << 11) | (b[pos + 4]! << 3) | (b[pos + 5]! >>> 5),
    headerLength: b[pos + 1]! & 1 ? ADTS_HEADER_BYTES : ADTS_HEADER_WITH_CRC_BYTES,
    rawBlocks: (b[pos + 6]! & 3) + 1,
  };
}
