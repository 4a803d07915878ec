import { describe, expect, it } from 'vitest';
import { fromBase64Url, toBase64Url } from './base64url.ts';
import { PBKDF2_ITERATIONS, hashPassword, verifyPassword } from './password.ts';

describe('password hashing (PBKDF2-SHA256)', () => {
  it('stores scheme, iteration count, 16-byte salt and 32-byte hash', async () => {
    const h = await hashPassword('correct horse battery');
    const [scheme, iterations, salt, hash] = h.split('$');
    expect(scheme).toBe('pbkdf2-sha256');
    expect(Number(iterations)).toBe(PBKDF2_ITERATIONS);
    expect(fromBase64Url(salt)?.length).toBe(16);
    expect(fromBase64Url(hash)?.length).toBe(32);
  });

  it('verifies the right password and refuses a wrong one; salts differ per hash', async () => {
    const a = await hashPassword('correct horse battery', 1000);
    const b = await hashPassword('correct horse battery', 1000);
    expect(a).not.toBe(b);
    expect(await verifyPassword('correct horse battery', a)).toBe(true);
    expect(await verifyPassword('correct horse batterY', a)).toBe(false);
    expect(await verifyPassword('', a)).toBe(false);
  });

  it('matches an independent PBKDF2 computation (node:crypto)', async () => {
    const { pbkdf2Sync } = await import('node:crypto');
    const salt = new Uint8Array(16).fill(7);
    const expected = pbkdf2Sync('pw-0123456789', salt, 1000, 32, 'sha256');
    const stored = `pbkdf2-sha256$1000$${toBase64Url(salt)}$${toBase64Url(new Uint8Array(expected))}`;
    expect(await verifyPassword('pw-0123456789', stored)).toBe(true);
  });

  it.each([
    ['empty', ''],
    ['other scheme', 'bcrypt$10$abc$def'],
    ['too many iterations (a tampered row must not pin a CPU)', 'pbkdf2-sha256$100001$AAAAAAAAAAAAAAAAAAAAAA$AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA'],
    ['zero iterations', 'pbkdf2-sha256$0$AAAAAAAAAAAAAAAAAAAAAA$AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA'],
    ['bad base64', 'pbkdf2-sha256$1000$!!$AAAA'],
    ['short hash', 'pbkdf2-sha256$1000$AAAAAAAAAAAAAAAAAAAAAA$AAAA'],
  ])('refuses a malformed stored hash: %s', async (_name, stored) => {
    expect(await verifyPassword('anything-at-all', stored)).toBe(false);
  });

  it('base64url round-trips every byte value', () => {
    const all = Uint8Array.from({ length: 256 }, (_, i) => i);
    for (let n = 0; n <= 5; n++) expect(fromBase64Url(toBase64Url(all.subarray(0, 250 + n)))).toEqual(all.subarray(0, 250 + n));
    expect(fromBase64Url('a')).toBeNull();
  });
});
