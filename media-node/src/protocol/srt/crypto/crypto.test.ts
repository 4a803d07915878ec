import { describe, expect, it } from 'vitest';
import { test as fcTest, fc } from '@fast-check/vitest';
import { hex, toHex } from '@runnel/shared';
import { SrtListener } from '../listener.ts';
import { decodeDataPacket } from '../packets/data-packet.ts';
import { decodeHandshake } from '../packets/handshake.ts';
import { synCookie } from '../syn-cookie.ts';
import { CAPTURE_PASSPHRASE, loadCapture } from '../testdata/captures.ts';
import { seededRandom } from '../testdata/sim-link.ts';
import { SRT_REJ } from '../reject.ts';
import { deriveKek, unwrapKeys, wrapKeys } from './key-wrap.ts';
import { ctrCrypt, ctrIv } from './payload-cipher.ts';
import { StreamCrypto } from './stream-crypto.ts';

const encrypted = loadCapture('encrypted');
const kmreq = () => {
  const km = decodeHandshake(encrypted[2]!.bytes).extensions.find((e) => e.type === 'kmreq');
  if (km?.type !== 'kmreq') throw new Error('no KMREQ in the capture');
  return km.km;
};
const dataPackets = () => encrypted.filter((d) => (d.bytes[0]! & 0x80) === 0).map((d) => d.bytes);

describe('AES key wrap (RFC 3394 section 4 vectors)', () => {
  const vectors = [
    { name: '4.1 128-bit KEK, 128-bit key', kek: '000102030405060708090A0B0C0D0E0F', key: '00112233445566778899AABBCCDDEEFF', wrapped: '1FA68B0A8112B447AEF34BD8FB5A7B829D3E862371D2CFE5' },
    { name: '4.3 256-bit KEK, 128-bit key', kek: '000102030405060708090A0B0C0D0E0F101112131415161718191A1B1C1D1E1F', key: '00112233445566778899AABBCCDDEEFF', wrapped: '64E8C3F9CE0F5BA263E9777905818A2A93C8191E7D6E8AE7' },
    {
      name: '4.6 256-bit KEK, 256-bit key',
      kek: '000102030405060708090A0B0C0D0E0F101112131415161718191A1B1C1D1E1F',
      key: '00112233445566778899AABBCCDDEEFF000102030405060708090A0B0C0D0E0F',
      wrapped: '28C9F404C4B810F4CBCCB35CFB87F8263F5786E2D80ED326CBC7F0E71A99F43BFB988B9B7A02DD21',
    },
  ];
  it.each(vectors)('$name', (v) => {
    expect(toHex(wrapKeys(hex(v.kek), hex(v.key)))).toBe(v.wrapped.toLowerCase());
    expect(toHex(unwrapKeys(hex(v.kek), hex(v.wrapped))!)).toBe(v.key.toLowerCase());
  });

  it('unwrap with the wrong KEK fails the integrity check', () => {
    expect(unwrapKeys(hex('000102030405060708090A0B0C0D0E0E'), hex(vectors[0]!.wrapped))).toBeNull();
  });
});

