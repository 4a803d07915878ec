const utf8 = new TextEncoder();

/**
 * Compares two secrets without an early exit, so the time taken does not tell
 * an attacker how many leading bytes were right. Both sides are hashed with
 * SHA-256 first: the loop then always runs over 32 bytes and the length of
 * the real secret does not leak either. WebCrypto only (Workers and Node).
 *
 * @example
 * if (!(await secretsEqual(bearer, env.nodeToken))) return deny();
 */
export async function secretsEqual(presented: string, expected: string): Promise<boolean> {
  const [a, b] = await Promise.all([sha256(presented), sha256(expected)]);
  return bytesEqual(a, b);
}

/** Constant-time for equal lengths; different lengths are unequal at once (lengths are not secret here). */
export function bytesEqual(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  let diff = 0;
  for (let i = 0; i < a.length; i++) diff |= a[i] ^ b[i];
  return diff === 0;
}

export async function sha256(text: string): Promise<Uint8Array> {
  return new Uint8Array(await crypto.subtle.digest('SHA-256', utf8.encode(text)));
}
