import { describe, expect, it } from 'vitest';
import { test as fcTest, fc } from '@fast-check/vitest';
import { ChunkedDecoder, MAX_CHUNK_LINE_BYTES, MAX_HEAD_BYTES, isChunked, parseResponseHead } from './http-response.ts';

const enc = (s: string): Uint8Array => new TextEncoder().encode(s);
const dec = (parts: Uint8Array[]): string => new TextDecoder('latin1').decode(concat(parts));

function concat(parts: readonly Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let off = 0;
  for (const p of parts) {
    out.set(p, off);
    off += p.length;
  }
  return out;
}

/** RFC 9112 7.1 chunked encoding of `chunks`, with an optional extension on each size line. */
function chunkedBody(chunks: readonly Uint8Array[], ext = ''): Uint8Array {
  const parts: Uint8Array[] = [];
  for (const c of chunks) {
    if (c.length === 0) continue;
    parts.push(enc(`${c.length.toString(16)}${ext}\r\n`), c, enc('\r\n'));
  }
  parts.push(enc('0\r\n\r\n'));
  return concat(parts);
}

function splitAt(buf: Uint8Array, cuts: number[]): Uint8Array[] {
  const points = [...new Set(cuts.map((c) => c % (buf.length + 1)))].sort((a, b) => a - b);
  const out: Uint8Array[] = [];
  let prev = 0;
  for (const p of [...points, buf.length]) {
    out.push(buf.subarray(prev, p));
    prev = p;
  }
  return out;
}

describe('parseResponseHead', () => {
  it('parses status and headers and returns the body bytes after the head', () => {
    const r = parseResponseHead(enc('HTTP/1.1 200 OK\r\nContent-Type: video/x-flv\r\nTransfer-Encoding: chunked\r\nX-A: 1\r\nx-a: 2\r\n\r\nFLV\x01'));
    expect(r?.head.status).toBe(200);
    expect(r?.head.headers.get('content-type')).toBe('video/x-flv');
    expect(r?.head.headers.get('x-a')).toBe('1, 2');
    expect(isChunked(r!.head)).toBe(true);
    expect(dec([r!.rest])).toBe('FLV\x01');
  });

  it('reads HTTP/1.0 and error statuses', () => {
    const r = parseResponseHead(enc('HTTP/1.0 404 Not Found\r\nConnection: close\r\n\r\n'));
    expect(r?.head.status).toBe(404);
    expect(isChunked(r!.head)).toBe(false);
    expect(r?.rest.length).toBe(0);
  });

  it('waits for the blank line', () => {
    expect(parseResponseHead(enc('HTTP/1.1 200 OK\r\nContent-Type: video/x-flv\r\n'))).toBeUndefined();
  });

  it('refuses what is not HTTP/1.x and heads that never end', () => {
    expect(() => parseResponseHead(enc('FLV\x01\x05\x00\x00\x00\x09\r\n\r\n'))).toThrow(/status line/);
    expect(() => parseResponseHead(new Uint8Array(MAX_HEAD_BYTES + 1).fill(65))).toThrow(/longer than/);
  });

  it.each([
    ['chunked', true],
    ['gzip, chunked', true],
    ['identity', false],
    ['chunked, gzip', false],
  ])('Transfer-Encoding "%s" chunked: %s', (te, want) => {
    const r = parseResponseHead(enc(`HTTP/1.1 200 OK\r\nTransfer-Encoding: ${te}\r\n\r\n`));
    expect(isChunked(r!.head)).toBe(want);
  });
});

describe('ChunkedDecoder', () => {
  it('decodes a body with extensions and stops at the last chunk', () => {
    const d = new ChunkedDecoder();
    const out = d.push(chunkedBody([enc('hello '), enc('world')], ';name=value'));
    expect(dec(out)).toBe('hello world');
    expect(d.done).toBe(true);
  });

  it('returns subarrays of its input (no copy)', () => {
    const body = chunkedBody([enc('abcdef')]);
    const out = new ChunkedDecoder().push(body);
    expect(out[0]!.buffer).toBe(body.buffer);
  });

  fcTest.prop([
    fc.array(fc.uint8Array({ maxLength: 300 }), { maxLength: 20 }),
    fc.array(fc.nat(), { maxLength: 30 }),
  ])('decodes any body split anywhere', (chunks, cuts) => {
    const d = new ChunkedDecoder();
    const out: Uint8Array[] = [];
    for (const piece of splitAt(chunkedBody(chunks), cuts)) out.push(...d.push(piece));
    expect(concat(out)).toEqual(concat(chunks));
    expect(d.done).toBe(true);
  });

  it.each([
    { name: 'bad size', body: 'zz\r\nhello\r\n', error: /bad chunk size/ },
    { name: 'size wider than 32 bits', body: '123456789\r\n', error: /bad chunk size/ },
    { name: 'missing CRLF after data', body: '2\r\nabXY', error: /missing CRLF/ },
    { name: 'endless size line', body: '1'.repeat(MAX_CHUNK_LINE_BYTES + 1), error: /longer than/ },
  ])('refuses $name', (c) => {
    expect(() => new ChunkedDecoder().push(enc(c.body))).toThrow(c.error);
  });
});