describe('SRT key material from libsrt 1.5.1 (capture with a known passphrase)', () => {
  it('the passphrase unwraps the KMREQ key (PBKDF2-SHA1 over the salt tail, 2048 rounds); another does not', () => {
    const km = kmreq();
    expect(unwrapKeys(deriveKek(CAPTURE_PASSPHRASE, km.salt, 16), km.wrappedKeys)).toHaveLength(16);
    expect(unwrapKeys(deriveKek('not-the-passphrase', km.salt, 16), km.wrappedKeys)).toBeNull();
  });

  it('decrypts libsrt data packets (AES-128-CTR, salt XOR sequence IV) to what srt-live-transmit read: 188 x 0x47', () => {
    const crypto = StreamCrypto.accept(CAPTURE_PASSPHRASE, kmreq());
    if (!(crypto instanceof StreamCrypto)) throw new Error(crypto);
    const packets = dataPackets();
    expect(packets.length).toBeGreaterThan(0);
    for (const b of packets) {
      const p = decodeDataPacket(b);
      expect(p.key).toBe('even');
      expect(toHex(crypto.decrypt(p.key, p.seq, p.payload)!)).toBe('47'.repeat(188));
      expect(crypto.decrypt('odd', p.seq, p.payload)).toBeNull();
    }
  });

  it('our listener with the passphrase accepts libsrt conclusion and delivers the clear payload', () => {
    const peer = { address: '127.0.0.1', port: 1 };
    const secret = new Uint8Array(32).fill(1);
    const l = new SrtListener({ now: 0, cookieSecret: secret, passphrase: CAPTURE_PASSPHRASE });
    const conclusion = encrypted[2]!.bytes.slice();
    new DataView(conclusion.buffer).setUint32(44, synCookie(secret, peer.address, peer.port, 0));
    const r = l.handle(conclusion, peer, 0);
    if (r.kind !== 'request') throw new Error(`${r.kind} ${'reason' in r ? r.reason : ''}`);
    // Accept with the socket id libsrt's listener gave, so the captured data packets are addressed to us.
    const libsrtAnswer = decodeHandshake(encrypted[3]!.bytes);
    const { connection, bytes } = l.accept(r.request, 0, libsrtAnswer.socketId);
    const answer = decodeHandshake(bytes);
    expect(answer.extensionField).toBe(libsrtAnswer.extensionField);
    expect(answer.extensions.find((e) => e.type === 'kmrsp')).toEqual(libsrtAnswer.extensions.find((e) => e.type === 'kmrsp'));
    const out = dataPackets().flatMap((b) => connection.receive(b, 1));
    const delivered = [...out, ...connection.tick(1000)].flatMap((o) => (o.kind === 'data' ? [toHex(o.payload)] : []));
    expect(delivered).toEqual(dataPackets().map(() => '47'.repeat(188)));
    expect(connection.stats.receiver.undecryptable).toBe(0);
  });

  it('refuses libsrt callers with the wrong passphrase (BADSECRET) and without one (UNSECURE), as libsrt did', () => {
    const peer = { address: '127.0.0.1', port: 1 };
    const secret = new Uint8Array(32).fill(1);
    const l = new SrtListener({ now: 0, cookieSecret: secret, passphrase: CAPTURE_PASSPHRASE });
    const withCookie = (b: Uint8Array) => {
      const c = b.slice();
      new DataView(c.buffer).setUint32(44, synCookie(secret, peer.address, peer.port, 0));
      return c;
    };
    const bad = l.handle(withCookie(loadCapture('reject-badsecret')[2]!.bytes), peer, 0);
    expect(bad).toMatchObject({ kind: 'reject', code: SRT_REJ.badSecret, reason: 'bad_passphrase' });
    const libsrtBad = decodeHandshake(loadCapture('reject-badsecret')[3]!.bytes).type;
    expect(bad.kind === 'reject' && decodeHandshake(bad.bytes).type).toBe(libsrtBad);
    const none = l.handle(withCookie(loadCapture('reject-unsecure')[2]!.bytes), peer, 0);
    expect(none).toMatchObject({ kind: 'reject', code: SRT_REJ.unsecure, reason: 'passphrase_required' });
    expect(none.kind === 'reject' && decodeHandshake(none.bytes).type).toBe(decodeHandshake(loadCapture('reject-unsecure')[3]!.bytes).type);
  });
});

