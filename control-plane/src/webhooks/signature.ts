/**
 * Webhook signatures: `Runnel-Signature: t=<unix seconds>,v1=<hex HMAC-SHA256(secret, "<t>.<body>")>`,
 * the scheme Stripe uses (timestamp inside the MAC, so a captured request
 * cannot be replayed later with a new `t`). WebCrypto only: the same code
 * signs on Workers and Node, and receivers can verify with `verifySignature`.
 */

export const SIGNATURE_HEADER = 'Runnel-Signature';
/** Five minutes either way: clock skew between us and a receiver, plus our retry send time; Stripe's default too. */
export const DEFAULT_TOLERANCE_S = 300;

const utf8 = new TextEncoder();

function toHexString(bytes: Uint8Array): string {
  let out = '';
  for (const b of bytes) out += b.toString(16).padStart(2, '0');
  return out;
}

/** Hex HMAC-SHA256 of `"<t>.<body>"` under `secret` (its UTF-8 bytes are the key). */
export async function signPayload(secret: string, timestampS: number, body: string): Promise<string> {
  const key = await crypto.subtle.importKey('raw', utf8.encode(secret), { name: 'HMAC', hash: 'SHA-256' }, false, ['sign']);
  const mac = await crypto.subtle.sign('HMAC', key, utf8.encode(`${timestampS}.${body}`));
  return toHexString(new Uint8Array(mac));
}

/** The header value for `body` sent at `nowMs`. */
export async function signatureHeader(secret: string, body: string, nowMs: number): Promise<string> {
  const t = Math.floor(nowMs / 1000);
  return `t=${t},v1=${await signPayload(secret, t, body)}`;
}

export type VerifyResult = { readonly ok: true; readonly timestampS: number } | { readonly ok: false; readonly reason: 'malformed' | 'too_old' | 'mismatch' };

/** Compares every byte, so the time taken says nothing about where two MACs differ. */
function sameText(a: string, b: string): boolean {
  if (a.length !== b.length) return false;
  let diff = 0;
  for (let i = 0; i < a.length; i++) diff |= a.charCodeAt(i) ^ b.charCodeAt(i);
  return diff === 0;
}

/**
 * What a receiver runs on the raw body: parses the header, checks `t` is
 * within `toleranceS` of now, and accepts when any `v1` matches (several
 * appear while a secret is being rolled).
 *
 * @example
 * const r = await verifySignature(req.headers.get('runnel-signature') ?? '', rawBody, secret, Date.now());
 * if (!r.ok) return new Response(null, { status: 400 });
 */
export async function verifySignature(header: string, body: string, secret: string, nowMs: number, toleranceS = DEFAULT_TOLERANCE_S): Promise<VerifyResult> {
  let t: number | null = null;
  const v1: string[] = [];
  for (const part of header.split(',')) {
    const eq = part.indexOf('=');
    if (eq < 0) continue;
    const name = part.slice(0, eq).trim();
    const value = part.slice(eq + 1).trim();
    if (name === 't' && /^\d{1,12}$/.test(value)) t = Number(value);
    else if (name === 'v1' && /^[0-9a-f]{64}$/.test(value)) v1.push(value);
  }
  if (t === null || v1.length === 0) return { ok: false, reason: 'malformed' };
  if (Math.abs(nowMs / 1000 - t) > toleranceS) return { ok: false, reason: 'too_old' };
  const expected = await signPayload(secret, t, body);
  return v1.some((v) => sameText(v, expected)) ? { ok: true, timestampS: t } : { ok: false, reason: 'mismatch' };
}
