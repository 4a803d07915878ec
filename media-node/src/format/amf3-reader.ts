import { ByteReader, ProtocolError } from '@runnel/shared';
import {
  AMF3_MARKER,
  AMF3_TRAITS,
  Amf3Array,
  Amf3Vector,
  Amf3Xml,
  MAX_AMF3_DEPTH,
  MAX_AMF3_OBJECTS,
  setProperty,
  type Amf3Object,
  type Amf3Traits,
  type Amf3Value,
} from './amf3-values.ts';

/** AMF3 decoding (spec section 3): one reader is one context with its string, object and traits tables. */

const utf8Decoder = new TextDecoder('utf-8');

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
