import { describe, expect, it } from 'vitest';
import { test as fcTest, fc } from '@fast-check/vitest';
import { decodeBase64url, encodeBase64url } from './base64url.ts';
import { hex, toHex } from './hex.ts';

/** RFC 4648 section 10 vectors, in the url alphabet without padding. */
const cases = [
  { hex: '', text: '' },
  { hex: '66', text: 'Zg' },
  { hex: '666f', text: 'Zm8' },
  { hex: '666f6f', text: 'Zm9v' },
  { hex: '666f6f626172', text: 'Zm9vYmFy' },
  { hex: 'fbff', text: '-_8' },
];

describe('base64url', () => {
  it.each(cases)('encodes $hex', (c) => expect(encodeBase64url(hex(c.hex))).toBe(c.text));
  it.each(cases)('decodes $text', (c) => expect(toHex(decodeBase64url(c.text) ?? new Uint8Array([0xde]))).toBe(c.hex));

  it.each(['Zm9v=', 'a', 'Zm+v', 'Zm/v', 'Zm9v Zg'])('refuses %j', (text) => expect(decodeBase64url(text)).toBeNull());

  fcTest.prop([fc.uint8Array({ maxLength: 300 })])('round-trips', (bytes) => {
    expect(decodeBase64url(encodeBase64url(bytes))).toEqual(bytes);
  });
});
