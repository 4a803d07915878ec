import { createHmac, timingSafeEqual } from 'node:crypto';

/**
 * What the UDP mux and the ICE guard read of STUN (RFC 8489) without
 * werift: is a datagram a request, the USERNAME of a Binding request
 * (RFC 8445 7.2.2: "<receiver's ufrag>:<sender's ufrag>"), and is its
 * MESSAGE-INTEGRITY signed with our ice-pwd (RFC 8489 14.5, short-term
 * credentials). Bounded: the header and at most MAX_ATTRIBUTES attributes
 * inside the datagram; anything malformed is "no", never an exception.
 */

const HEADER_BYTES = 20;
const MAGIC_COOKIE = 0x2112a442;
const BINDING_REQUEST = 0x0001;
const ATTR_USERNAME = 0x0006;
const ATTR_MESSAGE_INTEGRITY = 0x0008;
const HMAC_BYTES = 20;
/** RFC 8489 14.3: USERNAME is at most 513 bytes. */
const MAX_USERNAME_BYTES = 513;
const MAX_ATTRIBUTES = 32;

const utf8 = new TextDecoder('utf-8', { fatal: true });

/** Calls `visit(type, valueOffset, valueLength)` for each attribute until it returns a value; undefined if the message is malformed or none did. */
function findAttribute<T>(b: Uint8Array, visit: (type: number, at: number, len: number) => T | undefined): T | undefined {
  if (b.length < HEADER_BYTES || (b[0]! & 0xc0) !== 0) return undefined;
  const v = new DataView(b.buffer, b.byteOffset, b.byteLength);
  if (v.getUint32(4) !== MAGIC_COOKIE) return undefined;
  const length = v.getUint16(2);
  if (length % 4 !== 0 || HEADER_BYTES + length > b.length) return undefined;
  const end = HEADER_BYTES + length;
  let pos = HEADER_BYTES;
  for (let i = 0; i < MAX_ATTRIBUTES && pos + 4 <= end; i++) {
    const type = v.getUint16(pos);
    const len = v.getUint16(pos + 2);
    if (pos + 4 + len > end) return undefined;
    const found = visit(type, pos + 4, len);
    if (found !== undefined) return found;
    pos += 4 + ((len + 3) & ~3);
  }
  return undefined;
}

/** A STUN request (class bits C1 C0 = 0 0, RFC 8489 5) with the magic cookie. */
export function isStunRequest(b: Uint8Array): boolean {
  if (b.length < HEADER_BYTES || (b[0]! & 0xc0) !== 0) return false;
  const v = new DataView(b.buffer, b.byteOffset, b.byteLength);
  return (v.getUint16(0) & 0x0110) === 0 && v.getUint32(4) === MAGIC_COOKIE;
}

/** The USERNAME of a Binding request; undefined for anything else. */
export function stunBindingUsername(b: Uint8Array): string | undefined {
  if (b.length < HEADER_BYTES || ((b[0]! << 8) | b[1]!) !== BINDING_REQUEST) return undefined;
  // The visitor answers null for a USERNAME that is there but unusable (empty, too long, not UTF-8).
  const username = findAttribute<string | null>(b, (type, at, len) => {
    if (type !== ATTR_USERNAME) return undefined;
    if (len === 0 || len > MAX_USERNAME_BYTES) return null;
    try {
      return utf8.decode(b.subarray(at, at + len));
    } catch {
      return null;
    }
  });
  return username ?? undefined;
}

/** The receiver's (our) fragment of a Binding request's USERNAME "ours:theirs", or undefined. */
export function localUfragOf(username: string): string | undefined {
  const colon = username.indexOf(':');
  return colon <= 0 ? undefined : username.slice(0, colon);
}

/**
 * True when the message has a MESSAGE-INTEGRITY attribute whose HMAC-SHA1,
 * over the message up to it with the header length counting up to its end,
 * matches `key` (the ice-pwd's bytes).
 */
export function stunIntegrityValid(b: Uint8Array, key: Uint8Array): boolean {
  return findAttribute(b, (type, at, len) => {
    if (type !== ATTR_MESSAGE_INTEGRITY) return undefined;
    if (len !== HMAC_BYTES) return false;
    const signed = Buffer.from(b.subarray(0, at - 4));
    signed.writeUInt16BE(at + HMAC_BYTES - HEADER_BYTES, 2);
    const mac = createHmac('sha1', key).update(signed).digest();
    return timingSafeEqual(mac, b.subarray(at, at + HMAC_BYTES));
  }) ?? false;
}
