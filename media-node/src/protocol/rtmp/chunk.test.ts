import { describe, expect, it } from 'vitest';
import { test as fcTest, fc } from '@fast-check/vitest';
import { ProtocolError, hex, toHex } from '@runnel/shared';
import { ChunkReader } from './chunk-reader.ts';
import { chunkMessageParts, encodeMessageChunks } from './chunk-writer.ts';
import { decodeBasicHeader, writeBasicHeader } from './chunk-header.ts';
import { MAX_CHUNK_STREAMS, MAX_REASSEMBLY_BYTES } from './limits.ts';
import type { RtmpMessage } from './message.ts';

/** Deterministic test payload. */
function pattern(n: number, seed = 1): Uint8Array {
  const out = new Uint8Array(n);
  for (let i = 0; i < n; i++) out[i] = (i * 31 + seed * 7) & 0xff;
  return out;
}
const h = (b: Uint8Array) => toHex(b);
const plain = (m: RtmpMessage) => ({ ...m, payload: toHex(m.payload) });

function feed(reader: ChunkReader, bytes: Uint8Array, step = bytes.length): RtmpMessage[] {
  const out: RtmpMessage[] = [];
  for (let i = 0; i < bytes.length; i += step) out.push(...reader.push(bytes.subarray(i, i + step)));
  return out;
}

function errorCode(fn: () => unknown): string {
  try {
    fn();
  } catch (e) {
    expect(e).toBeInstanceOf(ProtocolError);
    return (e as ProtocolError).code;
  }
  return 'no error';
}

const p200 = pattern(200);
const p150 = pattern(150, 2);

/** One table: the writer must produce `hex`, the reader must turn `hex` back into `msg`. */
const wireCases: { name: string; chunkSize: number; msg: RtmpMessage; hex: string }[] = [
  {
    name: 'small command on cid 3',
    chunkSize: 128,
    msg: { csid: 3, timestamp: 0, typeId: 20, streamId: 0, payload: hex('616263') },
    hex: '03 000000 000003 14 00000000 616263',
  },
  {
    name: 'video split at 128 with a fmt 3 continuation',
    chunkSize: 128,
    msg: { csid: 6, timestamp: 40, typeId: 9, streamId: 1, payload: p200 },
    hex: '06 000028 0000c8 09 01000000' + h(p200.subarray(0, 128)) + 'c6' + h(p200.subarray(128)),
  },
  {
    name: 'extended timestamp repeated in fmt 3 (row 14)',
    chunkSize: 128,
    msg: { csid: 4, timestamp: 0x01000000, typeId: 8, streamId: 1, payload: p150 },
    hex: '04 ffffff 000096 08 01000000 01000000' + h(p150.subarray(0, 128)) + 'c4 01000000' + h(p150.subarray(128)),
  },
  {
    name: 'timestamp 0xfffffe stays in the 24-bit field',
    chunkSize: 128,
    msg: { csid: 4, timestamp: 0xfffffe, typeId: 8, streamId: 1, payload: hex('aa') },
    hex: '04 fffffe 000001 08 01000000 aa',
  },
  {
    name: 'timestamp 0xffffff is extended',
    chunkSize: 128,
    msg: { csid: 4, timestamp: 0xffffff, typeId: 8, streamId: 1, payload: hex('aa') },
    hex: '04 ffffff 000001 08 01000000 00ffffff aa',
  },
  {
    name: 'cid 64 in a 2-byte basic header',
    chunkSize: 128,
    msg: { csid: 64, timestamp: 1, typeId: 8, streamId: 1, payload: hex('aa') },
    hex: '00 00 000001 000001 08 01000000 aa',
  },
  {
    name: 'cid 320 in a 3-byte basic header (row 10)',
    chunkSize: 128,
    msg: { csid: 320, timestamp: 1, typeId: 8, streamId: 1, payload: hex('aa') },
    hex: '01 00 01 000001 000001 08 01000000 aa',
  },
  {
    name: 'cid 65599 in a 3-byte basic header (row 10)',
    chunkSize: 128,
    msg: { csid: 65599, timestamp: 1, typeId: 9, streamId: 1, payload: hex('aa') },
    hex: '01 ff ff 000001 000001 09 01000000 aa',
  },
  {
    name: 'empty payload',
    chunkSize: 128,
    msg: { csid: 7, timestamp: 5, typeId: 8, streamId: 1, payload: new Uint8Array(0) },
    hex: '07 000005 000000 08 01000000',
  },
  {
    name: 'stream id is little-endian',
    chunkSize: 128,
    msg: { csid: 5, timestamp: 0, typeId: 20, streamId: 0x01020304, payload: hex('05') },
    hex: '05 000000 000001 14 04030201 05',
  },
];

