import { z } from 'zod';
import { decodeBase64url, encodeBase64url } from './base64url.ts';

/**
 * Signed tokens for playback (and later publish) that a media node or the CDN
 * route can check without calling the control plane: a compact JWS (RFC 7515)
 * with HMAC-SHA256 (`HS256`, RFC 7518 section 3.2) and a `kid` header so keys
 * can be rotated (sign with the newest, verify with any still listed).
 * WebCrypto only, so the same code runs on Workers and Node.
 *
 * @example
 * const token = await signToken({ sub: playbackId, aud: 'play', exp: nowS + 3600 }, key);
 * const r = await verifyToken(token, { keys: [key], audience: 'play', nowMs: Date.now() });
 */

export type TokenAudience = 'play' | 'publish';

export interface TokenClaims {
  /** What the token grants access to: a playback id for `play`. */
  readonly sub: string;
  readonly aud: TokenAudience;
  /** Expiry, seconds since the epoch (JWT NumericDate, RFC 7519 section 4.1.4). */
  readonly exp: number;
  readonly nbf?: number;
  readonly iat?: number;
}

export interface SigningKey {
  readonly kid: string;
  /** Shared HMAC secret; at least MIN_SECRET_CHARS characters. */
  readonly secret: string;
}

export type TokenFailure =
  | 'malformed'
  | 'unsupported_alg'
  | 'unknown_kid'
  | 'bad_signature'
  | 'expired'
  | 'not_yet_valid'
  | 'wrong_audience'
  | 'wrong_subject';

export type TokenResult = { readonly ok: true; readonly claims: TokenClaims } | { readonly ok: false; readonly reason: TokenFailure };

/** RFC 7518 section 3.2: an HS256 key shall be at least 256 bits; 32 characters of a random secret is the floor. */
export const MIN_SECRET_CHARS = 32;
/** Longest token we parse: ours are ~250 characters, and it travels in a URL query (keep well under 8 KiB URL limits). */
export const MAX_TOKEN_CHARS = 2048;
/** Clock skew tolerated between the signer and the verifier on exp/nbf. */
export const CLOCK_SKEW_S = 30;

const headerSchema = z.object({ alg: z.string(), kid: z.string().min(1).max(64), typ: z.string().optional() });
const claimsSchema = z.object({
  sub: z.string().min(1).max(256),
  aud: z.enum(['play', 'publish']),
  exp: z.number().int().positive(),
  nbf: z.number().int().positive().optional(),
  iat: z.number().int().positive().optional(),
});

const utf8 = new TextEncoder();
const fromUtf8 = new TextDecoder('utf-8', { fatal: true });

/** Not async so the return type is inferred from WebCrypto (no DOM lib here); callers are async, a throw becomes a rejection. */
function hmacKey(secret: string) {
  if (secret.length < MIN_SECRET_CHARS) throw new RangeError(`signing secret shorter than ${MIN_SECRET_CHARS} characters`);
  return crypto.subtle.importKey('raw', utf8.encode(secret), { name: 'HMAC', hash: 'SHA-256' }, false, ['sign', 'verify']);
}

function encodeJson(value: unknown): string {
  return encodeBase64url(utf8.encode(JSON.stringify(value)));
}

function decodeJson(part: string): unknown {
  const bytes = decodeBase64url(part);
  if (bytes === null) return undefined;
  try {
    return JSON.parse(fromUtf8.decode(bytes));
  } catch {
    return undefined;
  }
}

export async function signToken(claims: TokenClaims, key: SigningKey): Promise<string> {
  const input = `${encodeJson({ alg: 'HS256', typ: 'JWT', kid: key.kid })}.${encodeJson(claims)}`;
  const sig = await crypto.subtle.sign('HMAC', await hmacKey(key.secret), utf8.encode(input));
  return `${input}.${encodeBase64url(new Uint8Array(sig))}`;
}

export interface VerifyOptions {
  /** Every key still accepted, found by `kid`. */
  readonly keys: readonly SigningKey[];
  readonly audience: TokenAudience;
  /** When given, the token must be for exactly this subject. */
  readonly subject?: string;
  readonly nowMs: number;
}

export async function verifyToken(token: string, opts: VerifyOptions): Promise<TokenResult> {
  if (token.length > MAX_TOKEN_CHARS) return { ok: false, reason: 'malformed' };
  const parts = token.split('.');
  if (parts.length !== 3) return { ok: false, reason: 'malformed' };
  const header = headerSchema.safeParse(decodeJson(parts[0]));
  if (!header.success) return { ok: false, reason: 'malformed' };
  // RFC 8725 section 3.1: never let the token choose the algorithm.
  if (header.data.alg !== 'HS256') return { ok: false, reason: 'unsupported_alg' };
  const key = opts.keys.find((k) => k.kid === header.data.kid);
  if (key === undefined) return { ok: false, reason: 'unknown_kid' };
  const sig = decodeBase64url(parts[2]);
  if (sig === null) return { ok: false, reason: 'malformed' };
  // subtle.verify compares in constant time.
  const good = await crypto.subtle.verify('HMAC', await hmacKey(key.secret), sig, utf8.encode(`${parts[0]}.${parts[1]}`));
  if (!good) return { ok: false, reason: 'bad_signature' };
  const claims = claimsSchema.safeParse(decodeJson(parts[1]));
  if (!claims.success) return { ok: false, reason: 'malformed' };
  const nowS = Math.floor(opts.nowMs / 1000);
  if (claims.data.exp + CLOCK_SKEW_S <= nowS) return { ok: false, reason: 'expired' };
  if (claims.data.nbf !== undefined && claims.data.nbf - CLOCK_SKEW_S > nowS) return { ok: false, reason: 'not_yet_valid' };
  if (claims.data.aud !== opts.audience) return { ok: false, reason: 'wrong_audience' };
  if (opts.subject !== undefined && claims.data.sub !== opts.subject) return { ok: false, reason: 'wrong_subject' };
  return { ok: true, claims: claims.data };
}
