import { test as fcTest, fc } from '@fast-check/vitest';
import { ProtocolError, hex, toHex } from '@runnel/shared';
import { describe, expect, it } from 'vitest';
import { BoxWriter } from './box-writer.ts';
import { OBJECT_TYPE_AAC, STREAM_TYPE_AUDIO, decodeEsDescriptor, writeEsDescriptor, type EsDescriptor } from './esds.ts';

function encode(d: EsDescriptor): Uint8Array {
  const w = new BoxWriter();
  writeEsDescriptor(w, d);
  return w.bytes();
}

const aac = (esId: number, asc: string): EsDescriptor => ({
  esId, objectTypeIndication: OBJECT_TYPE_AAC, streamType: STREAM_TYPE_AUDIO, bufferSizeDB: 0, maxBitrate: 0, avgBitrate: 0,
  decoderSpecificInfo: hex(asc),
});

/** ISO/IEC 14496-1 7.2.6.5-7.2.6.7 and 7.3.2.3, one-byte sizes (8.3.3). */
const cases = [
  {
    name: 'AAC LC 44.1 kHz stereo',
    value: aac(1, '1210'),
    hex: '0319' + '0001' + '00' + '0411' + '40' + '15' + '000000' + '00000000' + '00000000' + '0502' + '1210' + '0601' + '02',
  },
  {
    name: 'HE-AAC with sync extension (5-byte ASC)',
    value: aac(2, '120856e500'),
    hex: '031c' + '0002' + '00' + '0414' + '40' + '15' + '000000' + '00000000' + '00000000' + '0505' + '120856e500' + '0601' + '02',
  },
];

describe('esds ES_Descriptor', () => {
  it.each(cases)('encodes $name', (c) => expect(toHex(encode(c.value))).toBe(c.hex));
  it.each(cases)('decodes $name', (c) => expect(decodeEsDescriptor(hex(c.hex))).toEqual(c.value));

  it("reads FFmpeg's form (4-byte sizes, bitrates, ES_ID = track id)", () => {
    // the esds payload of `ffmpeg -i format/flv/testdata/h264-aac.flv -c copy out.mp4` (FFmpeg 5.1)
    const ffmpeg = hex('03808080250002000480808017401500000000007d0000007c0b0580808005120856e500068080800102');
    expect(decodeEsDescriptor(ffmpeg)).toEqual({
      esId: 2, objectTypeIndication: 0x40, streamType: 5, bufferSizeDB: 0, maxBitrate: 32000, avgBitrate: 31755,
      decoderSpecificInfo: hex('120856e500'),
    });
  });

  it('refuses a size that runs past the input and a missing DecoderConfigDescriptor', () => {
    expect(() => decodeEsDescriptor(hex('0320' + '0001' + '00'))).toThrow(ProtocolError);
    expect(() => decodeEsDescriptor(hex('0306' + '0001' + '00' + '0601' + '02'))).toThrow(/without a DecoderConfigDescriptor/);
  });

  fcTest.prop([fc.integer({ min: 0, max: 0xffff }), fc.uint8Array({ minLength: 2, maxLength: 300 })])(
    'round-trips any ES_ID and config (sizes over 127 take two bytes)',
    (esId, asc) => {
      const d = { ...aac(esId, ''), decoderSpecificInfo: asc };
      expect(decodeEsDescriptor(encode(d))).toEqual(d);
    },
  );

  fcTest.prop([fc.uint8Array({ maxLength: 512 })])('never crashes on garbage', (b) => {
    try {
      decodeEsDescriptor(b);
    } catch (e) {
      expect(e).toBeInstanceOf(ProtocolError);
    }
  });
});