/** Streams only a reader sees: compressed headers and other writers' conventions. */
const readCases: { name: string; hex: string; want: { csid: number; timestamp: number; typeId: number; streamId: number; payload: string }[] }[] = [
  {
    name: 'fmt 1 and fmt 2 deltas, fmt 3 repeating the delta',
    hex: '04 000064 000002 08 01000000 aabb  44 00000a 000001 08 cc  84 000005 dd  c4 ee',
    want: [
      { csid: 4, timestamp: 100, typeId: 8, streamId: 1, payload: 'aabb' },
      { csid: 4, timestamp: 110, typeId: 8, streamId: 1, payload: 'cc' },
      { csid: 4, timestamp: 115, typeId: 8, streamId: 1, payload: 'dd' },
      { csid: 4, timestamp: 120, typeId: 8, streamId: 1, payload: 'ee' },
    ],
  },
  {
    name: 'fmt 3 after fmt 0 adds the fmt 0 timestamp (ffmpeg, SRS)',
    hex: '04 000064 000001 08 01000000 aa  c4 bb',
    want: [
      { csid: 4, timestamp: 100, typeId: 8, streamId: 1, payload: 'aa' },
      { csid: 4, timestamp: 200, typeId: 8, streamId: 1, payload: 'bb' },
    ],
  },
  {
    name: 'timestamps wrap at 2^32 (row 15)',
    hex: '04 ffffff 000001 08 01000000 fffffff0 aa  84 000020 bb',
    want: [
      { csid: 4, timestamp: 0xfffffff0, typeId: 8, streamId: 1, payload: 'aa' },
      { csid: 4, timestamp: 0x10, typeId: 8, streamId: 1, payload: 'bb' },
    ],
  },
  {
    name: 'extended delta in fmt 1 (row 15)',
    hex: '04 000000 000001 08 01000000 aa  44 ffffff 000001 08 01000000 bb',
    want: [
      { csid: 4, timestamp: 0, typeId: 8, streamId: 1, payload: 'aa' },
      { csid: 4, timestamp: 0x01000000, typeId: 8, streamId: 1, payload: 'bb' },
    ],
  },
  {
    name: 'extended timestamp NOT repeated in fmt 3 (row 14, OBS #10097)',
    hex: '04 ffffff 000096 08 01000000 01000000' + h(p150.subarray(0, 128)) + 'c4' + h(p150.subarray(128)),
    want: [{ csid: 4, timestamp: 0x01000000, typeId: 8, streamId: 1, payload: h(p150) }],
  },
  {
    name: 'fmt 1 on a fresh cid 2 (librtmp ping, SRS #98)',
    hex: '42 000000 000006 04 0006 00000d0f',
    want: [{ csid: 2, timestamp: 0, typeId: 4, streamId: 0, payload: '000600000d0f' }],
  },
  {
    name: 'set chunk size between two chunks of a message (row 7)',
    hex:
      '06 000000 00012c 09 01000000' + h(pattern(300).subarray(0, 128)) +
      '02 000000 000004 01 00000000 00001000' +
      'c6' + h(pattern(300).subarray(128)),
    want: [{ csid: 6, timestamp: 0, typeId: 9, streamId: 1, payload: h(pattern(300)) }],
  },
  {
    name: 'abort discards the partial message (row 17)',
    hex:
      '06 000000 00012c 09 01000000' + h(pattern(300).subarray(0, 128)) +
      '02 000000 000004 02 00000000 00000006' +
      '02 000000 000004 02 00000000 00000063' +
      '06 000028 000001 09 01000000 aa',
    want: [{ csid: 6, timestamp: 40, typeId: 9, streamId: 1, payload: 'aa' }],
  },
  {
    name: 'audio interleaved between chunks of a video message',
    hex:
      '06 000000 0000c8 09 01000000' + h(p200.subarray(0, 128)) +
      '04 000000 000002 08 01000000 abcd' +
      'c6' + h(p200.subarray(128)),
    want: [
      { csid: 4, timestamp: 0, typeId: 8, streamId: 1, payload: 'abcd' },
      { csid: 6, timestamp: 0, typeId: 9, streamId: 1, payload: h(p200) },
    ],
  },
  {
    name: 'fmt 2 restating the header mid-message is a continuation',
    hex: '06 000010 0000c8 09 01000000' + h(p200.subarray(0, 128)) + '86 000099' + h(p200.subarray(128)),
    want: [{ csid: 6, timestamp: 16, typeId: 9, streamId: 1, payload: h(p200) }],
  },
];

