import { ByteReader, ProtocolError } from '@runnel/shared';
import { amf0EcmaArray, decodeAmf0, decodeAmf0All, encodeAmf0, isAmf0Object, type Amf0Object, type Amf0Value } from '../amf0.ts';

/**
 * SCRIPTDATA, the body of an FLV script tag / RTMP data message (type 18):
 * an AMF0 method name followed by its arguments (Adobe FLV spec v10.1 E.4.4).
 * Publishers send metadata as `@setDataFrame, onMetaData, {..}` (the
 * NetStream.send form that asks the server to keep it); FLV files and
 * players carry `onMetaData, {..}`.
 */
export interface ScriptData {
  /** The method name, with a leading `@setDataFrame` unwrapped (e.g. 'onMetaData'). */
  readonly name: string;
  readonly values: Amf0Value[];
  /** The body started with `@setDataFrame`. */
  readonly setDataFrame: boolean;
}

const SET_DATA_FRAME = '@setDataFrame';
const ON_META_DATA = 'onMetaData';

export function decodeScriptData(body: Uint8Array): ScriptData {
  const all = decodeAmf0All(body);
  const first = all[0];
  if (typeof first !== 'string') throw new ProtocolError('flv_bad_script_data', 'SCRIPTDATA does not start with a string name');
  if (first !== SET_DATA_FRAME) return { name: first, values: all.slice(1), setDataFrame: false };
  const name = all[1];
  if (typeof name !== 'string') throw new ProtocolError('flv_bad_script_data', '@setDataFrame without a handler name');
  return { name, values: all.slice(2), setDataFrame: true };
}

export function encodeScriptData(name: string, ...values: Amf0Value[]): Uint8Array {
  return encodeAmf0(name, ...values);
}

/**
 * The metadata object of an onMetaData body (with or without
 * `@setDataFrame`), or null when the body is some other script call.
 * Accepts an object or an ECMA array, as E-RTMP v2 asks readers to.
 */
export function decodeOnMetaData(body: Uint8Array): Amf0Object | null {
  const s = decodeScriptData(body);
  if (s.name !== ON_META_DATA) return null;
  const meta = s.values.find((v) => isAmf0Object(v));
  return meta && isAmf0Object(meta) ? meta : null;
}

/** An `onMetaData` body with the properties as an ECMA array (what FFmpeg and SRS write). */
export function encodeOnMetaData(meta: Record<string, Amf0Value>): Uint8Array {
  return encodeAmf0(ON_META_DATA, amf0EcmaArray(meta));
}

/**
 * The body as FLV players want it: a leading `@setDataFrame` string is cut
 * off and the rest returned as a subarray (no copy, no re-encoding), as SRS
 * does before caching metadata. Other bodies come back unchanged.
 */
export function stripSetDataFrame(body: Uint8Array): Uint8Array {
  const r = new ByteReader(body);
  const first = decodeAmf0(r);
  return first === SET_DATA_FRAME ? body.subarray(r.pos) : body;
}
