import { ProtocolError } from '@runnel/shared';

/**
 * The key material message (draft-sharabayko-srt 3.2.2): carries the stream
 * encrypting key(s) wrapped (RFC 3394) with a key derived from the passphrase.
 * Sent as KMREQ in the caller's conclusion handshake and echoed back as KMRSP;
 * libsrt writes it in network order and does not word-swap it (unlike the
 * string extensions).
 *
 *   byte 0   S(1)=0 V(3)=1 PT(4)=2        bytes 1-2  Sign = 0x2029 ("HAI")
 *   byte 3   reserved(6) KK(2)            bytes 4-7  KEKI = 0
 *   byte 8   Cipher  9 Auth  10 SE  11 reserved       12-13 reserved
 *   byte 14  SLen/4  15 KLen/4            Salt[SLen], Wrapped key[8 + KLen * keys]
 */

/** Cipher field values (draft-sharabayko-srt 3.2.2). libsrt 1.5.1 uses AES-CTR only. */
export const KM_CIPHER = { none: 0, aesEcb: 1, aesCtr: 2, aesCbc: 3, aesGcm: 4 } as const;

/** Stream encapsulation "SE": 2 = SRT (1 was MPEG-TS/UDP in HaiCrypt). */
export const KM_SE_SRT = 2;

/** "HAI" as a PnP vendor id: the Sign field. */
export const KM_SIGN = 0x2029;

/** Salt length: HaiCrypt and libsrt only use 128-bit salts (`HAICRYPT_SALT_SZ`). */
export const KM_SALT_BYTES = 16;

/** The 64-bit integrity check value RFC 3394 prepends to wrapped keys. */
export const KEY_WRAP_OVERHEAD = 8;

/** Key lengths AES allows: 128, 192, 256 bits (SRTO_PBKEYLEN). */
export const KEY_LENGTHS: readonly number[] = [16, 24, 32];

export type KmKeys = 'even' | 'odd' | 'both';
const KK: Record<number, KmKeys> = { 1: 'even', 2: 'odd', 3: 'both' };
const KK_BITS: Record<KmKeys, number> = { even: 1, odd: 2, both: 3 };

export interface KeyMaterial {
  readonly keys: KmKeys;
  readonly keki: number;
  readonly cipher: number;
  readonly auth: number;
  readonly se: number;
  readonly salt: Uint8Array;
  readonly keyLength: number;
  /** ICV + wrapped even key [+ wrapped odd key]. */
  readonly wrappedKeys: Uint8Array;
}

const HEADER = 16;

/** Byte size of a key material message with these parameters. */
export function keyMaterialSize(keyLength: number, keys: KmKeys): number {
  return HEADER + KM_SALT_BYTES + KEY_WRAP_OVERHEAD + keyLength * (keys === 'both' ? 2 : 1);
}

/** Largest key material message: two 256-bit keys (120 bytes). */
export const MAX_KEY_MATERIAL_BYTES = keyMaterialSize(32, 'both');

export function decodeKeyMaterial(b: Uint8Array): KeyMaterial {
  if (b.length < HEADER) throw new ProtocolError('srt_km_length', `key material of ${b.length} bytes`);
  const v = new DataView(b.buffer, b.byteOffset, b.byteLength);
  if (b[0] !== 0x12) throw new ProtocolError('srt_km_header', `key material version/type byte 0x${b[0]!.toString(16)}`);
  if (v.getUint16(1) !== KM_SIGN) throw new ProtocolError('srt_km_header', 'key material sign is not 0x2029');
  const keys = KK[b[3]! & 3];
  if (!keys) throw new ProtocolError('srt_km_header', 'key material without a key (KK=0)');
  const saltLength = b[14]! * 4;
  const keyLength = b[15]! * 4;
  if (saltLength !== KM_SALT_BYTES) throw new ProtocolError('srt_km_salt_length', `salt of ${saltLength} bytes`);
  if (!KEY_LENGTHS.includes(keyLength)) throw new ProtocolError('srt_km_key_length', `key of ${keyLength} bytes`);
  const size = keyMaterialSize(keyLength, keys);
  if (b.length !== size) throw new ProtocolError('srt_km_length', `key material of ${b.length} bytes, its fields say ${size}`);
  return {
    keys,
    keki: v.getUint32(4),
    cipher: b[8]!,
    auth: b[9]!,
    se: b[10]!,
    salt: b.subarray(HEADER, HEADER + KM_SALT_BYTES),
    keyLength,
    wrappedKeys: b.subarray(HEADER + KM_SALT_BYTES),
  };
}

export function encodeKeyMaterial(km: KeyMaterial): Uint8Array {
  const size = keyMaterialSize(km.keyLength, km.keys);
  if (km.salt.length !== KM_SALT_BYTES || HEADER + KM_SALT_BYTES + km.wrappedKeys.length !== size) {
    throw new RangeError('key material fields do not match its key length');
  }
  const out = new Uint8Array(size);
  const v = new DataView(out.buffer);
  out[0] = 0x12;
  v.setUint16(1, KM_SIGN);
  out[3] = KK_BITS[km.keys];
  v.setUint32(4, km.keki >>> 0);
  out[8] = km.cipher;
  out[9] = km.auth;
  out[10] = km.se;
  out[14] = KM_SALT_BYTES / 4;
  out[15] = km.keyLength / 4;
  out.set(km.salt, HEADER);
  out.set(km.wrappedKeys, HEADER + KM_SALT_BYTES);
  return out;
}