const setChunkSize = (v: string) => hex('02 000000 000004 01 00000000' + v);

const errorCases: { name: string; bytes: Uint8Array; code: string }[] = [
  { name: 'set chunk size 0 (row 4)', bytes: setChunkSize('00000000'), code: 'chunk_size_out_of_range' },
  { name: 'set chunk size 1 (row 5)', bytes: setChunkSize('00000001'), code: 'chunk_size_out_of_range' },
  { name: 'set chunk size 127 (row 5)', bytes: setChunkSize('0000007f'), code: 'chunk_size_out_of_range' },
  { name: 'set chunk size 0x7fffffff (row 6)', bytes: setChunkSize('7fffffff'), code: 'chunk_size_out_of_range' },
  { name: 'set chunk size 0x80000001 (row 6)', bytes: setChunkSize('80000001'), code: 'chunk_size_out_of_range' },
  { name: 'set chunk size with a 2-byte payload', bytes: hex('02 000000 000002 01 00000000 0100'), code: 'truncated' },
  { name: 'message length 0xffffff (row 8)', bytes: hex('04 000000 ffffff 09 01000000'), code: 'message_too_large' },
  { name: 'fresh cid with fmt 1 (row 11)', bytes: hex('44 000000 000001 08 aa'), code: 'chunk_start_not_fmt0' },
  { name: 'fresh cid with fmt 2 (row 11)', bytes: hex('84 000000 aa'), code: 'chunk_start_not_fmt0' },
  { name: 'fresh cid with fmt 3 (row 11)', bytes: hex('c4 aa'), code: 'chunk_start_not_fmt0' },
  { name: 'fresh 3-byte cid with fmt 3 (row 11)', bytes: hex('c1 ff ff aa'), code: 'chunk_start_not_fmt0' },
  {
    name: 'fmt 0 on a half-received message (row 12)',
    bytes: hex('06 000000 0000c8 09 01000000' + h(p200.subarray(0, 128)) + '06 000000 000001 09 01000000 aa'),
    code: 'chunk_fmt0_mid_message',
  },
  {
    name: 'fmt 1 changing the length mid-message (row 13)',
    bytes: hex('06 000000 0000c8 09 01000000' + h(p200.subarray(0, 128)) + '46 000000 0000c9 09' + h(p200.subarray(128))),
    code: 'chunk_length_changed',
  },
];

describe('chunk basic header', () => {
  it.each([
    { csid: 2, bytes: 'c2' },
    { csid: 63, bytes: 'ff' },
    { csid: 64, bytes: 'c000' },
    { csid: 319, bytes: 'c0ff' },
    { csid: 320, bytes: 'c10001' },
    { csid: 65599, bytes: 'c1ffff' },
  ])('cid $csid is $bytes (fmt 3)', ({ csid, bytes }) => {
    const buf = new Uint8Array(3);
    const n = writeBasicHeader(buf, 0, 3, csid);
    expect(toHex(buf.subarray(0, n))).toBe(bytes);
    expect(decodeBasicHeader(hex(bytes), 0)).toEqual({ fmt: 3, csid, size: n });
  });

  it('decodes 64 + b1 + 256 * b2 for every 3-byte header', () => {
    for (const [b1, b2] of [[0, 1], [0xff, 0xff], [0x12, 0x34]] as const) {
      expect(decodeBasicHeader(new Uint8Array([0x41, b1, b2]), 0)!.csid).toBe(64 + b1 + 256 * b2);
    }
  });

  it('needs all bytes of a multi-byte basic header', () => {
    expect(decodeBasicHeader(hex('00'), 0)).toBeNull();
    expect(decodeBasicHeader(hex('01ff'), 0)).toBeNull();
  });

  it('refuses cids outside 2..65599', () => {
    expect(() => writeBasicHeader(new Uint8Array(3), 0, 0, 1)).toThrow(ProtocolError);
    expect(() => writeBasicHeader(new Uint8Array(3), 0, 0, 65600)).toThrow(ProtocolError);
  });
});

