import { KeyObject, randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { cipherKeysToKeyObjects, useKeyObjectsForSrtp } from './srtp-keys.ts';

describe('cipherKeysToKeyObjects', () => {
  it('turns the four Buffer key fields into KeyObjects and leaves anything else alone', () => {
    const cipher: Record<string, unknown> = {
      srtpSessionKey: randomBytes(16), srtcpSessionKey: randomBytes(16), srtpSessionAuthTag: randomBytes(20), srtcpSessionAuthTag: randomBytes(20), srtpSessionSalt: randomBytes(14),
    };
    const key = Buffer.from(cipher.srtpSessionKey as Buffer);
    expect(cipherKeysToKeyObjects(cipher)).toBe(4);
    expect(cipher.srtpSessionKey).toBeInstanceOf(KeyObject);
    expect((cipher.srtpSessionKey as KeyObject).export()).toEqual(key);
    expect(Buffer.isBuffer(cipher.srtpSessionSalt)).toBe(true);
    expect(cipherKeysToKeyObjects(cipher)).toBe(0);
    expect(cipherKeysToKeyObjects(null)).toBe(0);
    expect(cipherKeysToKeyObjects({ srtpSessionKey: 'x' })).toBe(0);
  });
});

describe('useKeyObjectsForSrtp', () => {
  it('wraps updateSrtpSession: the sessions it makes get KeyObject keys in both contexts, and the count is reported', () => {
    const cipher = () => ({ srtpSessionKey: randomBytes(16), srtcpSessionKey: randomBytes(16) });
    const transport = {
      calls: 0,
      srtp: undefined as unknown,
      srtcp: undefined as unknown,
      updateSrtpSession() {
        this.calls++;
        this.srtp = { localContext: { cipher: cipher() }, remoteContext: { cipher: cipher() } };
        this.srtcp = { localContext: { cipher: cipher() }, remoteContext: { cipher: cipher() } };
      },
    };
    const counts: number[] = [];
    expect(useKeyObjectsForSrtp(transport, (n) => counts.push(n))).toBe(true);
    transport.updateSrtpSession();
    expect(transport.calls).toBe(1);
    expect(counts).toEqual([8]);
    const srtp = transport.srtp as { localContext: { cipher: Record<string, unknown> }; remoteContext: { cipher: Record<string, unknown> } };
    expect(srtp.localContext.cipher.srtpSessionKey).toBeInstanceOf(KeyObject);
    expect(srtp.remoteContext.cipher.srtcpSessionKey).toBeInstanceOf(KeyObject);
  });

  it('refuses what is not a werift DTLS transport', () => {
    expect(useKeyObjectsForSrtp(undefined)).toBe(false);
    expect(useKeyObjectsForSrtp({})).toBe(false);
  });
});
