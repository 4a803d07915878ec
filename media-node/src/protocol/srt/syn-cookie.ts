import { createHmac } from 'node:crypto';

/**
 * SYN cookies for the listener (draft-sharabayko-srt 4.3.1.1): the induction
 * answer carries a cookie the caller must echo in its conclusion, so a
 * listener keeps no state for a caller until it has proven that it receives
 * at its claimed address. libsrt hashes address, port and a minute counter
 * with MD5 (`CUDT::bake`); we use HMAC-SHA256 with a per-listener secret, so
 * cookies cannot be forged without the secret, and accept the current and the
 * previous bucket (as libsrt accepts the "distracted" previous cookie).
 */

/** How long a cookie stays valid: one bucket, and up to one more (libsrt: one minute). */
export const COOKIE_BUCKET_MS = 60_000;

/** Cookie for `address:port` in the bucket containing `now`, or the one before (`age` 1). */
export function synCookie(secret: Uint8Array, address: string, port: number, now: number, age = 0): number {
  const bucket = Math.floor(now / COOKIE_BUCKET_MS) - age;
  const mac = createHmac('sha256', secret).update(`${address}|${port}|${bucket}`).digest();
  return mac.readUInt32BE(0);
}

/** True when `cookie` is what we gave `address:port` in this bucket or the previous one. */
export function checkSynCookie(secret: Uint8Array, address: string, port: number, now: number, cookie: number): boolean {
  return cookie === synCookie(secret, address, port, now, 0) || cookie === synCookie(secret, address, port, now, 1);
}
