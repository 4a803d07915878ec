import { ByteWriter, ByteReader, ProtocolError } from '@runnel/shared';

/**
 * AMF0 (Adobe "Action Message Format -- AMF 0", December 2007), the encoding of
 * RTMP commands (type 20), data messages (type 18) and FLV SCRIPTDATA.
 *
 * Values map to JavaScript as:
 *   number -> number, boolean -> boolean, string/long string -> string,
 *   null -> null, undefined -> undefined, date -> Date, strict array -> array,
 *   object -> plain record, ECMA array -> plain record tagged with
 *   `AMF0_ECMA_ARRAY`, typed object -> plain record tagged with
 *   `AMF0_CLASS_NAME`, XML document -> `Amf0XmlDocument`.
 * The tags are symbol keys: `Object.keys`, `JSON.stringify` and property reads
 * ignore them, so an onMetaData ECMA array reads like any object, yet a decoded
 * value re-encodes to the same markers.
 *
 * Not supported (ProtocolError `amf0_unsupported_marker`): reference (0x07,
 * no mainstream encoder emits it and resolving it invites cycles and
 * exponential re-encoding), movieclip and recordset (reserved, 0x04/0x0E),
 * unsupported (0x0D) and the AMF3 switch (0x11), as in FFmpeg and SRS.
 */

/** Type markers, AMF0 spec 2.1. */
export const AMF0_MARKER = {
  number: 0x00,
  boolean: 0x01,
  string: 0x02,
  object: 0x03,
  movieclip: 0x04,
  null: 0x05,
  undefined: 0x06,
  reference: 0x07,
  ecmaArray: 0x08,
  objectEnd: 0x09,
  strictArray: 0x0a,
  date: 0x0b,
  longString: 0x0c,
  unsupported: 0x0d,
  recordset: 0x0e,
  xmlDocument: 0x0f,
  typedObject: 0x10,
  avmplusObject: 0x11,
} as const;

/**
 * Deepest nesting of objects/arrays we decode or encode. RTMP commands and
 * onMetaData nest 2-3 levels; FFmpeg stops at 16 (`MAX_DEPTH`), we allow 32 so a
 * generous encoder still passes while a 100 000-deep bomb fails fast without
 * exhausting the stack (bad-inputs row 21).
 */
export const MAX_AMF0_DEPTH = 32;

/** Marks a record that came from (or should be written as) an ECMA array, marker 0x08. */
export const AMF0_ECMA_ARRAY: unique symbol = Symbol('amf0.ecmaArray');
/** Holds the class name of a typed object, marker 0x10. */
export const AMF0_CLASS_NAME: unique symbol = Symbol('amf0.className');

export type Amf0Value =
  | number
  | boolean
  | string
  | null
  | undefined
  | Date
  | Amf0XmlDocument
  | Amf0Value[]
  | Amf0Object;

/** An anonymous object (0x03); with a symbol tag, an ECMA array (0x08) or a typed object (0x10). */
export interface Amf0Object {
  [key: string]: Amf0Value;
  [AMF0_ECMA_ARRAY]?: true;
  [AMF0_CLASS_NAME]?: string;
}

/** An XML document (0x0F): kept apart from strings so it round-trips. */
export class Amf0XmlDocument {
  readonly xml: string;
  constructor(xml: string) {
    this.xml = xml;
  }
}

/** Builds a record that encodes as an ECMA array (how onMetaData is usually written). */
export function amf0EcmaArray(entries: Record<string, Amf0Value>): Amf0Object {
  const out: Amf0Object = { [AMF0_ECMA_ARRAY]: true };
  for (const [k, v] of Object.entries(entries)) setProperty(out, k, v);
  return out;
}

/** Builds a typed object (0x10) of class `className`. */
export function amf0TypedObject(className: string, entries: Record<string, Amf0Value>): Amf0Object {
  const out: Amf0Object = { [AMF0_CLASS_NAME]: className };
  for (const [k, v] of Object.entries(entries)) setProperty(out, k, v);
  return out;
}