describe('chunk writer', () => {
  it.each(wireCases)('encodes $name', (c) => {
    expect(toHex(encodeMessageChunks(c.msg, c.chunkSize))).toBe(toHex(hex(c.hex)));
  });

  it('slices the payload without copying and shares one fmt 3 header', () => {
    const payload = pattern(1000);
    const parts = chunkMessageParts({ csid: 6, timestamp: 0, typeId: 9, streamId: 1, payload }, 300);
    expect(parts.length).toBe(1 + 4 + 3);
    for (const i of [1, 3, 5, 7]) expect(parts[i]!.buffer).toBe(payload.buffer);
    expect(parts[2]).toBe(parts[4]);
    expect(toHex(parts[2]!)).toBe('c6');
  });
});

describe('chunk reader', () => {
  it.each(wireCases)('decodes $name', (c) => {
    expect(feed(new ChunkReader(), hex(c.hex)).map(plain)).toEqual([plain(c.msg)]);
  });

  it.each(wireCases)('decodes $name fed one byte at a time', (c) => {
    expect(feed(new ChunkReader(), hex(c.hex), 1).map(plain)).toEqual([plain(c.msg)]);
  });

  it.each(readCases)('reads $name', (c) => {
    expect(feed(new ChunkReader(), hex(c.hex)).map(plain)).toEqual(c.want);
    expect(feed(new ChunkReader(), hex(c.hex), 1).map(plain)).toEqual(c.want);
  });

  it.each(errorCases)('rejects $name', (c) => {
    expect(errorCode(() => feed(new ChunkReader(), c.bytes))).toBe(c.code);
  });

  it('applies set chunk size to what follows and keeps bytes buffered at zero when idle', () => {
    const r = new ChunkReader();
    feed(r, setChunkSize('0000ea60'));
    expect(r.chunkSize).toBe(60000);
    const big = pattern(70000);
    const msgs = feed(r, encodeMessageChunks({ csid: 6, timestamp: 0, typeId: 9, streamId: 1, payload: big }, 60000), 4096);
    expect(msgs.length).toBe(1);
    expect(toHex(msgs[0]!.payload)).toBe(toHex(big));
    expect(r.bufferedBytes).toBe(0);
  });

  it('closes at the chunk stream cap (row 9)', () => {
    const r = new ChunkReader();
    let code = 'no error';
    for (let csid = 64; csid < 64 + MAX_CHUNK_STREAMS + 1 && code === 'no error'; csid++) {
      code = errorCode(() => r.push(encodeMessageChunks({ csid, timestamp: 0, typeId: 8, streamId: 1, payload: hex('aa') }, 128)));
    }
    expect(code).toBe('too_many_chunk_streams');
  });

  it('caps reassembly memory when 10 000 cids each open a 1 MiB message (row 9)', () => {
    const r = new ChunkReader({ maxChunkStreams: 100_000 });
    const first = new Uint8Array(128);
    let code = 'no error';
    for (let i = 0; i < 10_000 && code === 'no error'; i++) {
      const csid = 64 + i;
      const head = encodeMessageChunks({ csid, timestamp: 0, typeId: 9, streamId: 1, payload: new Uint8Array(0) }, 128);
      head.set([0x10, 0x00, 0x00], head.length - 8); // length field: 1 MiB
      code = errorCode(() => {
        r.push(head);
        r.push(first);
      });
      expect(r.bufferedBytes).toBeLessThanOrEqual(MAX_REASSEMBLY_BYTES);
    }
    expect(code).toBe('reassembly_limit');
  });

  it('grows a large message buffer only as its bytes arrive', () => {
    const r = new ChunkReader({ preallocateBytes: 1024 });
    const payload = pattern(9000);
    const wire = encodeMessageChunks({ csid: 6, timestamp: 0, typeId: 9, streamId: 1, payload }, 128);
    r.push(wire.subarray(0, 200));
    expect(r.bufferedBytes).toBe(1024);
    const msgs = r.push(wire.subarray(200));
    expect(toHex(msgs[0]!.payload)).toBe(toHex(payload));
    expect(r.bufferedBytes).toBe(0);
  });
});

