import { bytesEqual } from '@runnel/shared/constant-time-equal';
import { fromBase64Url, toBase64Url } from './base64url.ts';

/**
 * Password hashing with PBKDF2-HMAC-SHA256 on WebCrypto, so the same code
 * runs on Workers and Node. Workers refuse PBKDF2 above 100 000 iterations
 * (their WebCrypto limit), so that is what we use: below OWASP's 600 000 for
 * PBKDF2-SHA256, the most this runtime allows. The count is stored with each
 * hash, so a later, stronger setting can rehash at sign-in.
 *
 * Stored form: `pbkdf2-sha256$<iterations>$<salt>$<hash>` (base64url).
 */

/** Cloudflare Workers' WebCrypto rejects PBKDF2 with more iterations than this. */
export const PBKDF2_ITERATIONS = 100_000;
/** NIST SP 800-132 5.1: at least 128 bits of salt. */
const SALT_BYTES = 16;
/** One SHA-256 output: longer PBKDF2 output only costs the defender more. */
const HASH_BYTES = 32;
/** Stored hashes claiming more work than this are refused rather than run (a tampered row must not pin a CPU). */
const MAX_ITERATIONS = PBKDF2_ITERATIONS;
const SCHEME = 'pbkdf2-sha256';
const utf8 = new TextEncoder();

async function derive(password: string, salt: Uint8Array, iterations: number): Promise<Uint8Array> {
  const key = await crypto.subtle.importKey('raw', utf8.encode(password), 'PBKDF2', false, ['deriveBits']);
  const bits = await crypto.subtle.deriveBits({ name: 'PBKDF2', hash: 'SHA-256', salt, iterations }, key, HASH_BYTES * 8);
  return new Uint8Array(bits);
}

export async function hashPassword(password: string, iterations = PBKDF2_ITERATIONS): Promise<string> {
  const salt = crypto.getRandomValues(new Uint8Array(SALT_BYTES));
  const hash = await derive(password, salt, iterations);
  return `${SCHEME}$${iterations}$${toBase64Url(salt)}$${toBase64Url(hash)}`;
}

/** True when `password` matches `stored`; the final compare is constant-time. A malformed `stored` is false. */
export async function verifyPassword(password: string, stored: string): Promise<boolean> {
  const parts = stored.split('$');
  if (parts.length !== 4 || parts[0] !== SCHEME || !/^[0-9]{1,7}$/.test(parts[1])) return false;
  const iterations = Number(parts[1]);
  if (iterations < 1 || iterations > MAX_ITERATIONS) return false;
  const salt = fromBase64Url(parts[2]);
  const expected = fromBase64Url(parts[3]);
  if (salt === null || expected === null || expected.length !== HASH_BYTES) return false;
  return bytesEqual(await derive(password, salt, iterations), expected);
}

/**
 * A hash of a password nobody has: sign-in for an unknown email verifies
 * against it, so "no such account" takes as long as "wrong password".
 */
let decoy: Promise<string> | null = null;
export function decoyHash(): Promise<string> {
  decoy ??= hashPassword(toBase64Url(crypto.getRandomValues(new Uint8Array(SALT_BYTES))));
  return decoy;
}
