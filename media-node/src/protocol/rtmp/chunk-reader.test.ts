import { describe, expect, it } from 'vitest';
import { hex, toHex } from '@runnel/shared';
import { ChunkReader } from './chunk-reader.ts';
import { encodeMessageChunks } from './chunk-writer.ts';
import { MAX_CHUNK_STREAMS, MAX_REASSEMBLY_BYTES } from './limits.ts';
import { errorCode, feed, h, p150, p200, pattern, plain, setChunkSize, wireCases } from './testdata/chunk-cases.ts';

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
