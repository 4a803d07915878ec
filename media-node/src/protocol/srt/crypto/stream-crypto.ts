import type { PacketKey } from '../packets/data-packet.ts';
import { encodeKeyMaterial, KEY_LENGTHS, KM_CIPHER, KM_SALT_BYTES, KM_SE_SRT, type KeyMaterial, type KmKeys } from '../packets/key-material.ts';
import { deriveKek, MAX_PASSPHRASE_LENGTH, MIN_PASSPHRASE_LENGTH, unwrapKeys, wrapKeys } from './key-wrap.ts';
import { ctrCrypt } from './payload-cipher.ts';

/** Why key material was not accepted (maps to KM states and reject reasons). */
export type KmProblem = 'bad_secret' | 'cipher_unsupported';

/** Packets sent with one key before switching to the other: HAICRYPT_DEF_KM_REFRESH_RATE (SRTO_KMREFRESHRATE). */
export const KM_REFRESH_RATE = 0x1000000;
/** The next key is announced this many packets before the switch, the old one kept as long after: HAICRYPT_DEF_KM_PRE_ANNOUNCE. */
export const KM_PRE_ANNOUNCE = 0x1000;

export interface KeyRefresh {
  readonly rate: number;
  readonly preAnnounce: number;
}

/** Throws unless `passphrase` has the length libsrt accepts (SRTO_PASSPHRASE). */
export function checkPassphrase(passphrase: string): void {
  if (passphrase.length < MIN_PASSPHRASE_LENGTH || passphrase.length > MAX_PASSPHRASE_LENGTH) {
    throw new RangeError(`SRT passphrase must be ${MIN_PASSPHRASE_LENGTH}-${MAX_PASSPHRASE_LENGTH} characters`);
  }
}

interface Keys {
  salt: Uint8Array;
  even: Uint8Array | null;
  odd: Uint8Array | null;
}

type Parity = 'even' | 'odd';
const other = (p: Parity): Parity => (p === 'even' ? 'odd' : 'even');

/**
 * The encryption state of one connection (draft-sharabayko-srt 6). In
 * handshake v5 both directions start with the keys the caller generated; then
 * each direction is keyed by its sender:
 *
 * - receiving: packets say which key encrypted them (KK); a KMREQ from the
 *   peer (also mid-stream) installs the keys it carries;
 * - sending: like libsrt's haicrypt, after `rate - preAnnounce` packets a new
 *   key for the other parity is made and announced with both keys, after
 *   `rate` packets we switch to it, `preAnnounce` packets later the old key is
 *   retired (announced with the new key alone). `announcement` is the key
 *   material the connection must send (KMREQ) until the peer echoes it.
 */
export class StreamCrypto {
  readonly keyLength: number;
  private readonly passphrase: string;
  private readonly rx: Keys;
  private readonly tx: Keys;
  private sendKey: Parity;
  private readonly random: ((n: number) => Uint8Array) | null;
  private readonly refresh: KeyRefresh;
  private sentWithKey = 0;
  private phase: 'stable' | 'announced' | 'switched' = 'stable';
  /** The handshake's key material: what a KMRSP in the handshake echoes. */
  readonly keyMaterial: KeyMaterial;
  /** Key material to announce to the peer (KMREQ), null when the peer has what it needs. */
  announcement: KeyMaterial | null = null;

  private constructor(passphrase: string, km: KeyMaterial, keys: Keys, random: ((n: number) => Uint8Array) | null, refresh: KeyRefresh) {
    this.passphrase = passphrase;
    this.keyLength = km.keyLength;
    this.rx = { ...keys };
    this.tx = { ...keys };
    this.sendKey = keys.even ? 'even' : 'odd';
    this.keyMaterial = km;
    this.random = random;
    if (refresh.preAnnounce < 1 || refresh.preAnnounce * 2 > refresh.rate) throw new RangeError('key pre-announce must be 1..rate/2');
    this.refresh = refresh;
  }

  /** New keys for a caller: a random salt and even key, wrapped for the KMREQ. */
  static create(passphrase: string, keyLength: number, random: (n: number) => Uint8Array, refresh?: KeyRefresh): StreamCrypto {
    checkPassphrase(passphrase);
    if (!KEY_LENGTHS.includes(keyLength)) throw new RangeError(`SRT key length ${keyLength} (16, 24 or 32)`);
    const salt = random(KM_SALT_BYTES);
    const sek = random(keyLength);
    const km = StreamCrypto.assemble(passphrase, salt, keyLength, 'even', sek);
    return new StreamCrypto(passphrase, km, { salt, even: sek, odd: null }, random, refresh ?? { rate: KM_REFRESH_RATE, preAnnounce: KM_PRE_ANNOUNCE });
  }

