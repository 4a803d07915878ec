import { createCipheriv, createDecipheriv, pbkdf2Sync } from 'node:crypto';

/**
 * Key derivation and key wrapping of SRT encryption (draft-sharabayko-srt
 * 6.1.4-6.1.5; libsrt haicrypt `hcryptCtx_GenSecret`, `km_setkey`):
 * KEK = PBKDF2-HMAC-SHA1(passphrase, last 8 bytes of the KM salt, 2048
 * iterations, key length); the stream encrypting key(s) travel wrapped with
 * AES key wrap (RFC 3394, default IV A6A6A6A6A6A6A6A6).
 */

/** PBKDF2 iterations (HAICRYPT_PBKDF2_ITER_CNT). */
export const PBKDF2_ITERATIONS = 2048;

/** Bytes of the salt's end that salt PBKDF2 (HAICRYPT_PBKDF2_SALT_LEN). */
export const PBKDF2_SALT_BYTES = 8;

/** Passphrase length libsrt accepts (SRTO_PASSPHRASE: 10 to 80 characters). */
export const MIN_PASSPHRASE_LENGTH = 10;
export const MAX_PASSPHRASE_LENGTH = 80;

const RFC3394_IV = new Uint8Array([0xa6, 0xa6, 0xa6, 0xa6, 0xa6, 0xa6, 0xa6, 0xa6]);
const WRAP_ALGORITHM: Record<number, string> = { 16: 'id-aes128-wrap', 24: 'id-aes192-wrap', 32: 'id-aes256-wrap' };

/** The key encrypting key for a passphrase and a KM salt. */
export function deriveKek(passphrase: string, salt: Uint8Array, keyLength: number): Uint8Array {
  const pbkdfSalt = salt.subarray(Math.max(0, salt.length - PBKDF2_SALT_BYTES));
  return new Uint8Array(pbkdf2Sync(passphrase, pbkdfSalt, PBKDF2_ITERATIONS, keyLength, 'sha1'));
}

function algorithm(kek: Uint8Array): string {
  const a = WRAP_ALGORITHM[kek.length];
  if (!a) throw new RangeError(`KEK of ${kek.length} bytes`);
  return a;
}

/** RFC 3394 wrap: 8 bytes longer than `keys`. */
export function wrapKeys(kek: Uint8Array, keys: Uint8Array): Uint8Array {
  const c = createCipheriv(algorithm(kek), kek, RFC3394_IV);
  return new Uint8Array(Buffer.concat([c.update(keys), c.final()]));
}

/** RFC 3394 unwrap; null when the integrity check fails (a wrong passphrase). */
export function unwrapKeys(kek: Uint8Array, wrapped: Uint8Array): Uint8Array | null {
  try {
    const d = createDecipheriv(algorithm(kek), kek, RFC3394_IV);
    return new Uint8Array(Buffer.concat([d.update(wrapped), d.final()]));
  } catch {
    return null;
  }
}
