/**
 * Ids and secrets. Ids are `prefix_` + 10 characters of millisecond time +
 * 16 random characters (the ULID layout, in lowercase Crockford base32), so
 * they sort by creation time and a list cursor can be the last id seen.
 * Secrets are random characters from the same alphabet: letters and digits
 * only, so they survive RTMP stream names, SRT streamids (`,` and `=` are
 * delimiters there) and URLs without escaping.
 */

/** Crockford base32, lowercase: no i, l, o, u (nothing to misread when typed from a screen). */
const ALPHABET = '0123456789abcdefghjkmnpqrstvwxyz';
const TIME_CHARS = 10;
const RANDOM_CHARS = 16;

export type IdPrefix = 'tn' | 'key' | 'ls' | 'ses' | 'rec' | 'wh' | 'whd' | 'evt';

/** 32 symbols = 5 bits; a byte masked to 5 bits is uniform because 256 is a multiple of 32. */
export function randomChars(n: number): string {
  const bytes = crypto.getRandomValues(new Uint8Array(n));
  let out = '';
  for (const b of bytes) out += ALPHABET[b & 31];
  return out;
}

function timeChars(ms: number): string {
  let out = '';
  let t = Math.max(0, Math.floor(ms));
  for (let i = 0; i < TIME_CHARS; i++) {
    out = ALPHABET[t % 32] + out;
    t = Math.floor(t / 32);
  }
  return out;
}

export function newId(prefix: IdPrefix, nowMs: number): string {
  return `${prefix}_${timeChars(nowMs)}${randomChars(RANDOM_CHARS)}`;
}

/** The shape of an id with `prefix`, for path validation. */
export function idPattern(prefix: IdPrefix): RegExp {
  return new RegExp(`^${prefix}_[${ALPHABET}]{${TIME_CHARS + RANDOM_CHARS}}$`);
}

/** 32 characters x 5 bits = 160 bits: far beyond guessing, short enough to paste into OBS. */
export const STREAM_KEY_CHARS = 32;
/** SRT passphrases are 10..79 characters (SRT `SRTO_PASSPHRASE`); 24 x 5 = 120 bits. */
export const SRT_PASSPHRASE_CHARS = 24;
/** Playback ids appear in public URLs; 24 x 5 = 120 bits keeps unlisted streams unguessable. */
export const PLAYBACK_ID_CHARS = 24;
/** API keys: `rnl_` + 40 x 5 = 200 bits. */
export const API_KEY_CHARS = 40;

export const newStreamKey = (): string => randomChars(STREAM_KEY_CHARS);
export const newSrtPassphrase = (): string => randomChars(SRT_PASSPHRASE_CHARS);
export const newPlaybackId = (): string => randomChars(PLAYBACK_ID_CHARS);
export const newApiKey = (): string => `rnl_${randomChars(API_KEY_CHARS)}`;