  /** Keys from the peer's KMREQ, or why they cannot be used. `random` lets our sending side refresh keys. */
  static accept(passphrase: string, km: KeyMaterial, random?: (n: number) => Uint8Array, refresh?: KeyRefresh): StreamCrypto | KmProblem {
    const keys = StreamCrypto.unwrap(passphrase, km);
    if (typeof keys === 'string') return keys;
    return new StreamCrypto(passphrase, km, keys, random ?? null, refresh ?? { rate: KM_REFRESH_RATE, preAnnounce: KM_PRE_ANNOUNCE });
  }

  private static assemble(passphrase: string, salt: Uint8Array, keyLength: number, keys: KmKeys, plain: Uint8Array): KeyMaterial {
    const wrappedKeys = wrapKeys(deriveKek(passphrase, salt, keyLength), plain);
    return { keys, keki: 0, cipher: KM_CIPHER.aesCtr, auth: 0, se: KM_SE_SRT, salt, keyLength, wrappedKeys };
  }

  private static unwrap(passphrase: string, km: KeyMaterial): Keys | KmProblem {
    if (km.cipher !== KM_CIPHER.aesCtr || km.auth !== 0) return 'cipher_unsupported';
    const plain = unwrapKeys(deriveKek(passphrase, km.salt, km.keyLength), km.wrappedKeys);
    if (!plain) return 'bad_secret';
    const k = km.keyLength;
    if (km.keys === 'both') return { salt: km.salt, even: plain.subarray(0, k), odd: plain.subarray(k, 2 * k) };
    return km.keys === 'even' ? { salt: km.salt, even: plain, odd: null } : { salt: km.salt, even: null, odd: plain };
  }

  /** A KMREQ from the peer (a key switch on its side): installs the keys it carries for receiving. */
  update(km: KeyMaterial): KmProblem | null {
    if (km.keyLength !== this.keyLength) return 'cipher_unsupported';
    const keys = StreamCrypto.unwrap(this.passphrase, km);
    if (typeof keys === 'string') return keys;
    this.rx.salt = keys.salt;
    if (keys.even) this.rx.even = keys.even;
    if (keys.odd) this.rx.odd = keys.odd;
    return null;
  }

  /** The peer echoed key material (KMRSP): the announcement it matches is done. */
  acknowledge(km: KeyMaterial): void {
    if (this.announcement && sameBytes(encodeKeyMaterial(km), encodeKeyMaterial(this.announcement))) this.announcement = null;
  }

  /** The clear payload, or null when we do not hold the key the packet names. */
  decrypt(key: PacketKey, seq: number, payload: Uint8Array): Uint8Array | null {
    const k = key === 'even' ? this.rx.even : key === 'odd' ? this.rx.odd : null;
    return k ? ctrCrypt(k, this.rx.salt, seq, payload) : null;
  }

  encrypt(seq: number, payload: Uint8Array): { key: PacketKey; payload: Uint8Array } {
    this.manageKeys();
    this.sentWithKey++;
    const k = this.tx[this.sendKey]!;
    return { key: this.sendKey, payload: ctrCrypt(k, this.tx.salt, seq, payload) };
  }

  /** haicrypt hcryptCtx_Tx_ManageKM: refresh + pre-announce, switch, retire the old key. */
  private manageKeys(): void {
    if (!this.random) return;
    const { rate, preAnnounce } = this.refresh;
    const next = other(this.sendKey);
    if (this.phase === 'announced' && this.sentWithKey >= rate) {
      this.sendKey = next;
      this.sentWithKey = 0;
      this.phase = 'switched';
    } else if (this.phase === 'stable' && this.sentWithKey >= rate - preAnnounce) {
      const fresh = this.random(this.keyLength);
      this.tx[next] = fresh;
      const both = new Uint8Array(2 * this.keyLength);
      both.set(this.tx.even!, 0);
      both.set(this.tx.odd!, this.keyLength);
      this.announcement = StreamCrypto.assemble(this.passphrase, this.tx.salt, this.keyLength, 'both', both);
      this.phase = 'announced';
    } else if (this.phase === 'switched' && this.sentWithKey >= preAnnounce) {
      this.tx[next] = null;
      this.announcement = StreamCrypto.assemble(this.passphrase, this.tx.salt, this.keyLength, this.sendKey, this.tx[this.sendKey]!);
      this.phase = 'stable';
    }
  }
}

function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  return a.length === b.length && a.every((x, i) => x === b[i]);
}
