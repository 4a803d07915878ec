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
export {
  AMF3_MARKER,
  MAX_AMF3_DEPTH,
  MAX_AMF3_OBJECTS,
  AMF3_TRAITS,
  Amf3Xml,
  Amf3Array,
  Amf3Vector,
  isAmf3Object,
  amf3Object,
  type Amf3Traits,
  type Amf3Object,
  type Amf3VectorKind,
  type Amf3Value,
} from './amf3-values.ts';
export { decodeAmf3, decodeAmf3All } from './amf3-reader.ts';
export { encodeAmf3 } from './amf3-writer.ts';
