import { createHmac, timingSafeEqual } from 'node:crypto';

/**
 * The "complex" (digest) handshake of Flash Player 9+ and FMS 3+, which the
 * Adobe RTMP spec 1.0 does not describe. The scheme below is what FMS, Flash,
 * librtmp, ffmpeg (libavformat/rtmpproto.c), nginx-rtmp and SRS implement:
 *
 * C1/S1 = time(4) version(4) then two 764-byte blocks, key and digest, in
 * either order ("schema 0": key first, digest block at 772; "schema 1": digest
 * first, block at 8). A digest block starts with 4 bytes whose sum mod 728 is
 * the offset of the 32-byte digest after them; the digest is HMAC-SHA256 over
 * the 1536-byte packet minus those 32 bytes, keyed with the first 30 bytes of
 * the player key (client) or 36 of the server key (server).
 *
 * C2/S2 = 1504 random bytes + HMAC-SHA256(packet[0..1504], key) where key =
 * HMAC-SHA256(peer's C1/S1 digest, full 62/68-byte key of the side signing).
 */

export const HANDSHAKE_SIZE = 1536;

/** What a handshake side returns for each input. */
export interface HandshakeStep {
  /** Bytes to send now (S0S1S2 / C2), if any. */
  readonly send: Uint8Array | null;
  readonly done: boolean;
  /** Bytes that arrived after the handshake: the first chunks. */
  readonly rest: Uint8Array;
}

/** Source of random bytes (injected so tests are deterministic); node:crypto randomBytes by default. */
export type RandomBytes = (n: number) => Uint8Array;
/** C0/S0: plain RTMP. 6 (RTMPE) and anything else are refused (bad-inputs row 1). */
export const RTMP_VERSION = 3;

const DIGEST_BYTES = 32;
/** 764-byte block minus the 4 offset bytes and the 32-byte digest. */
const DIGEST_OFFSET_MODULO = 728;

const KEY_TAIL = [
  0xf0, 0xee, 0xc2, 0x4a, 0x80, 0x68, 0xbe, 0xe8, 0x2e, 0x00, 0xd0, 0xd1, 0x02, 0x9e, 0x7e, 0x57,
  0x6e, 0xec, 0x5d, 0x2d, 0x29, 0x80, 0x6f, 0xab, 0x93, 0xb8, 0xe6, 0x36, 0xcf, 0xeb, 0x31, 0xae,
];
const ascii = (s: string) => [...s].map((c) => c.charCodeAt(0));

/** "Genuine Adobe Flash Media Server 001" + 32 bytes (68). */
export const FMS_KEY = new Uint8Array([...ascii('Genuine Adobe Flash Media Server 001'), ...KEY_TAIL]);
/** "Genuine Adobe Flash Player 001" + 32 bytes (62). */
export const FP_KEY = new Uint8Array([...ascii('Genuine Adobe Flash Player 001'), ...KEY_TAIL]);
/** The partial keys that sign C1 (player, 30 bytes) and S1 (server, 36 bytes). */
export const FP_KEY_PARTIAL = FP_KEY.subarray(0, 30);
export const FMS_KEY_PARTIAL = FMS_KEY.subarray(0, 36);

/** 0: key block then digest block; 1: digest block then key block. */
export type DigestSchema = 0 | 1;

export function hmacSha256(key: Uint8Array, ...data: Uint8Array[]): Uint8Array {
  const h = createHmac('sha256', key);
  for (const d of data) h.update(d);
  return new Uint8Array(h.digest());
}

/** Where the digest sits in a C1/S1 packet for `schema`. */
export function digestOffset(packet: Uint8Array, schema: DigestSchema): number {
  const base = schema === 0 ? 772 : 8;
  const sum = packet[base]! + packet[base + 1]! + packet[base + 2]! + packet[base + 3]!;
  return (sum % DIGEST_OFFSET_MODULO) + base + 4;
}

/** HMAC of the packet without the 32 digest bytes at `offset`. */
function packetDigest(packet: Uint8Array, offset: number, key: Uint8Array): Uint8Array {
  return hmacSha256(key, packet.subarray(0, offset), packet.subarray(offset + DIGEST_BYTES));
}

/** Finds a valid digest in a C1/S1 (trying both schemas) or returns null (a simple-handshake peer). */
export function findDigest(packet: Uint8Array, key: Uint8Array): { schema: DigestSchema; digest: Uint8Array } | null {
  for (const schema of [0, 1] as const) {
    const off = digestOffset(packet, schema);
    const digest = packet.subarray(off, off + DIGEST_BYTES);
    if (timingSafeEqual(packetDigest(packet, off, key), digest)) return { schema, digest };
  }
  return null;
}

/** Writes the digest into a C1/S1 for `schema` and returns it. */
export function imprintDigest(packet: Uint8Array, schema: DigestSchema, key: Uint8Array): Uint8Array {
  const off = digestOffset(packet, schema);
  packet.set(packetDigest(packet, off, key), off);
  return packet.subarray(off, off + DIGEST_BYTES);
}

/** Signs a C2/S2 in place: last 32 bytes = HMAC(packet[0..1504], HMAC(peerDigest, fullKey)). */
export function imprintResponse(packet: Uint8Array, peerDigest: Uint8Array, fullKey: Uint8Array): void {
  const end = HANDSHAKE_SIZE - DIGEST_BYTES;
  packet.set(hmacSha256(hmacSha256(fullKey, peerDigest), packet.subarray(0, end)), end);
}

/** Checks a C2/S2 signed over `ourDigest` with the peer's full key. */
export function verifyResponse(packet: Uint8Array, ourDigest: Uint8Array, peerFullKey: Uint8Array): boolean {
  const end = HANDSHAKE_SIZE - DIGEST_BYTES;
  const want = hmacSha256(hmacSha256(peerFullKey, ourDigest), packet.subarray(0, end));
  return timingSafeEqual(want, packet.subarray(end, HANDSHAKE_SIZE));
}
