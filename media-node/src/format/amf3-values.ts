/** AMF3 values as JavaScript sees them, the markers and the decode/encode limits (see amf3.ts). */

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
export function setProperty(obj: Record<string, Amf3Value>, key: string, value: Amf3Value): void {
  if (key === '__proto__') Object.defineProperty(obj, key, { value, enumerable: true, writable: true, configurable: true });
  else obj[key] = value;
}

/** U29 range of the integer type (spec 3.6); numbers outside are written as doubles. */
export const INT29_MIN = -(2 ** 28);
export const INT29_MAX = 2 ** 28 - 1;
export const U29_MAX = 2 ** 29 - 1;
