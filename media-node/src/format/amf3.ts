import { ByteWriter, ByteReader, ProtocolError } from '@runnel/shared';

/**
 * AMF3 (Adobe "Action Message Format -- AMF 3", January 2013), used by RTMP
 * AMF3 commands/data (message types 17/15, via the AMF0 avmplus-object
 * marker 0x11) and Flash remoting.
 *
 * Values map to JavaScript as:
 *   undefined/null/false/true -> themselves, integer and double -> number,
 *   string -> string, Date -> Date, ByteArray -> Uint8Array,
 *   XML / XMLDocument -> Amf3Xml, Array -> a JS array when it has no
 *   associative part, else Amf3Array, Object -> a plain record whose traits
 *   (class name, sealed members, dynamic flag) sit under the AMF3_TRAITS
 *   symbol, Vector.<int|uint|Number|Object> -> Amf3Vector.
 * References (strings, objects, traits) are resolved to the same JS values,
 * so a decoded graph may share or cycle exactly as the sender's did, and the
 * encoder writes references for repeated values in turn.
 *
 * Not supported (ProtocolError): externalizable traits (their layout is
 * private to the class that wrote them, section 3.12) and Dictionary (0x11).
 */

/** Type markers, AMF3 spec 3.1. */
export const AMF3_MARKER = {
  undefined: 0x00,
  null: 0x01,
  false: 0x02,
  true: 0x03,
  integer: 0x04,
  double: 0x05,
  string: 0x06,
  xmlDocument: 0x07,
  date: 0x08,
  array: 0x09,
  object: 0x0a,
  xml: 0x0b,
  byteArray: 0x0c,
  vectorInt: 0x0d,
  vectorUint: 0x0e,
  vectorDouble: 0x0f,
  vectorObject: 0x10,
  dictionary: 0x11,
} as const;

/**
 * Deepest nesting of arrays/objects/vectors we decode or encode. RTMP
 * payloads nest 2-3 levels; like AMF0 (FFmpeg stops at 16) we allow 32 so a
 * nesting bomb fails fast instead of exhausting the stack (bad-inputs row 21).
 */
export const MAX_AMF3_DEPTH = 32;

/**
 * Most complex values (object-table entries: objects, arrays, dates, XML,
 * byte arrays, vectors) and traits one decode may create. An RTMP command
 * holds tens; the cap bounds the reference tables a hostile message can
 * make us hold, whatever its size.
 */
export const MAX_AMF3_OBJECTS = 65_536;

/** Holds an object's traits; a symbol so `Object.keys`/JSON ignore it. */
export const AMF3_TRAITS: unique symbol = Symbol('amf3.traits');

export interface Amf3Traits {
  /** '' for an anonymous object. */
  readonly className: string;
  /** Sealed member names, written in this order before any dynamic members. */
  readonly sealed: readonly string[];
  readonly dynamic: boolean;
}

export interface Amf3Object {
  [key: string]: Amf3Value;
  [AMF3_TRAITS]?: Amf3Traits;
}

/** XML (0x0B) or a legacy XMLDocument (0x07). */
export class Amf3Xml {
  readonly xml: string;
  readonly document: boolean;
  constructor(xml: string, document = false) {
    this.xml = xml;
    this.document = document;
  }
}

/** An array with an associative part (string keys) besides its dense part. */
export class Amf3Array {
  readonly dense: Amf3Value[];
  readonly associative: Record<string, Amf3Value>;
  constructor(dense: Amf3Value[] = [], associative: Record<string, Amf3Value> = {}) {
    this.dense = dense;
    this.associative = associative;
  }
}

export type Amf3VectorKind = 'int' | 'uint' | 'double' | 'object';

/** Vector.<int>, Vector.<uint>, Vector.<Number> or Vector.<Object> (spec 3.15). */
export class Amf3Vector {
  readonly kind: Amf3VectorKind;
  readonly fixed: boolean;
  /** Element type name for object vectors ('' = '*'). */
  readonly className: string;
  readonly items: Amf3Value[];
  constructor(kind: Amf3VectorKind, items: Amf3Value[], fixed = false, className = '') {
    this.kind = kind;
    this.items = items;
    this.fixed = fixed;
    this.className = className;
  }
}

