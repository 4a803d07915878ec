import { ByteWriter, ProtocolError } from '@runnel/shared';
import {
  AMF3_MARKER,
  AMF3_TRAITS,
  Amf3Array,
  Amf3Vector,
  Amf3Xml,
  INT29_MAX,
  INT29_MIN,
  MAX_AMF3_DEPTH,
  U29_MAX,
  type Amf3Object,
  type Amf3Value,
} from './amf3-values.ts';

/** AMF3 encoding (spec section 3): repeated strings, objects and traits are written as references. */

const utf8Encoder = new TextEncoder();

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
