import type { PacketKey } from '../packets/data-packet.ts';
import { KEY_LENGTHS, KM_CIPHER, KM_SALT_BYTES, KM_SE_SRT, type KeyMaterial } from '../packets/key-material.ts';
import { deriveKek, MAX_PASSPHRASE_LENGTH, MIN_PASSPHRASE_LENGTH, unwrapKeys, wrapKeys } from './key-wrap.ts';
import { ctrCrypt } from './payload-cipher.ts';

/** Why key material was not accepted (maps to KM states and reject reasons). */
export type KmProblem = 'bad_secret' | 'cipher_unsupported';

/** Throws unless `passphrase` has the length libsrt accepts (SRTO_PASSPHRASE). */
export function checkPassphrase(passphrase: string): void {
  if (passphrase.length < MIN_PASSPHRASE_LENGTH || passphrase.length > MAX_PASSPHRASE_LENGTH) {
    throw new RangeError(`SRT passphrase must be ${MIN_PASSPHRASE_LENGTH}-${MAX_PASSPHRASE_LENGTH} characters`);
  }
}

/**
 * The encryption state of one connection (draft-sharabayko-srt 6): the KM
 * salt and the even/odd stream encrypting keys. In handshake v5 both
 * directions use the keys the caller generated. A key announcement from the
 * peer (KMREQ, also mid-stream for a key switch) replaces the keys it
 * carries; packets say which key encrypted them (KK).
 */
export class StreamCrypto {
  readonly keyLength: number;
  private readonly passphrase: string;
  private salt: Uint8Array;
  private even: Uint8Array | null;
  private odd: Uint8Array | null;
  private readonly sendKey: 'even' | 'odd';
  /** The last key material accepted or created: what a KMRSP echoes. */
  keyMaterial: KeyMaterial;

  private constructor(passphrase: string, km: KeyMaterial, even: Uint8Array | null, odd: Uint8Array | null) {
    this.passphrase = passphrase;
    this.keyLength = km.keyLength;
    this.salt = km.salt;
    this.even = even;
    this.odd = odd;
    this.sendKey = even ? 'even' : 'odd';
    this.keyMaterial = km;
  }

  /** New keys for a caller: a random salt and even key, wrapped for the KMREQ. */
  static create(passphrase: string, keyLength: number, random: (n: number) => Uint8Array): StreamCrypto {
    checkPassphrase(passphrase);
    if (!KEY_LENGTHS.includes(keyLength)) throw new RangeError(`SRT key length ${keyLength} (16, 24 or 32)`);
    const salt = random(KM_SALT_BYTES);
    const sek = random(keyLength);
    const wrappedKeys = wrapKeys(deriveKek(passphrase, salt, keyLength), sek);
    const km: KeyMaterial = { keys: 'even', keki: 0, cipher: KM_CIPHER.aesCtr, auth: 0, se: KM_SE_SRT, salt, keyLength, wrappedKeys };
    return new StreamCrypto(passphrase, km, sek, null);
  }

  /** Keys from the peer's KMREQ, or why they cannot be used. */
  static accept(passphrase: string, km: KeyMaterial): StreamCrypto | KmProblem {
    const keys = StreamCrypto.unwrap(passphrase, km);
    if (typeof keys === 'string') return keys;
    return new StreamCrypto(passphrase, km, keys.even, keys.odd);
  }

  private static unwrap(passphrase: string, km: KeyMaterial): { even: Uint8Array | null; odd: Uint8Array | null } | KmProblem {
    if (km.cipher !== KM_CIPHER.aesCtr || km.auth !== 0) return 'cipher_unsupported';
    const plain = unwrapKeys(deriveKek(passphrase, km.salt, km.keyLength), km.wrappedKeys);
    if (!plain) return 'bad_secret';
    const k = km.keyLength;
    if (km.keys === 'both') return { even: plain.subarray(0, k), odd: plain.subarray(k, 2 * k) };
    return km.keys === 'even' ? { even: plain, odd: null } : { even: null, odd: plain };
  }

  /** A mid-stream KMREQ (key switch): installs the keys it carries. */
  update(km: KeyMaterial): KmProblem | null {
    if (km.keyLength !== this.keyLength) return 'cipher_unsupported';
    const keys = StreamCrypto.unwrap(this.passphrase, km);
    if (typeof keys === 'string') return keys;
    this.salt = km.salt;
    if (keys.even) this.even = keys.even;
    if (keys.odd) this.odd = keys.odd;
    this.keyMaterial = km;
    return null;
  }

  /** The clear payload, or null when we do not hold the key the packet names. */
  decrypt(key: PacketKey, seq: number, payload: Uint8Array): Uint8Array | null {
    const k = key === 'even' ? this.even : key === 'odd' ? this.odd : null;
    return k ? ctrCrypt(k, this.salt, seq, payload) : null;
  }

  encrypt(seq: number, payload: Uint8Array): { key: PacketKey; payload: Uint8Array } {
    const k = this.sendKey === 'even' ? this.even! : this.odd!;
    return { key: this.sendKey, payload: ctrCrypt(k, this.salt, seq, payload) };
  }
}