export type Amf3Value =
  | undefined
  | null
  | boolean
  | number
  | string
  | Date
  | Uint8Array
  | Amf3Xml
  | Amf3Array
  | Amf3Vector
  | Amf3Value[]
  | Amf3Object;

/** True for records (anonymous or typed objects), not arrays/dates/bytes/XML/vectors/null. */
export function isAmf3Object(v: Amf3Value): v is Amf3Object {
  return (
    typeof v === 'object' && v !== null && !Array.isArray(v) && !(v instanceof Date) && !(v instanceof Uint8Array) &&
    !(v instanceof Amf3Xml) && !(v instanceof Amf3Array) && !(v instanceof Amf3Vector)
  );
}

/** An object with traits (a typed or sealed object); without them an object encodes as anonymous and dynamic. */
export function amf3Object(traits: Amf3Traits, entries: Record<string, Amf3Value>): Amf3Object {
  const out: Amf3Object = { [AMF3_TRAITS]: traits };
  for (const [k, v] of Object.entries(entries)) setProperty(out, k, v);
  return out;
}

/** Own enumerable property, also for the key `__proto__` (plain assignment would change the prototype). */
function setProperty(obj: Record<string, Amf3Value>, key: string, value: Amf3Value): void {
  if (key === '__proto__') Object.defineProperty(obj, key, { value, enumerable: true, writable: true, configurable: true });
  else obj[key] = value;
}

const utf8Decoder = new TextDecoder('utf-8');
const utf8Encoder = new TextEncoder();

/** U29 range of the integer type (spec 3.6); numbers outside are written as doubles. */
const INT29_MIN = -(2 ** 28);
const INT29_MAX = 2 ** 28 - 1;
const U29_MAX = 2 ** 29 - 1;

// ---------------------------------------------------------------------------
// decode

/** Decodes one value at the reader's position with fresh reference tables (one AMF3 context). */
export function decodeAmf3(r: ByteReader): Amf3Value {
  return new Amf3Reader(r).value(0);
}

/** Decodes every value in `bytes`; they share one context, so later values may reference earlier ones. */
export function decodeAmf3All(bytes: Uint8Array): Amf3Value[] {
  const r = new ByteReader(bytes);
  const dec = new Amf3Reader(r);
  const out: Amf3Value[] = [];
  while (r.remaining > 0) out.push(dec.value(0));
  return out;
}

class Amf3Reader {
  private readonly r: ByteReader;
  private readonly strings: string[] = [];
  private readonly objects: Amf3Value[] = [];
  private readonly traits: Amf3Traits[] = [];

  constructor(r: ByteReader) {
    this.r = r;
  }

  value(depth: number): Amf3Value {
    const r = this.r;
    const marker = r.u8();
    switch (marker) {
      case AMF3_MARKER.undefined:
        return undefined;
      case AMF3_MARKER.null:
        return null;
      case AMF3_MARKER.false:
        return false;
      case AMF3_MARKER.true:
        return true;
      case AMF3_MARKER.integer: {
        const v = this.u29();
        return v & 0x10000000 ? v - 0x20000000 : v;
      }
      case AMF3_MARKER.double:
        return r.f64();
      case AMF3_MARKER.string:
        return this.string();
      case AMF3_MARKER.xmlDocument:
      case AMF3_MARKER.xml: {
        const h = this.u29();
        if ((h & 1) === 0) return this.ref(h >> 1);
        return this.keep(new Amf3Xml(this.utf8(h >> 1), marker === AMF3_MARKER.xmlDocument));
      }
      case AMF3_MARKER.date: {
        const h = this.u29();
        if ((h & 1) === 0) return this.ref(h >> 1);
        return this.keep(new Date(r.f64()));
      }
      case AMF3_MARKER.byteArray: {
        const h = this.u29();
        if ((h & 1) === 0) return this.ref(h >> 1);
        return this.keep(r.bytes(h >> 1, 'AMF3 ByteArray'));
      }
      case AMF3_MARKER.array:
        return this.array(depth);
      case AMF3_MARKER.object:
        return this.object(depth);
      case AMF3_MARKER.vectorInt:
      case AMF3_MARKER.vectorUint:
      case AMF3_MARKER.vectorDouble:
      case AMF3_MARKER.vectorObject:
        return this.vector(marker, depth);
      default:
        throw new ProtocolError('amf3_unsupported_marker', `AMF3 marker 0x${marker.toString(16)}`);
    }
  }

