import { describe, expect, it } from 'vitest';
import { test as fcTest, fc } from '@fast-check/vitest';
import { ProtocolError, hex, toHex } from '@runnel/shared';
import { amf0EcmaArray } from '../../../format/amf0.ts';
import { decodeSetChunkSize, encodeSetChunkSize } from './set-chunk-size.ts';
import { decodeAbort, encodeAbort } from './abort.ts';
import { decodeAcknowledgement, encodeAcknowledgement } from './acknowledgement.ts';
import { decodeWindowAckSize, encodeWindowAckSize } from './window-ack-size.ts';
import { decodeSetPeerBandwidth, encodeSetPeerBandwidth } from './set-peer-bandwidth.ts';
import { decodeUserControl, encodeUserControl, type UserControlEvent } from './user-control.ts';
import { encodeAggregate, splitAggregate } from './aggregate.ts';
import { decodeCommand, encodeCommand } from './command.ts';
import { dataName, decodeData, encodeSetDataFrame, stripSetDataFrame } from './data.ts';

function codeOf(fn: () => unknown): string {
  try {
    fn();
  } catch (e) {
    expect(e).toBeInstanceOf(ProtocolError);
    return (e as ProtocolError).code;
  }
  return 'no error';
}

/** Protocol control messages, Adobe RTMP spec 5.4: [decode, encode, value, hex]. */
const controlCases = [
  { name: 'set chunk size 60000', decode: decodeSetChunkSize, encode: encodeSetChunkSize, value: 60000, hex: '0000ea60' },
  { name: 'set chunk size 128', decode: decodeSetChunkSize, encode: encodeSetChunkSize, value: 128, hex: '00000080' },
  { name: 'abort cid 6', decode: decodeAbort, encode: encodeAbort, value: 6, hex: '00000006' },
  { name: 'ack 0xfffffffe', decode: decodeAcknowledgement, encode: encodeAcknowledgement, value: 0xfffffffe, hex: 'fffffffe' },
  { name: 'window ack size 2500000', decode: decodeWindowAckSize, encode: encodeWindowAckSize, value: 2_500_000, hex: '002625a0' },
  {
    name: 'set peer bandwidth 2500000 dynamic',
    decode: decodeSetPeerBandwidth,
    encode: encodeSetPeerBandwidth,
    value: { size: 2_500_000, limitType: 2 },
    hex: '002625a0 02',
  },
] as { name: string; decode: (b: Uint8Array) => unknown; encode: (v: never) => Uint8Array; value: unknown; hex: string }[];

const userControlCases: { name: string; value: UserControlEvent; hex: string }[] = [
  { name: 'stream begin 1', value: { type: 'streamBegin', streamId: 1 }, hex: '0000 00000001' },
  { name: 'stream EOF 1', value: { type: 'streamEof', streamId: 1 }, hex: '0001 00000001' },
  { name: 'stream dry 1', value: { type: 'streamDry', streamId: 1 }, hex: '0002 00000001' },
  { name: 'set buffer length 3000', value: { type: 'setBufferLength', streamId: 1, bufferMs: 3000 }, hex: '0003 00000001 00000bb8' },
  { name: 'stream is recorded', value: { type: 'streamIsRecorded', streamId: 2 }, hex: '0004 00000002' },
  { name: 'ping request', value: { type: 'pingRequest', timestamp: 0x0d0f }, hex: '0006 00000d0f' },
  { name: 'ping response', value: { type: 'pingResponse', timestamp: 0x0d0f }, hex: '0007 00000d0f' },
  { name: 'unknown 0xffff (row 18)', value: { type: 'unknown', eventType: 0xffff, data: hex('0102') }, hex: 'ffff 0102' },
  { name: 'unknown 0x1a (FMS SWF verify)', value: { type: 'unknown', eventType: 0x1a, data: new Uint8Array(0) }, hex: '001a' },
];

describe('protocol control messages', () => {
  it.each(controlCases)('decodes $name', (c) => expect(c.decode(hex(c.hex))).toEqual(c.value));
  it.each(controlCases)('encodes $name', (c) => expect(toHex(c.encode(c.value as never))).toBe(toHex(hex(c.hex))));

  it.each([
    ['00000000', 'chunk_size_out_of_range'],
    ['0000007f', 'chunk_size_out_of_range'],
    ['7fffffff', 'chunk_size_out_of_range'],
    ['80000001', 'chunk_size_out_of_range'],
    ['0001', 'truncated'],
  ])('set chunk size %s -> %s', (h, code) => expect(codeOf(() => decodeSetChunkSize(hex(h)))).toBe(code));

  it('reads window ack size 0 and 0xffffffff as numbers for the caller to judge (row 16)', () => {
    expect(decodeWindowAckSize(hex('00000000'))).toBe(0);
    expect(decodeWindowAckSize(hex('ffffffff'))).toBe(0xffffffff);
  });

  it('treats a short acknowledgement as malformed (row 17)', () => {
    expect(codeOf(() => decodeAcknowledgement(hex('01')))).toBe('truncated');
  });
});

describe('user control messages', () => {
  it.each(userControlCases)('decodes $name', (c) => expect(decodeUserControl(hex(c.hex))).toEqual(c.value));
  it.each(userControlCases)('encodes $name', (c) => expect(toHex(encodeUserControl(c.value))).toBe(toHex(hex(c.hex))));

  it.each([
    ['1-byte payload (row 18)', '00'],
    ['empty payload', ''],
    ['stream begin without a stream id', '0000 0001'],
    ['set buffer length without the length', '0003 00000001'],
    ['ping without a timestamp', '0006'],
  ])('rejects %s', (_name, h) => expect(codeOf(() => decodeUserControl(hex(h)))).toBe('user_control_short'));
});