describe('payload cipher and stream keys', () => {
  it('builds the counter block as MSB(112, salt) XOR (seq << 16), block counter 0', () => {
    const salt = hex('000102030405060708090a0b0c0d0e0f');
    expect(toHex(ctrIv(salt, 0x11223344))).toBe('00010203040506070809' + '1b 29 3f 49'.replace(/ /g, '') + '0000');
  });

  fcTest.prop([fc.constantFrom(16, 24, 32), fc.nat({ max: 0x7fffffff }), fc.uint8Array({ maxLength: 1456 })])('ctrCrypt is its own inverse and changes the bytes', (k, seq, payload) => {
    const key = seededRandom(k)(k);
    const salt = seededRandom(seq)(16);
    const enc = ctrCrypt(key, salt, seq, payload);
    expect(enc).toHaveLength(payload.length);
    expect(ctrCrypt(key, salt, seq, enc)).toEqual(payload);
    if (payload.length >= 16) expect(toHex(enc)).not.toBe(toHex(payload));
  });

  it.each([16, 24, 32])('a caller key of %i bytes is accepted by a listener with the passphrase; traffic decrypts both ways', (keyLength) => {
    const caller = StreamCrypto.create('a passphrase of 25 chars', keyLength, seededRandom(keyLength));
    const listener = StreamCrypto.accept('a passphrase of 25 chars', caller.keyMaterial);
    if (!(listener instanceof StreamCrypto)) throw new Error(listener);
    const msg = new Uint8Array(1316).fill(7);
    const a = caller.encrypt(42, msg);
    expect(listener.decrypt(a.key, 42, a.payload)).toEqual(msg);
    const b = listener.encrypt(43, msg);
    expect(caller.decrypt(b.key, 43, b.payload)).toEqual(msg);
    expect(StreamCrypto.accept('another passphrase here', caller.keyMaterial)).toBe('bad_secret');
  });

  it('a key switch (KMREQ with both keys) installs the odd key', () => {
    const random = seededRandom(3);
    const first = StreamCrypto.create('passphrase-0123456789', 16, random);
    const receiver = StreamCrypto.accept('passphrase-0123456789', first.keyMaterial) as StreamCrypto;
    const even = unwrapKeys(deriveKek('passphrase-0123456789', first.keyMaterial.salt, 16), first.keyMaterial.wrappedKeys)!;
    const odd = random(16);
    const both = { ...first.keyMaterial, keys: 'both' as const, wrappedKeys: wrapKeys(deriveKek('passphrase-0123456789', first.keyMaterial.salt, 16), new Uint8Array([...even, ...odd])) };
    expect(receiver.decrypt('odd', 1, new Uint8Array(4))).toBeNull();
    expect(receiver.update(both)).toBeNull();
    const payload = ctrCrypt(odd, first.keyMaterial.salt, 9, new Uint8Array(32).fill(1));
    expect(receiver.decrypt('odd', 9, payload)).toEqual(new Uint8Array(32).fill(1));
    expect(receiver.update({ ...both, wrappedKeys: new Uint8Array(both.wrappedKeys.length) })).toBe('bad_secret');
  });

  it('our sending side switches keys like haicrypt: announce both before the switch, switch, retire the old key', () => {
    const random = seededRandom(11);
    const tx = StreamCrypto.create('passphrase-0123456789', 16, random, { rate: 10, preAnnounce: 3 });
    const rx = StreamCrypto.accept('passphrase-0123456789', tx.keyMaterial) as StreamCrypto;
    const keys: string[] = [];
    const announced: string[] = [];
    for (let seq = 0; seq < 30; seq++) {
      const msg = new Uint8Array(64).fill(seq);
      const e = tx.encrypt(seq, msg);
      if (tx.announcement) {
        announced.push(`${seq}:${tx.announcement.keys}`);
        expect(rx.update(tx.announcement)).toBeNull();
        tx.acknowledge(tx.announcement);
      }
      keys.push(e.key[0]!);
      expect(rx.decrypt(e.key, seq, e.payload)).toEqual(msg);
    }
    expect(keys.join('')).toBe('eeeeeeeeee' + 'oooooooooo' + 'eeeeeeeeee');
    // Both keys 3 packets before each switch; the new key alone 3 packets after.
    expect(announced).toEqual(['7:both', '13:odd', '17:both', '23:even', '27:both']);
  });

  it('refuses passphrases libsrt refuses (under 10 or over 80 characters)', () => {
    expect(() => StreamCrypto.create('short', 16, seededRandom(1))).toThrow(RangeError);
    expect(() => StreamCrypto.create('x'.repeat(81), 16, seededRandom(1))).toThrow(RangeError);
    expect(() => new SrtListener({ now: 0, passphrase: 'short' })).toThrow(RangeError);
  });
});