export function isAmf0EcmaArray(v: Amf0Value): v is Amf0Object {
  return isAmf0Object(v) && v[AMF0_ECMA_ARRAY] === true;
}

/** True for objects, ECMA arrays and typed objects (not arrays, dates, XML, null). */
export function isAmf0Object(v: Amf0Value): v is Amf0Object {
  return typeof v === 'object' && v !== null && !Array.isArray(v) && !(v instanceof Date) && !(v instanceof Amf0XmlDocument);
}

const utf8Decoder = new TextDecoder('utf-8');
const utf8Encoder = new TextEncoder();

/** Defines an own enumerable property; plain assignment of `__proto__` would change the prototype. */
function setProperty(obj: Amf0Object, key: string, value: Amf0Value): void {
  if (key === '__proto__') {
    Object.defineProperty(obj, key, { value, enumerable: true, writable: true, configurable: true });
  } else {
    obj[key] = value;
  }
}

// ---------------------------------------------------------------------------
// decode

/** Decodes every value in `bytes` (e.g. a whole command message payload). */
export function decodeAmf0All(bytes: Uint8Array): Amf0Value[] {
  const r = new ByteReader(bytes);
  const out: Amf0Value[] = [];
  while (r.remaining > 0) out.push(decodeAmf0(r));
  return out;
}

/** Decodes one value at the reader's position and advances past it. */
export function decodeAmf0(r: ByteReader): Amf0Value {
  return decodeValue(r, 0);
}

function decodeValue(r: ByteReader, depth: number): Amf0Value {
  const marker = r.u8();
  switch (marker) {
    case AMF0_MARKER.number:
      return r.f64();
    case AMF0_MARKER.boolean:
      return r.u8() !== 0;
    case AMF0_MARKER.string:
      return readUtf8(r, r.u16());
    case AMF0_MARKER.longString:
      return readUtf8(r, r.u32());
    case AMF0_MARKER.xmlDocument:
      return new Amf0XmlDocument(readUtf8(r, r.u32()));
    case AMF0_MARKER.null:
      return null;
    case AMF0_MARKER.undefined:
      return undefined;
    case AMF0_MARKER.date: {
      const ms = r.f64();
      r.skip(2, 'amf0 date time zone'); // AMF0 spec 2.13: reserved, should be 0; ignored
      return new Date(ms);
    }
    case AMF0_MARKER.object:
      return readProperties(r, {}, enter(depth));
    case AMF0_MARKER.ecmaArray: {
      // AMF0 spec 2.10: the count is advisory; encoders write 0 or lie, so (like
      // FFmpeg and SRS) we read properties up to the object-end marker and never
      // loop on the count.
      r.u32();
      return readProperties(r, { [AMF0_ECMA_ARRAY]: true }, enter(depth));
    }
    case AMF0_MARKER.typedObject: {
      const className = readUtf8(r, r.u16());
      return readProperties(r, { [AMF0_CLASS_NAME]: className }, enter(depth));
    }
    case AMF0_MARKER.strictArray: {
      const count = r.u32();
      const inner = enter(depth);
      // every item takes at least its 1-byte marker (bad-inputs row 23)
      if (count > r.remaining) {
        throw new ProtocolError('amf0_count_exceeds_input', `amf0 strict array of ${count} items in ${r.remaining} bytes`);
      }
      const out: Amf0Value[] = [];
      for (let i = 0; i < count; i++) out.push(decodeValue(r, inner));
      return out;
    }
    case AMF0_MARKER.objectEnd:
      throw new ProtocolError('amf0_unexpected_object_end', 'amf0 object-end marker outside an object');
    default:
      throw new ProtocolError('amf0_unsupported_marker', `amf0 marker 0x${marker.toString(16).padStart(2, '0')} is not supported`);
  }
}

function enter(depth: number): number {
  if (depth >= MAX_AMF0_DEPTH) {
    throw new ProtocolError('amf0_too_deep', `amf0 nesting deeper than ${MAX_AMF0_DEPTH}`);
  }
  return depth + 1;
}