  /** U29 (spec 1.3.1): 1-4 bytes, 7 bits each with a continuation bit, all 8 bits in the fourth. */
  private u29(): number {
    const r = this.r;
    let v = 0;
    for (let i = 0; i < 3; i++) {
      const b = r.u8();
      v = (v << 7) | (b & 0x7f);
      if ((b & 0x80) === 0) return v;
    }
    return ((v << 8) | r.u8()) >>> 0;
  }

  private utf8(length: number): string {
    return length === 0 ? '' : utf8Decoder.decode(this.r.bytes(length, 'AMF3 string'));
  }

  /** UTF-8-vr (spec 1.3.2): a string-table reference or an inline string; '' is never kept. */
  private string(): string {
    const h = this.u29();
    if ((h & 1) === 0) {
      const s = this.strings[h >> 1];
      if (s === undefined) throw new ProtocolError('amf3_bad_reference', `AMF3 string reference ${h >> 1} of ${this.strings.length}`);
      return s;
    }
    const s = this.utf8(h >> 1);
    if (s !== '') this.strings.push(s);
    return s;
  }

  private ref(i: number): Amf3Value {
    if (i >= this.objects.length) throw new ProtocolError('amf3_bad_reference', `AMF3 object reference ${i} of ${this.objects.length}`);
    return this.objects[i];
  }

  private keep<T extends Amf3Value>(v: T): T {
    if (this.objects.length >= MAX_AMF3_OBJECTS) throw new ProtocolError('amf3_too_many_objects', `more than ${MAX_AMF3_OBJECTS} AMF3 objects`);
    this.objects.push(v);
    return v;
  }

  private deeper(depth: number): number {
    if (depth >= MAX_AMF3_DEPTH) throw new ProtocolError('amf3_too_deep', `AMF3 nesting deeper than ${MAX_AMF3_DEPTH}`);
    return depth + 1;
  }

  /** Every value takes at least one byte: a count above the bytes left is a lie, caught before looping. */
  private checkCount(count: number, minBytes: number, what: string): void {
    if (count * minBytes > this.r.remaining) {
      throw new ProtocolError('amf3_bad_length', `AMF3 ${what} count ${count} with ${this.r.remaining} bytes left`);
    }
  }

  private array(depth: number): Amf3Value {
    const h = this.u29();
    if ((h & 1) === 0) return this.ref(h >> 1);
    const d = this.deeper(depth);
    const count = h >> 1;
    const dense: Amf3Value[] = [];
    const associative: Record<string, Amf3Value> = {};
    // Kept before its members are read: they may refer back to it (spec 3.11).
    const index = this.objects.length;
    const holder = this.keep(new Amf3Array(dense, associative));
    let hasAssociative = false;
    for (let key = this.string(); key !== ''; key = this.string()) {
      setProperty(associative, key, this.value(d));
      hasAssociative = true;
    }
    this.checkCount(count, 1, 'array');
    if (hasAssociative) {
      for (let i = 0; i < count; i++) dense.push(this.value(d));
      return holder;
    }
    // A purely dense array reads as a JS array; swap it into the table in place of the holder.
    this.objects[index] = dense;
    for (let i = 0; i < count; i++) dense.push(this.value(d));
    return dense;
  }

