import { describe, expect, it } from 'vitest';
import { signPayload, signatureHeader, verifySignature } from './signature.ts';

/**
 * Golden vectors computed outside this code, with Python's hmac module:
 * hmac.new(secret.encode(), f"{t}.{body}".encode(), hashlib.sha256).hexdigest()
 */
const golden = [
  { name: 'small body', secret: 'whsec_test_secret', t: 1767225600, body: '{"id":"evt_1"}', mac: 'f6ef300ec2c3f1ea8e4bc6d2a62975f58477d6fcd4bd03529a148873f625b1ca' },
];

const NOW = 1767225600_000;

describe('webhook signatures', () => {
  it.each(golden)('signs $name like an independent HMAC-SHA256', async (g) => {
    expect(await signPayload(g.secret, g.t, g.body)).toBe(g.mac);
    expect(await signatureHeader(g.secret, g.body, g.t * 1000 + 999)).toBe(`t=${g.t},v1=${g.mac}`);
  });

  it('verifies its own header, and refuses a changed body, another secret, an old t, garbage', async () => {
    const body = '{"type":"stream.connected"}';
    const header = await signatureHeader('s3cret', body, NOW);
    expect(await verifySignature(header, body, 's3cret', NOW)).toEqual({ ok: true, timestampS: NOW / 1000 });
    expect(await verifySignature(header, `${body} `, 's3cret', NOW)).toEqual({ ok: false, reason: 'mismatch' });
    expect(await verifySignature(header, body, 'other', NOW)).toEqual({ ok: false, reason: 'mismatch' });
    expect((await verifySignature(header, body, 's3cret', NOW + 300_000)).ok).toBe(true);
    expect(await verifySignature(header, body, 's3cret', NOW + 301_000)).toEqual({ ok: false, reason: 'too_old' });
    for (const bad of ['', 't=1', 'v1=00', 't=x,v1=zz', header.replace('v1=', 'v0=')]) {
      expect(await verifySignature(bad, body, 's3cret', NOW)).toEqual({ ok: false, reason: 'malformed' });
    }
  });

  it('accepts when any of several v1 values matches (secret roll)', async () => {
    const body = '{}';
    const good = await signatureHeader('new', body, NOW);
    const old = await signatureHeader('old', body, NOW);
    const both = `${old},${good.split(',')[1]}`;
    expect((await verifySignature(both, body, 'new', NOW)).ok).toBe(true);
    expect((await verifySignature(both, body, 'old', NOW)).ok).toBe(true);
  });
});
