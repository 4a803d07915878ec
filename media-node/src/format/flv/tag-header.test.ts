import { describe, expect, it } from 'vitest';
import { test as fcTest, fc } from '@fast-check/vitest';
import { hex, ProtocolError, toHex } from '@runnel/shared';
import { decodeFlvHeader, encodeFlvHeader, flvStreamStart } from './flv-header.ts';
import { decodeFlvTagHeader, encodeFlvTag, encodeFlvTagHeader, flvTagParts, type FlvTagHeader } from './tag-header.ts';

const headerCases = [
  { name: 'audio + video', hex: '464c5601 05 00000009', value: { version: 1, hasAudio: true, hasVideo: true, dataOffset: 9 } },
  { name: 'video only', hex: '464c5601 01 00000009', value: { version: 1, hasAudio: false, hasVideo: true, dataOffset: 9 } },
  { name: 'audio only', hex: '464c5601 04 00000009', value: { version: 1, hasAudio: true, hasVideo: false, dataOffset: 9 } },
];

const tagCases: { name: string; hex: string; value: FlvTagHeader }[] = [
  { name: 'video, small timestamp', hex: '09 000123 000028 00 000000', value: { type: 9, dataSize: 0x123, timestamp: 40 } },
  { name: 'audio, extended timestamp', hex: '08 000004 020304 01 000000', value: { type: 8, dataSize: 4, timestamp: 0x01020304 } },
  { name: 'script, timestamp 2^32-1', hex: '12 ffffff ffffff ff 000000', value: { type: 18, dataSize: 0xffffff, timestamp: 0xffffffff } },
];

describe('FLV header', () => {
  it.each(headerCases)('decodes $name', (c) => expect(decodeFlvHeader(hex(c.hex))).toEqual(c.value));
  it.each(headerCases)('encodes $name', (c) => expect(toHex(encodeFlvHeader(c.value))).toBe(toHex(hex(c.hex))));

  it('stream start is the header plus PreviousTagSize0 = 0', () => {
    expect(toHex(flvStreamStart({ hasAudio: true, hasVideo: true }))).toBe('464c56010500000009' + '00000000');
  });

  it.each([
    ['bad signature', '474554 2f 20 48545450', 'flv_bad_signature'],
    ['version 2', '464c5602 05 00000009', 'flv_bad_version'],
    ['DataOffset 8', '464c5601 05 00000008', 'flv_bad_data_offset'],
    ['DataOffset 4 GiB', '464c5601 05 ffffffff', 'flv_bad_data_offset'],
    ['short', '464c5601', 'truncated'],
  ])('rejects %s', (_n, h, code) => {
    expect(() => decodeFlvHeader(hex(h))).toThrow(expect.objectContaining({ code }));
  });
});

describe('FLV tag header', () => {
  it.each(tagCases)('decodes $name', (c) => expect(decodeFlvTagHeader(hex(c.hex))).toEqual(c.value));
  it.each(tagCases)('encodes $name', (c) => expect(toHex(encodeFlvTagHeader(c.value))).toBe(toHex(hex(c.hex))));

  it.each([
    ['Filter (encrypted) bit', '29 000001 000000 00 000000', 'flv_encrypted_tag'],
    ['tag type 7', '07 000001 000000 00 000000', 'flv_bad_tag_type'],
    ['reserved bits set', '49 000001 000000 00 000000', 'flv_bad_tag_type'],
    ['StreamID 1', '09 000001 000000 00 000001', 'flv_bad_stream_id'],
    ['10 bytes', '09 000001 000000 00 0000', 'truncated'],
  ])('rejects %s', (_n, h, code) => {
    expect(() => decodeFlvTagHeader(hex(h))).toThrow(expect.objectContaining({ code }));
  });

  it('refuses to encode a body longer than DataSize can express', () => {
    expect(() => encodeFlvTagHeader({ type: 9, dataSize: 0x1000000, timestamp: 0 })).toThrow(ProtocolError);
  });
});

describe('flvTagParts', () => {
  it('returns header, the same body subarray, and PreviousTagSize', () => {
    const payload = hex('00 17 01 000000 aabbcc 00').subarray(1, 9);
    const parts = flvTagParts(9, 0x01000010, payload);
    expect(parts).toHaveLength(3);
    expect(parts[1]).toBe(payload);
    expect(toHex(parts[0]!)).toBe('09000008' + '000010' + '01' + '000000');
    expect(toHex(parts[2]!)).toBe('00000013'); // 11 + 8
  });

  fcTest.prop([fc.constantFrom(8 as const, 9 as const, 18 as const), fc.nat({ max: 0xffffffff }), fc.uint8Array({ maxLength: 300 })])(
    'parts concatenate to the contiguous tag and decode back',
    (type, ts, body) => {
      const joined = Buffer.concat(flvTagParts(type, ts, body));
      expect(toHex(joined)).toBe(toHex(encodeFlvTag(type, ts, body)));
      expect(decodeFlvTagHeader(joined)).toEqual({ type, dataSize: body.length, timestamp: ts });
    },
  );
});