  private object(depth: number): Amf3Value {
    const h = this.u29();
    if ((h & 1) === 0) return this.ref(h >> 1);
    const d = this.deeper(depth);
    let traits: Amf3Traits;
    if ((h & 2) === 0) {
      traits = this.traits[h >> 2]!;
      if (!traits) throw new ProtocolError('amf3_bad_reference', `AMF3 traits reference ${h >> 2} of ${this.traits.length}`);
    } else if (h & 4) {
      throw new ProtocolError('amf3_externalizable', `AMF3 externalizable object of class '${this.string()}'`);
    } else {
      const count = h >>> 4;
      const className = this.string();
      this.checkCount(count, 1, 'sealed member');
      const sealed: string[] = [];
      for (let i = 0; i < count; i++) sealed.push(this.string());
      traits = { className, sealed, dynamic: (h & 8) !== 0 };
      if (this.traits.length >= MAX_AMF3_OBJECTS) throw new ProtocolError('amf3_too_many_objects', 'too many AMF3 traits');
      this.traits.push(traits);
    }
    const obj: Amf3Object = {};
    if (traits.className !== '' || traits.sealed.length > 0 || !traits.dynamic) obj[AMF3_TRAITS] = traits;
    this.keep(obj);
    this.checkCount(traits.sealed.length, 1, 'sealed value');
    for (const name of traits.sealed) setProperty(obj, name, this.value(d));
    if (traits.dynamic) {
      for (let key = this.string(); key !== ''; key = this.string()) setProperty(obj, key, this.value(d));
    }
    return obj;
  }

  private vector(marker: number, depth: number): Amf3Value {
    const h = this.u29();
    if ((h & 1) === 0) return this.ref(h >> 1);
    const d = this.deeper(depth);
    const count = h >> 1;
    const fixed = this.r.u8() !== 0;
    const r = this.r;
    const items: Amf3Value[] = [];
    if (marker === AMF3_MARKER.vectorObject) {
      const className = this.string();
      const vec = this.keep(new Amf3Vector('object', items, fixed, className));
      this.checkCount(count, 1, 'vector');
      for (let i = 0; i < count; i++) items.push(this.value(d));
      return vec;
    }
    const kind = marker === AMF3_MARKER.vectorInt ? 'int' : marker === AMF3_MARKER.vectorUint ? 'uint' : 'double';
    this.checkCount(count, kind === 'double' ? 8 : 4, 'vector');
    for (let i = 0; i < count; i++) items.push(kind === 'int' ? r.i32() : kind === 'uint' ? r.u32() : r.f64());
    return this.keep(new Amf3Vector(kind, items, fixed));
  }
}

// ---------------------------------------------------------------------------
// encode

/** Encodes one value with fresh reference tables. */
export function encodeAmf3(value: Amf3Value): Uint8Array {
  const w = new Amf3Writer();
  w.value(value, 0);
  return w.finish();
}

class Amf3Writer extends ByteWriter {
  private readonly strings = new Map<string, number>();
  private readonly objects = new Map<object, number>();
  private readonly traits = new Map<string, number>();






  private u29(v: number): void {
    if (v < 0 || v > U29_MAX) throw new ProtocolError('amf3_bad_length', `${v} does not fit U29`);
    if (v < 0x80) this.u8(v);
    else if (v < 0x4000) {
      this.u8((v >> 7) | 0x80);
      this.u8(v & 0x7f);
    } else if (v < 0x200000) {
      this.u8((v >> 14) | 0x80);
      this.u8(((v >> 7) & 0x7f) | 0x80);
      this.u8(v & 0x7f);
    } else {
      this.u8((v >> 22) | 0x80);
      this.u8(((v >> 15) & 0x7f) | 0x80);
      this.u8(((v >> 8) & 0x7f) | 0x80);
      this.u8(v & 0xff);
    }
  }

  private string(s: string): void {
    if (s === '') return this.u8(0x01);
    const ref = this.strings.get(s);
    if (ref !== undefined) return this.u29(ref << 1);
    this.strings.set(s, this.strings.size);
    const b = utf8Encoder.encode(s);
    this.u29((b.length << 1) | 1);
    this.bytes(b);
  }

  /** Writes a reference and returns true if `o` was written before; else registers it. */
  private reference(o: object): boolean {
    const ref = this.objects.get(o);
    if (ref !== undefined) {
      this.u29(ref << 1);
      return true;
    }
    this.objects.set(o, this.objects.size);
    return false;
  }

  private deeper(depth: number): number {
    if (depth >= MAX_AMF3_DEPTH) throw new ProtocolError('amf3_too_deep', `AMF3 nesting deeper than ${MAX_AMF3_DEPTH}`);
    return depth + 1;
  }