// ---------------------------------------------------------------------------
// properties

const msgArb = (csids: number[]) =>
  fc.record({
    csid: fc.constantFrom(...csids),
    timestamp: fc.nat({ max: 0xffffffff }),
    typeId: fc.constantFrom(3, 4, 5, 6, 8, 9, 15, 17, 18, 20, 22),
    streamId: fc.nat({ max: 0xffffffff }),
    payload: fc.uint8Array({ maxLength: 700 }),
  });

const csidsArb = fc.uniqueArray(fc.integer({ min: 3, max: 65599 }), { minLength: 1, maxLength: 6 });

/** Cuts `bytes` at the given points (mod length) into pieces. */
function split(bytes: Uint8Array, cuts: number[]): Uint8Array[] {
  if (bytes.length === 0) return [];
  const at = [...new Set(cuts.map((c) => c % bytes.length))].sort((a, b) => a - b);
  const out: Uint8Array[] = [];
  let prev = 0;
  for (const c of at) {
    out.push(bytes.subarray(prev, c));
    prev = c;
  }
  out.push(bytes.subarray(prev));
  return out;
}

interface Prev {
  timestamp: number;
  delta: number;
  length: number;
  typeId: number;
  streamId: number;
}

/**
 * A header-compressing writer in the style of ffmpeg's ff_rtmp_packet_write:
 * fmt 1/2/3 whenever the previous header on the cid allows, extended timestamp
 * in continuations repeated or not. Independent of chunkMessageParts.
 */
function compressingWrite(msgs: RtmpMessage[], chunkSize: number, repeatExt: boolean): { bytes: Uint8Array; ambiguous: boolean } {
  const prev = new Map<number, Prev>();
  const out: number[] = [];
  let ambiguous = false;
  const u24 = (v: number) => out.push((v >> 16) & 0xff, (v >> 8) & 0xff, v & 0xff);
  const u32 = (v: number) => out.push((v >>> 24) & 0xff, (v >> 16) & 0xff, (v >> 8) & 0xff, v & 0xff);
  const basic = (fmt: number, csid: number) => {
    const b = new Uint8Array(3);
    out.push(...b.subarray(0, writeBasicHeader(b, 0, fmt as 0 | 1 | 2 | 3, csid)));
  };
  for (const m of msgs) {
    const p = prev.get(m.csid);
    let fmt: number;
    let field: number;
    if (!p || p.streamId !== m.streamId) {
      fmt = 0;
      field = m.timestamp;
    } else {
      field = (m.timestamp - p.timestamp) >>> 0;
      fmt = p.length !== m.payload.length || p.typeId !== m.typeId ? 1 : field !== p.delta ? 2 : 3;
    }
    const extended = field >= 0xffffff;
    basic(fmt, m.csid);
    if (fmt <= 2) u24(extended ? 0xffffff : field);
    if (fmt <= 1) {
      u24(m.payload.length);
      out.push(m.typeId);
    }
    if (fmt === 0) out.push(m.streamId & 0xff, (m.streamId >>> 8) & 0xff, (m.streamId >>> 16) & 0xff, m.streamId >>> 24);
    if (extended) u32(field);
    for (let off = 0; off < m.payload.length || off === 0; off += chunkSize) {
      if (off > 0) {
        basic(3, m.csid);
        if (extended && repeatExt) u32(field);
        // without the repeat the reader must guess from the next 4 bytes, like SRS does
        if (extended && !repeatExt && m.payload.length - off < 4) ambiguous = true;
        if (extended && !repeatExt && m.payload.length - off >= 4) {
          const v = ((m.payload[off]! << 24) | (m.payload[off + 1]! << 16) | (m.payload[off + 2]! << 8) | m.payload[off + 3]!) >>> 0;
          if (v === field) ambiguous = true;
        }
      }
      out.push(...m.payload.subarray(off, off + chunkSize));
      if (m.payload.length === 0) break;
    }
    prev.set(m.csid, { timestamp: m.timestamp, delta: field, length: m.payload.length, typeId: m.typeId, streamId: m.streamId });
  }
  return { bytes: new Uint8Array(out), ambiguous };
}

