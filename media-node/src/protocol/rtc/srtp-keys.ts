import { createSecretKey, KeyObject } from 'node:crypto';

/**
 * werift's SRTP ciphers (CipherAesGcm, CipherAesCtr) call createCipheriv /
 * createHmac once per packet with the session key as a Buffer, and Node 24
 * turns a Buffer key into a key object on every call: measured here, an
 * AES-128-GCM packet of 1 200 bytes costs ~17 us with a Buffer key and
 * ~5.6 us with a KeyObject; AES-CTR + HMAC-SHA1 ~29 us vs ~6-8 us. That is
 * most of a WHEP player's CPU. These four fields are only ever passed to
 * those functions (werift 0.25 rtp/src/srtp/cipher), which take a KeyObject
 * as well, so they are made KeyObjects once per session.
 */
const KEY_FIELDS = ['srtpSessionKey', 'srtcpSessionKey', 'srtpSessionAuthTag', 'srtcpSessionAuthTag'] as const;

/** Swaps a werift cipher's Buffer keys for KeyObjects; returns how many fields it changed. */
export function cipherKeysToKeyObjects(cipher: unknown): number {
  if (typeof cipher !== 'object' || cipher === null) return 0;
  const c = cipher as Record<string, unknown>;
  let changed = 0;
  for (const field of KEY_FIELDS) {
    const v = c[field];
    if (v instanceof KeyObject || !Buffer.isBuffer(v) || v.length === 0) continue;
    c[field] = createSecretKey(v);
    changed++;
  }
  return changed;
}

/** werift's SrtpSession/SrtcpSession: a local (encrypt) and a remote (decrypt) context, each with a cipher. */
interface SessionLike {
  readonly localContext?: { readonly cipher?: unknown };
  readonly remoteContext?: { readonly cipher?: unknown };
}
interface DtlsTransportLike {
  srtp?: SessionLike;
  srtcp?: SessionLike;
  updateSrtpSession?: () => void;
}

function convertSession(s: SessionLike | undefined): number {
  return s === undefined ? 0 : cipherKeysToKeyObjects(s.localContext?.cipher) + cipherKeysToKeyObjects(s.remoteContext?.cipher);
}

/**
 * Makes every SRTP session a werift DTLS transport creates (on DTLS
 * connect) use KeyObjects; `converted` hears how many key fields were
 * swapped each time (0: werift's ciphers changed shape). Internal API,
 * checked structurally: false (and nothing changed) if werift's transport
 * is not as expected.
 */
export function useKeyObjectsForSrtp(dtlsTransport: unknown, converted: (fields: number) => void = () => {}): boolean {
  if (typeof dtlsTransport !== 'object' || dtlsTransport === null) return false;
  const t = dtlsTransport as DtlsTransportLike;
  const original = t.updateSrtpSession;
  if (typeof original !== 'function') return false;
  t.updateSrtpSession = function updateSrtpSessionWithKeyObjects(this: DtlsTransportLike) {
    original.call(this);
    converted(convertSession(this.srtp) + convertSession(this.srtcp));
  };
  return true;
}
