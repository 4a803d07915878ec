import { describe, expect } from 'vitest';
import { test as fcTest, fc } from '@fast-check/vitest';
import { ProtocolError, hex } from '@runnel/shared';
import { ChunkReader } from './chunk-reader.ts';
import { chunkMessageParts, encodeMessageChunks } from './chunk-writer.ts';
import { writeBasicHeader } from './chunk-header.ts';
import { MAX_REASSEMBLY_BYTES } from './limits.ts';
import type { RtmpMessage } from './message.ts';
import { pattern, plain, setChunkSize } from './testdata/chunk-cases.ts';
import { cat } from './testdata/fake-peer.ts';

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
    for (const piece of split(cat(...wire), cuts)) got.push(...reader.push(piece));
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
    const bytes = cat(...msgs.flatMap((m) => chunkMessageParts(m, 128)));
    for (const [at, b] of flips) bytes[at % bytes.length] = b;
    try {
      new ChunkReader().push(bytes);
    } catch (e) {
      expect(e).toBeInstanceOf(ProtocolError);
    }
  });
});