describe('chunk round trips', () => {
  fcTest.prop([
    csidsArb.chain((csids) => fc.array(fc.oneof({ weight: 8, arbitrary: msgArb(csids) }, { weight: 1, arbitrary: fc.integer({ min: 128, max: 2000 }) }), { maxLength: 25 })),
    fc.array(fc.nat(), { maxLength: 20 }),
  ])('writer -> reader at changing chunk sizes and random splits', (items, cuts) => {
    let size = 128;
    const wire: Uint8Array[] = [];
    const want: RtmpMessage[] = [];
    for (const it of items) {
      if (typeof it === 'number') {
        wire.push(encodeMessageChunks({ csid: 2, timestamp: 0, typeId: 1, streamId: 0, payload: hex(it.toString(16).padStart(8, '0')) }, size));
        size = it;
      } else {
        wire.push(...chunkMessageParts(it, size));
        want.push(it);
      }
    }
    const reader = new ChunkReader();
    const got: RtmpMessage[] = [];
    const all = new Uint8Array(wire.reduce((n, p) => n + p.length, 0));
    let off = 0;
    for (const p of wire) {
      all.set(p, off);
      off += p.length;
    }
    for (const piece of split(all, cuts)) got.push(...reader.push(piece));
    expect(got.map(plain)).toEqual(want.map(plain));
  });

  fcTest.prop([
    csidsArb.chain((csids) =>
      fc.array(
        fc.record({
          csid: fc.constantFrom(...csids),
          step: fc.oneof(fc.constantFrom(0, 20, 23, 0xffffff, 0x7fffffff, 0xfffffff0), fc.nat({ max: 0xffffffff })),
          typeId: fc.constantFrom(8, 9),
          streamId: fc.constantFrom(0, 1),
          payload: fc.oneof(fc.uint8Array({ maxLength: 400 }), fc.constant(pattern(300))),
        }),
        { maxLength: 30 },
      ),
    ),
    fc.integer({ min: 128, max: 300 }),
    fc.boolean(),
    fc.array(fc.nat(), { maxLength: 20 }),
  ])('compressed headers (fmt 1/2/3, extended timestamps both ways) -> reader', (steps, chunkSize, repeatExt, cuts) => {
    const lastTs = new Map<number, number>();
    const msgs: RtmpMessage[] = steps.map((s) => {
      const timestamp = ((lastTs.get(s.csid) ?? 0) + s.step) >>> 0;
      lastTs.set(s.csid, timestamp);
      return { csid: s.csid, timestamp, typeId: s.typeId, streamId: s.streamId, payload: s.payload };
    });
    const { bytes, ambiguous } = compressingWrite(msgs, chunkSize, repeatExt);
    fc.pre(!ambiguous);
    const reader = new ChunkReader();
    const got: RtmpMessage[] = [];
    got.push(...reader.push(setChunkSize(chunkSize.toString(16).padStart(8, '0'))));
    for (const piece of split(bytes, cuts)) got.push(...reader.push(piece));
    expect(got.map(plain)).toEqual(msgs.map(plain));
  });

  fcTest.prop([fc.uint8Array({ maxLength: 4096 }), fc.array(fc.nat(), { maxLength: 10 })])('garbage throws only ProtocolError', (bytes, cuts) => {
    const reader = new ChunkReader();
    try {
      for (const piece of split(bytes, cuts)) reader.push(piece);
    } catch (e) {
      expect(e).toBeInstanceOf(ProtocolError);
    }
    expect(reader.bufferedBytes).toBeLessThanOrEqual(MAX_REASSEMBLY_BYTES);
  });

  fcTest.prop([
    csidsArb.chain((csids) => fc.array(msgArb(csids), { minLength: 1, maxLength: 8 })),
    fc.array(fc.tuple(fc.nat(), fc.integer({ min: 0, max: 255 })), { minLength: 1, maxLength: 6 }),
  ])('corrupted chunk streams throw only ProtocolError', (msgs, flips) => {
    const wire = msgs.flatMap((m) => chunkMessageParts(m, 128));
    const bytes = new Uint8Array(wire.reduce((n, p) => n + p.length, 0));
    let off = 0;
    for (const p of wire) {
      bytes.set(p, off);
      off += p.length;
    }
    for (const [at, b] of flips) bytes[at % bytes.length] = b;
    try {
      new ChunkReader().push(bytes);
    } catch (e) {
      expect(e).toBeInstanceOf(ProtocolError);
    }
  });
});