  value(v: Amf3Value, depth: number): void {
    if (v === undefined) return this.u8(AMF3_MARKER.undefined);
    if (v === null) return this.u8(AMF3_MARKER.null);
    if (v === false) return this.u8(AMF3_MARKER.false);
    if (v === true) return this.u8(AMF3_MARKER.true);
    if (typeof v === 'number') {
      if (Number.isInteger(v) && v >= INT29_MIN && v <= INT29_MAX && !Object.is(v, -0)) {
        this.u8(AMF3_MARKER.integer);
        return this.u29(v & 0x1fffffff);
      }
      this.u8(AMF3_MARKER.double);
      return this.f64(v);
    }
    if (typeof v === 'string') {
      this.u8(AMF3_MARKER.string);
      return this.string(v);
    }
    if (v instanceof Date) {
      this.u8(AMF3_MARKER.date);
      if (this.reference(v)) return;
      this.u8(0x01);
      return this.f64(v.getTime());
    }
    if (v instanceof Uint8Array) {
      this.u8(AMF3_MARKER.byteArray);
      if (this.reference(v)) return;
      this.u29((v.length << 1) | 1);
      return this.bytes(v);
    }
    if (v instanceof Amf3Xml) {
      this.u8(v.document ? AMF3_MARKER.xmlDocument : AMF3_MARKER.xml);
      if (this.reference(v)) return;
      const b = utf8Encoder.encode(v.xml);
      this.u29((b.length << 1) | 1);
      return this.bytes(b);
    }
    const d = this.deeper(depth);
    if (Array.isArray(v) || v instanceof Amf3Array) {
      const dense = Array.isArray(v) ? v : v.dense;
      this.u8(AMF3_MARKER.array);
      if (this.reference(v)) return;
      this.u29((dense.length << 1) | 1);
      if (!Array.isArray(v)) {
        for (const [k, x] of Object.entries(v.associative)) {
          if (k === '') throw new ProtocolError('amf3_bad_key', 'AMF3 associative key may not be empty');
          this.string(k);
          this.value(x, d);
        }
      }
      this.u8(0x01); // end of the associative part
      for (const x of dense) this.value(x, d);
      return;
    }
    if (v instanceof Amf3Vector) return this.vector(v, d);
    this.object(v, d);
  }

  private vector(v: Amf3Vector, d: number): void {
    const marker = { int: AMF3_MARKER.vectorInt, uint: AMF3_MARKER.vectorUint, double: AMF3_MARKER.vectorDouble, object: AMF3_MARKER.vectorObject }[v.kind];
    this.u8(marker);
    if (this.reference(v)) return;
    this.u29((v.items.length << 1) | 1);
    this.u8(v.fixed ? 1 : 0);
    if (v.kind === 'object') {
      this.string(v.className);
      for (const x of v.items) this.value(x, d);
      return;
    }
    for (const x of v.items) {
      const n = Number(x);
      if (v.kind === 'double') this.f64(n);
      else if (v.kind === 'int') this.i32(n);
      else this.u32(n >>> 0);
    }
  }

  private object(o: Amf3Object, d: number): void {
    this.u8(AMF3_MARKER.object);
    if (this.reference(o)) return;
    const traits = o[AMF3_TRAITS] ?? { className: '', sealed: [], dynamic: true };
    const key = `${traits.dynamic ? 1 : 0}\u0000${traits.className}\u0000${traits.sealed.join('\u0000')}`;
    const ref = this.traits.get(key);
    if (ref !== undefined) this.u29((ref << 2) | 1);
    else {
      this.traits.set(key, this.traits.size);
      this.u29((traits.sealed.length << 4) | (traits.dynamic ? 8 : 0) | 3);
      this.string(traits.className);
      for (const name of traits.sealed) this.string(name);
    }
    for (const name of traits.sealed) this.value(o[name], d);
    if (!traits.dynamic) return;
    const sealed = new Set(traits.sealed);
    for (const [k, x] of Object.entries(o)) {
      if (sealed.has(k)) continue;
      if (k === '') throw new ProtocolError('amf3_bad_key', 'AMF3 dynamic member name may not be empty');
      this.string(k);
      this.value(x, d);
    }
    this.u8(0x01); // end of dynamic members
  }
}
