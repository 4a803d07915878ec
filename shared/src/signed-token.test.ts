import { describe, expect, it } from 'vitest';
import { test as fcTest, fc } from '@fast-check/vitest';
import { decodeBase64url, encodeBase64url } from './base64url.ts';
import { CLOCK_SKEW_S, signToken, verifyToken } from './signed-token.ts';
import type { SigningKey, TokenClaims } from './signed-token.ts';

const k1: SigningKey = { kid: 'k1', secret: 'k1-secret-0123456789abcdefghijklmnop' };
const k2: SigningKey = { kid: 'k2', secret: 'k2-secret-0123456789abcdefghijklmnop' };
const nowMs = 1_700_000_000_000;
const nowS = nowMs / 1000;
const claims: TokenClaims = { sub: 'pb123', aud: 'play', exp: nowS + 3600 };

function swapPart(token: string, index: number, value: unknown): string {
  const parts = token.split('.');
  parts[index] = encodeBase64url(new TextEncoder().encode(JSON.stringify(value)));
  return parts.join('.');
}

describe('signToken / verifyToken', () => {
  it('accepts its own token with the claims back', async () => {
    const t = await signToken(claims, k1);
    expect(await verifyToken(t, { keys: [k1], audience: 'play', subject: 'pb123', nowMs })).toEqual({ ok: true, claims });
  });

  it('writes a standard HS256 JWS header with the kid', async () => {
    const t = await signToken(claims, k2);
    const header = JSON.parse(new TextDecoder().decode(decodeBase64url(t.split('.')[0]) ?? new Uint8Array()));
    expect(header).toEqual({ alg: 'HS256', typ: 'JWT', kid: 'k2' });
  });

  it('verifies with whichever listed key the kid names (rotation)', async () => {
    const old = await signToken(claims, k1);
    const fresh = await signToken(claims, k2);
    expect((await verifyToken(old, { keys: [k2, k1], audience: 'play', nowMs })).ok).toBe(true);
    expect((await verifyToken(fresh, { keys: [k2, k1], audience: 'play', nowMs })).ok).toBe(true);
    expect(await verifyToken(old, { keys: [k2], audience: 'play', nowMs })).toEqual({ ok: false, reason: 'unknown_kid' });
  });

  const failures: ReadonlyArray<{ name: string; make: () => Promise<string>; reason: string; subject?: string }> = [
    { name: 'expired', make: () => signToken({ ...claims, exp: nowS - CLOCK_SKEW_S }, k1), reason: 'expired' },
    { name: 'not yet valid', make: () => signToken({ ...claims, nbf: nowS + CLOCK_SKEW_S + 1 }, k1), reason: 'not_yet_valid' },
    { name: 'other audience', make: () => signToken({ ...claims, aud: 'publish' }, k1), reason: 'wrong_audience' },
    { name: 'other subject', make: () => signToken(claims, k1), reason: 'wrong_subject', subject: 'pb999' },
    { name: 'key with the same kid but another secret', make: () => signToken(claims, { kid: 'k1', secret: k2.secret }), reason: 'bad_signature' },
    { name: 'claims changed after signing', make: async () => swapPart(await signToken(claims, k1), 1, { ...claims, sub: 'pb999' }), reason: 'bad_signature' },
    { name: 'alg none', make: async () => swapPart(await signToken(claims, k1), 0, { alg: 'none', kid: 'k1' }), reason: 'unsupported_alg' },
    { name: 'two parts', make: async () => (await signToken(claims, k1)).split('.').slice(0, 2).join('.'), reason: 'malformed' },
    { name: 'oversized', make: async () => 'a'.repeat(3000), reason: 'malformed' },
  ];

  it.each(failures)('refuses a token that is $name', async (f) => {
    const t = await f.make();
    expect(await verifyToken(t, { keys: [k1], audience: 'play', subject: f.subject, nowMs })).toEqual({ ok: false, reason: f.reason });
  });

  it('refuses a secret too short to be a key', async () => {
    await expect(signToken(claims, { kid: 'x', secret: 'short' })).rejects.toThrow(RangeError);
  });

  fcTest.prop([fc.string({ maxLength: 400 })])('never throws on garbage', async (text) => {
    const r = await verifyToken(text, { keys: [k1], audience: 'play', nowMs });
    expect(r.ok).toBe(false);
  });
});
