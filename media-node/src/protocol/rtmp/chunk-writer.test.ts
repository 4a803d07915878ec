import { describe, expect, it } from 'vitest';
import { hex, toHex } from '@runnel/shared';
import { chunkMessageParts, encodeMessageChunks } from './chunk-writer.ts';
import { pattern, wireCases } from './testdata/chunk-cases.ts';

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