/** Object properties up to the 00 00 09 end marker (AMF0 spec 2.5); a missing marker is an error (row 24). */
function readProperties(r: ByteReader, obj: Amf0Object, depth: number): Amf0Object {
  for (;;) {
    if (r.remaining < 3) {
      throw new ProtocolError('amf0_missing_object_end', 'amf0 object ends without the 00 00 09 end marker');
    }
    const keyLength = r.u16();
    if (keyLength === 0 && r.buf[r.pos] === AMF0_MARKER.objectEnd) {
      r.skip(1);
      return obj;
    }
    const key = readUtf8(r, keyLength);
    setProperty(obj, key, decodeValue(r, depth));
  }
}

/** A UTF-8 string of `length` bytes, checked against the input first (bad-inputs row 22). */
function readUtf8(r: ByteReader, length: number): string {
  if (length > r.remaining) {
    throw new ProtocolError('amf0_length_exceeds_input', `amf0 string of ${length} bytes with ${r.remaining} left`);
  }
  return length === 0 ? '' : utf8Decoder.decode(r.bytes(length));
}

// ---------------------------------------------------------------------------
// encode

/** Encodes values one after another, e.g. `encodeAmf0('_result', 1, props, info)`. */
export function encodeAmf0(...values: Amf0Value[]): Uint8Array {
  const w = new Amf0Writer();
  for (const v of values) w.value(v, 0);
  return w.finish();
}

class Amf0Writer extends ByteWriter {








  /** u16-length UTF-8 (object keys, class names). */
  private shortUtf8(s: string): void {
    const b = utf8Encoder.encode(s);
    if (b.length > 0xffff) throw new RangeError(`amf0 key or class name longer than 65535 bytes`);
    this.u16(b.length);
    this.bytes(b);
  }

  value(v: Amf0Value, depth: number): void {
    if (v === undefined) return this.u8(AMF0_MARKER.undefined);
    if (v === null) return this.u8(AMF0_MARKER.null);
    switch (typeof v) {
      case 'number':
        this.u8(AMF0_MARKER.number);
        return this.f64(v);
      case 'boolean':
        this.u8(AMF0_MARKER.boolean);
        return this.u8(v ? 1 : 0);
      case 'string': {
        const b = utf8Encoder.encode(v);
        if (b.length <= 0xffff) {
          this.u8(AMF0_MARKER.string);
          this.u16(b.length);
        } else {
          this.u8(AMF0_MARKER.longString); // AMF0 spec 2.14: strings past 65535 bytes
          this.u32(b.length);
        }
        return this.bytes(b);
      }
      case 'object':
        break;
      default:
        throw new TypeError(`amf0 cannot encode a ${typeof v}`);
    }
    if (v instanceof Date) {
      this.u8(AMF0_MARKER.date);
      this.f64(v.getTime());
      return this.u16(0);
    }
    if (v instanceof Amf0XmlDocument) {
      const b = utf8Encoder.encode(v.xml);
      this.u8(AMF0_MARKER.xmlDocument);
      this.u32(b.length);
      return this.bytes(b);
    }
    if (depth >= MAX_AMF0_DEPTH) throw new RangeError(`amf0 value nested deeper than ${MAX_AMF0_DEPTH} (cycle?)`);
    if (Array.isArray(v)) {
      this.u8(AMF0_MARKER.strictArray);
      this.u32(v.length);
      for (const item of v) this.value(item, depth + 1);
      return;
    }
    const keys = Object.keys(v);
    if (v[AMF0_ECMA_ARRAY] === true) {
      this.u8(AMF0_MARKER.ecmaArray);
      this.u32(keys.length);
    } else if (typeof v[AMF0_CLASS_NAME] === 'string') {
      this.u8(AMF0_MARKER.typedObject);
      this.shortUtf8(v[AMF0_CLASS_NAME]);
    } else {
      this.u8(AMF0_MARKER.object);
    }
    for (const k of keys) {
      this.shortUtf8(k);
      this.value(v[k], depth + 1);
    }
    this.u16(0);
    this.u8(AMF0_MARKER.objectEnd);
  }
}
