import { test as fcTest, fc } from '@fast-check/vitest';
import { describe, expect, it } from 'vitest';
import { isStunRequest, localUfragOf, stunBindingUsername, stunIntegrityValid } from './stun-message.ts';
import { Message } from 'werift';

/** A Binding request: header, then the attributes given as [type, value] (padded to 4 bytes). */
function binding(attrs: [number, Uint8Array][], type = 0x0001, cookie = 0x2112a442): Uint8Array {
  const body = attrs.map(([t, value]) => {
    const padded = new Uint8Array(4 + ((value.length + 3) & ~3));
    new DataView(padded.buffer).setUint16(0, t);
    new DataView(padded.buffer).setUint16(2, value.length);
    padded.set(value, 4);
    return padded;
  });
  const length = body.reduce((n, a) => n + a.length, 0);
  const out = new Uint8Array(20 + length);
  const v = new DataView(out.buffer);
  v.setUint16(0, type);
  v.setUint16(2, length);
  v.setUint32(4, cookie);
  out.set([1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12], 8);
  let pos = 20;
  for (const a of body) {
    out.set(a, pos);
    pos += a.length;
  }
  return out;
}
const text = (s: string): Uint8Array => new TextEncoder().encode(s);

describe('stunBindingUsername', () => {
  it('reads USERNAME after other attributes (PRIORITY, ICE-CONTROLLING) and skips their padding', () => {
    const req = binding([[0x0024, Uint8Array.of(0x6e, 0, 0x1e, 0xff)], [0x802a, new Uint8Array(8)], [0x0006, text('AbCd:x9Yz1')], [0x0008, new Uint8Array(20)]]);
    expect(stunBindingUsername(req)).toBe('AbCd:x9Yz1');
    expect(localUfragOf('AbCd:x9Yz1')).toBe('AbCd');
  });

  it('a request with the attributes Chromium sends, in its order, names our ufrag first', () => {
    // USERNAME, GOOG-NETWORK-INFO, ICE-CONTROLLING, USE-CANDIDATE, PRIORITY, MESSAGE-INTEGRITY, FINGERPRINT
    // (the end-to-end test routes real Chromium requests through the mux).
    const req = binding([
      [0x0006, text('0e5f:lkJq')], [0xc057, new Uint8Array(4)], [0x802a, new Uint8Array(8)], [0x0025, new Uint8Array(0)],
      [0x0024, new Uint8Array(4)], [0x0008, new Uint8Array(20)], [0x8028, new Uint8Array(4)],
    ]);
    expect(stunBindingUsername(req)).toBe('0e5f:lkJq');
  });

  it('is undefined for responses, other methods, a wrong cookie, RTP/DTLS, lengths that lie, and no USERNAME', () => {
    expect(stunBindingUsername(binding([[0x0006, text('a:b')]], 0x0101))).toBeUndefined(); // success response
    expect(stunBindingUsername(binding([[0x0006, text('a:b')]], 0x0003))).toBeUndefined(); // Allocate
    expect(stunBindingUsername(binding([[0x0006, text('a:b')]], 0x0001, 0x12345678))).toBeUndefined();
    expect(stunBindingUsername(Uint8Array.of(0x80, 0x60, 0, 1, ...new Array(20).fill(0)))).toBeUndefined();
    expect(stunBindingUsername(Uint8Array.of(0x16, 0xfe, 0xfd, ...new Array(20).fill(0)))).toBeUndefined();
    const lying = binding([[0x0006, text('a:b')]]);
    new DataView(lying.buffer).setUint16(2, 400);
    expect(stunBindingUsername(lying)).toBeUndefined();
    const longAttr = binding([[0x0006, text('a:b')]]);
    new DataView(longAttr.buffer).setUint16(22, 300);
    expect(stunBindingUsername(longAttr)).toBeUndefined();
    expect(stunBindingUsername(binding([[0x0024, new Uint8Array(4)]]))).toBeUndefined();
    expect(stunBindingUsername(binding([[0x0006, Uint8Array.of(0xff, 0xfe)]]))).toBeUndefined(); // not UTF-8
    expect(localUfragOf(':x')).toBeUndefined();
    expect(localUfragOf('nocolon')).toBeUndefined();
  });

  fcTest.prop([fc.uint8Array({ maxLength: 200 })])('garbage gives a string or undefined, never an exception', (bytes) => {
    const r = stunBindingUsername(bytes);
    expect(r === undefined || typeof r === 'string').toBe(true);
  });
});

/** A Binding request made and signed by werift's own STUN encoder (the peer's side of an ICE check). */
function signedRequest(password: string, fingerprint = true): Buffer {
  const m = new Message(1, 0x000);
  m.setAttribute('USERNAME', 'ab12:cd34');
  m.setAttribute('PRIORITY', 1845501695);
  m.setAttribute('ICE-CONTROLLING', BigInt(42));
  m.addMessageIntegrity(Buffer.from(password, 'utf8'));
  if (fingerprint) m.addFingerprint();
  return Buffer.from(m.bytes);
}

const PWD = 'aaaaaaaaaaaaaaaaaaaaaa';

describe('stunIntegrityValid (RFC 8489 14.5, short-term credentials)', () => {
  it('accepts a request signed with our ice-pwd, with and without FINGERPRINT after it', () => {
    expect(stunIntegrityValid(signedRequest(PWD), Buffer.from(PWD))).toBe(true);
    expect(stunIntegrityValid(signedRequest(PWD, false), Buffer.from(PWD))).toBe(true);
  });

  it('refuses another password, a changed byte, and no MESSAGE-INTEGRITY', () => {
    expect(stunIntegrityValid(signedRequest('bbbbbbbbbbbbbbbbbbbbbb'), Buffer.from(PWD))).toBe(false);
    const tampered = signedRequest(PWD);
    tampered[30] ^= 1;
    expect(stunIntegrityValid(tampered, Buffer.from(PWD))).toBe(false);
    const bare = new Message(1, 0x000);
    bare.setAttribute('USERNAME', 'ab12:cd34');
    expect(stunIntegrityValid(Buffer.from(bare.bytes), Buffer.from(PWD))).toBe(false);
  });

  it('isStunRequest tells requests from responses, indications and non-STUN', () => {
    expect(isStunRequest(signedRequest(PWD))).toBe(true);
    const response = new Message(1, 0x100);
    expect(isStunRequest(Buffer.from(response.bytes))).toBe(false);
    const indication = new Message(1, 0x010);
    expect(isStunRequest(Buffer.from(indication.bytes))).toBe(false);
    expect(isStunRequest(Buffer.from('16fefd000000000000000000000000000000000000', 'hex'))).toBe(false);
  });

  fcTest.prop([fc.uint8Array({ maxLength: 120 })])('garbage is false, never an exception', (bytes) => {
    expect(stunIntegrityValid(bytes, Buffer.from(PWD))).toBe(false);
  });
});
