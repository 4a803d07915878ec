import { createCipheriv } from 'node:crypto';

/**
 * AES-CTR of data packet payloads (draft-sharabayko-srt 6.2.1; haicrypt
 * `hcrypt_SetCtrIV`). The 128-bit counter block is the first 112 bits of the
 * KM salt XORed with the packet sequence number (big-endian, bytes 10-13),
 * followed by a 16-bit block counter from 0; a live payload (at most 91
 * blocks) never carries into the salt. Encryption and decryption are the same
 * operation.
 */
export function ctrIv(salt: Uint8Array, seq: number): Uint8Array {
  const iv = new Uint8Array(16);
  iv.set(salt.subarray(0, 14));
  iv[10] = iv[10]! ^ ((seq >>> 24) & 0xff);
  iv[11] = iv[11]! ^ ((seq >>> 16) & 0xff);
  iv[12] = iv[12]! ^ ((seq >>> 8) & 0xff);
  iv[13] = iv[13]! ^ (seq & 0xff);
  return iv;
}

const CTR: Record<number, string> = { 16: 'aes-128-ctr', 24: 'aes-192-ctr', 32: 'aes-256-ctr' };

/** Encrypts or decrypts `payload` of packet `seq` into a new buffer. */
export function ctrCrypt(key: Uint8Array, salt: Uint8Array, seq: number, payload: Uint8Array): Uint8Array {
  const algorithm = CTR[key.length];
  if (!algorithm) throw new RangeError(`AES key of ${key.length} bytes`);
  const c = createCipheriv(algorithm, key, ctrIv(salt, seq));
  return new Uint8Array(Buffer.concat([c.update(payload), c.final()]));
}
