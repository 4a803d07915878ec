import { ProtocolError } from '@runnel/shared';
import { decodeAmf0All, encodeAmf0, type Amf0Value } from '../../../format/amf0.ts';
import { MSG } from '../message.ts';

/** `02 000d "@setDataFrame"`: the AMF0 string publishers put before onMetaData. */
const SET_DATA_FRAME = new Uint8Array([0x02, 0x00, 0x0d, ...new TextEncoder().encode('@setDataFrame')]);

/**
 * Data message (type 18 AMF0, type 15 AMF3 with a leading 0 format byte),
 * Adobe RTMP spec 7.1.2. Returns the AMF0 payload: for type 15 without the
 * format byte. An AMF3 body we cannot read throws `amf3_data_unsupported`.
 */
export function amf0DataPayload(typeId: number, payload: Uint8Array): Uint8Array {
  if (typeId !== MSG.dataAmf3) return payload;
  if (payload.length === 0 || payload[0] !== 0) {
    throw new ProtocolError('amf3_data_unsupported', 'AMF3 data message without the AMF0 format byte');
  }
  return payload.subarray(1);
}

/**
 * Strips the `@setDataFrame` prefix publishers (ffmpeg, OBS, FMLE) send before
 * `onMetaData`, leaving the SCRIPTDATA body players and FLV expect. A subarray,
 * no copy; payloads without the prefix come back unchanged.
 */
export function stripSetDataFrame(payload: Uint8Array): Uint8Array {
  if (payload.length < SET_DATA_FRAME.length) return payload;
  for (let i = 0; i < SET_DATA_FRAME.length; i++) if (payload[i] !== SET_DATA_FRAME[i]) return payload;
  return payload.subarray(SET_DATA_FRAME.length);
}

/** The leading AMF0 string of a data message (`onMetaData`, `|RtmpSampleAccess`...), or null. */
export function dataName(payload: Uint8Array): string | null {
  if (payload.length < 3 || payload[0] !== 0x02) return null;
  const n = (payload[1]! << 8) | payload[2]!;
  if (3 + n > payload.length) return null;
  return new TextDecoder().decode(payload.subarray(3, 3 + n));
}

/** `@setDataFrame, name, value...` as a publisher writes it (e.g. `'onMetaData', amf0EcmaArray({...})`). */
export function encodeSetDataFrame(name: string, ...values: Amf0Value[]): Uint8Array {
  return encodeAmf0('@setDataFrame', name, ...values);
}

/** Decodes the values of a data message (e.g. `['onMetaData', {...}]`). */
export function decodeData(typeId: number, payload: Uint8Array): Amf0Value[] {
  return decodeAmf0All(amf0DataPayload(typeId, payload));
}