describe('aggregate messages', () => {
  const subs = [
    { typeId: 9, timestamp: 1000, payload: hex('17 01 000000 aabb') },
    { typeId: 8, timestamp: 1023, payload: hex('af 01 cc') },
  ];
  const body = encodeAggregate(subs);
  const agg = { csid: 4, timestamp: 5000, typeId: 22, streamId: 1, payload: body };

  it('encodes FLV tags with back pointers', () => {
    expect(toHex(body)).toBe(
      toHex(hex('09 000007 0003e8 00 000000 1701000000aabb 00000012  08 000003 0003ff 00 000000 af01cc 0000000e')),
    );
  });

  it('splits and rebases timestamps onto the aggregate (spec 7.1.6)', () => {
    const out = splitAggregate(agg);
    expect(out.map((m) => [m.typeId, m.timestamp, m.streamId, toHex(m.payload)])).toEqual([
      [9, 5000, 1, '1701000000aabb'],
      [8, 5023, 1, 'af01cc'],
    ]);
    expect(out[0]!.payload.buffer).toBe(body.buffer);
  });

  it('uses the timestamp extension byte and wraps at 2^32', () => {
    const wrapped = encodeAggregate([
      { typeId: 8, timestamp: 0xfffffff0, payload: hex('aa') },
      { typeId: 8, timestamp: 0xfffffffa, payload: hex('bb') },
    ]);
    const out = splitAggregate({ ...agg, timestamp: 0xfffffff8, payload: wrapped });
    expect(out.map((m) => m.timestamp)).toEqual([0xfffffff8, 0x02]);
  });

  it.each([
    ['sub-tag size past the body (row 20)', '09 00ffff 000000 00 000000 aabb'],
    ['missing back pointer', '09 000001 000000 00 000000 aa'],
    ['trailing partial header', '09 000001 000000 00 000000 aa 00000000 09'],
  ])('rejects %s', (_name, h) => expect(codeOf(() => splitAggregate({ ...agg, payload: hex(h) }))).toBe('aggregate_malformed'));

  fcTest.prop([fc.uint8Array({ maxLength: 512 })])('garbage bodies throw only ProtocolError and never read past the body', (bytes) => {
    try {
      for (const m of splitAggregate({ ...agg, payload: bytes })) {
        expect(m.payload.byteOffset + m.payload.length).toBeLessThanOrEqual(bytes.byteOffset + bytes.length);
      }
    } catch (e) {
      expect(e).toBeInstanceOf(ProtocolError);
    }
  });
});

describe('command messages', () => {
  it('round-trips an AMF0 command', () => {
    const payload = encodeCommand('publish', 5, null, 'stream', 'live');
    expect(decodeCommand(20, payload)).toEqual({ name: 'publish', transactionId: 5, commandObject: null, args: ['stream', 'live'] });
  });

  it('reads an AMF3 command (type 17) whose body is AMF0 after a 0 byte', () => {
    const payload = new Uint8Array([0, ...encodeCommand('createStream', 2, null)]);
    expect(decodeCommand(17, payload)).toEqual({ name: 'createStream', transactionId: 2, commandObject: null, args: [] });
  });

  it.each([
    ['AMF3 command of garbage (row 25)', 17, hex('11 0a 0b 01')],
    ['empty AMF3 command', 17, new Uint8Array(0)],
    ['AMF3 value inside the AMF0 body (row 25)', 17, hex('00 11 06 05 61')],
    ['command name not a string', 20, hex('00 3ff0000000000000')],
    ['empty AMF0 command', 20, new Uint8Array(0)],
  ])('rejects %s', (_name, typeId, payload) => {
    expect(codeOf(() => decodeCommand(typeId, payload))).not.toBe('no error');
  });

  it('defaults a missing transaction id and command object', () => {
    expect(decodeCommand(20, hex('02 0004 74657374'))).toEqual({ name: 'test', transactionId: 0, commandObject: null, args: [] });
  });
});

describe('data messages', () => {
  it('strips @setDataFrame without copying', () => {
    const meta = amf0EcmaArray({ width: 1280 });
    const payload = encodeSetDataFrame('onMetaData', meta);
    const body = stripSetDataFrame(payload);
    expect(body.buffer).toBe(payload.buffer);
    expect(decodeData(18, body)).toEqual(['onMetaData', meta]);
  });

  it('leaves other data messages alone', () => {
    const payload = hex('02 000a 6f6e4d65746144617461 05');
    expect(stripSetDataFrame(payload)).toBe(payload);
  });

  it('names a data message by its first string', () => {
    expect(dataName(hex('02 0008 6f6e537461747573 03 000009'))).toBe('onStatus');
    expect(dataName(hex('02 0009 6f6e'))).toBeNull();
    expect(dataName(hex('05'))).toBeNull();
  });

  it('reads type 15 after its format byte and refuses other AMF3 bodies', () => {
    expect(decodeData(15, hex('00 05'))).toEqual([null]);
    expect(codeOf(() => decodeData(15, hex('0a 01')))).toBe('amf3_data_unsupported');
  });
});
