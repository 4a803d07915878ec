/**
 * Test helper (imported by the chunk tests only): payloads, feeding a
 * reader, error codes, and the wire table both the writer and the reader
 * tests check against.
 */
import { expect } from 'vitest';
import { ProtocolError, hex, toHex } from '@runnel/shared';
import type { ChunkReader } from '../chunk-reader.ts';
import type { RtmpMessage } from '../message.ts';

/** Deterministic test payload. */
export function pattern(n: number, seed = 1): Uint8Array {
  const out = new Uint8Array(n);
  for (let i = 0; i < n; i++) out[i] = (i * 31 + seed * 7) & 0xff;
  return out;
}
export const h = (b: Uint8Array): string => toHex(b);
export const plain = (m: RtmpMessage): Omit<RtmpMessage, 'payload'> & { payload: string } => ({ ...m, payload: toHex(m.payload) });

export function feed(reader: ChunkReader, bytes: Uint8Array, step = bytes.length): RtmpMessage[] {
  const out: RtmpMessage[] = [];
  for (let i = 0; i < bytes.length; i += step) out.push(...reader.push(bytes.subarray(i, i + step)));
  return out;
}

/** The ProtocolError code `fn` throws, or 'no error'. */
export function errorCode(fn: () => unknown): string {
  try {
    fn();
  } catch (e) {
    expect(e).toBeInstanceOf(ProtocolError);
    return (e as ProtocolError).code;
  }
  return 'no error';
}

/** A Set Chunk Size message on chunk stream 2 with the 4-byte value `v` (hex). */
export const setChunkSize = (v: string): Uint8Array => hex('02 000000 000004 01 00000000' + v);

export const p200 = pattern(200);
export const p150 = pattern(150, 2);

/** One table: the writer must produce `hex`, the reader must turn `hex` back into `msg`. */
export const wireCases: { name: string; chunkSize: number; msg: RtmpMessage; hex: string }[] = [
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

