import { describe, expect, it } from 'vitest';
import { test as fcTest, fc } from '@fast-check/vitest';
import { hex, ProtocolError, toHex } from '@runnel/shared';
import { CAPTURE_NAMES, CAPTURE_PASSPHRASE, controlType, loadCapture, type CaptureName } from '../testdata/captures.ts';
import { CONTROL_TYPE } from './control-header.ts';
import { HS_EXT_FLAG, HS_MAGIC, HS_TYPE, UDT_DGRAM } from './handshake.ts';
import { SRT_FLAG } from './hs-options.ts';
import { KM_CIPHER } from './key-material.ts';
import { decodePacket, encodePacket, MAX_DATAGRAM_BYTES, type SrtPacket } from './packet.ts';
import { peerIpFromAddress } from './peer-ip.ts';

const LOCALHOST = peerIpFromAddress('127.0.0.1');
/** libsrt 1.5.1's HSREQ/HSRSP flags: everything but STREAM (live mode is message API). */
const LIBSRT_FLAGS =
  SRT_FLAG.tsbpdSnd | SRT_FLAG.tsbpdRcv | SRT_FLAG.crypt | SRT_FLAG.tlpktDrop | SRT_FLAG.periodicNak | SRT_FLAG.rexmitFlag | SRT_FLAG.packetFilter;

interface Case {
  readonly name: string;
  /** Bytes from a libsrt capture ... */
  readonly capture?: CaptureName;
  readonly index?: number;
  /** ... or built from the draft's figures. */
  readonly hex?: string;
  readonly value: SrtPacket;
}

const hs = {
  kind: 'handshake',
  encryptionField: 0,
  mss: 1500,
  flowWindow: 8192,
  peerIp: LOCALHOST,
  extensions: [],
} as const;

const cases: Case[] = [
  {
    name: 'caller induction (v4 request, libsrt 1.5.1)',
    capture: 'publish',
    index: 0,
    value: { ...hs, timestamp: 0xa0, destSocketId: 0, version: 4, extensionField: UDT_DGRAM, initialSeq: 0x46c8a0ea, type: HS_TYPE.induction, socketId: 0x09593ac9, synCookie: 0 },
  },
  {
    name: 'listener induction answer (v5, magic, cookie)',
    capture: 'publish',
    index: 1,
    value: { ...hs, timestamp: 0x4b3a6, destSocketId: 0x09593ac9, version: 5, extensionField: HS_MAGIC, initialSeq: 0x46c8a0ea, type: HS_TYPE.induction, socketId: 0x09593ac9, synCookie: 0x2ff4de71 },
  },
  {
    name: 'caller conclusion with HSREQ and a word-swapped stream id',
    capture: 'publish',
    index: 2,
    value: {
      ...hs,
      timestamp: 0x762,
      destSocketId: 0,
      version: 5,
      extensionField: HS_EXT_FLAG.hsreq | HS_EXT_FLAG.config,
      initialSeq: 0x46c8a0ea,
      type: HS_TYPE.conclusion,
      socketId: 0x09593ac9,
      synCookie: 0x2ff4de71,
      extensions: [
        { type: 'hsreq', options: { srtVersion: 0x010501, flags: LIBSRT_FLAGS, recvLatencyMs: 120, sendLatencyMs: 0 } },
        { type: 'sid', streamId: '#!::r=live/x,m=publish' },
      ],
    },
  },
  {
    name: 'listener conclusion with HSRSP',
    capture: 'publish',
    index: 3,
    value: {
      ...hs,
      timestamp: 0x1ca,
      destSocketId: 0x09593ac9,
      version: 5,
      extensionField: HS_EXT_FLAG.hsreq,
      initialSeq: 0x46c8a0ea,
      type: HS_TYPE.conclusion,
      socketId: 0x21ba523c,
      synCookie: 0x2ff4de71,
      extensions: [{ type: 'hsrsp', options: { srtVersion: 0x010501, flags: LIBSRT_FLAGS, recvLatencyMs: 120, sendLatencyMs: 120 } }],
    },
  },
  {
    name: 'caller conclusion with KMREQ (AES-128, even key)',
    capture: 'encrypted',
    index: 2,
    value: {
      ...hs,
      timestamp: 0x47e,
      destSocketId: 0,
      version: 5,
      encryptionField: 2,
      extensionField: HS_EXT_FLAG.hsreq | HS_EXT_FLAG.kmreq | HS_EXT_FLAG.config,
      initialSeq: 0x71a9149a,
      type: HS_TYPE.conclusion,
      socketId: 0x0e97fbfe,
      synCookie: 0xb039a379,
      extensions: [
        { type: 'hsreq', options: { srtVersion: 0x010501, flags: LIBSRT_FLAGS, recvLatencyMs: 120, sendLatencyMs: 0 } },
        { type: 'sid', streamId: 'enc' },
        {
          type: 'kmreq',
          km: {
            keys: 'even',
            keki: 0,
            cipher: KM_CIPHER.aesCtr,
            auth: 0,
            se: 2,
            salt: hex('a8398912843ccc566be95960413a31ae'),
            keyLength: 16,
            wrappedKeys: hex('18c724cfbf152245eb311d6d477ca74e7ff7d2fd4f86684c'),
          },
        },
      ],
    },
  },
  {
    name: 'listener rejection: 1000 + SRT_REJ_UNSECURE (11)',
    capture: 'reject-unsecure',
    index: 3,
    value: {
      ...hs,
      timestamp: 0x4b81c,
      destSocketId: 0x244e374a,
      version: 5,
      extensionField: HS_EXT_FLAG.hsreq | HS_EXT_FLAG.config,
      initialSeq: 0x1aa20403,
      type: 1011,
      socketId: 0x1ad0adf4,
      synCookie: 0x68328c93,
    },
  },
  {
    name: 'full ACK (28-byte CIF)',
    capture: 'publish',
    index: 7,
    value: {
      kind: 'ack',
      shape: 'full',
      ackNumber: 1,
      timestamp: 0x4acb7,
      destSocketId: 0x09593ac9,
      lastAckedSeq: 0x46c8a0f5,
      rttUs: 100_000,
      rttVarUs: 50_000,
      availableBuffer: 8180,
      packetRate: 0,
      linkCapacity: 1000,
      receiveRateBytes: 0,
    },
  },
  {
    name: 'light ACK',
    capture: 'burst',
    index: 7,
    value: { kind: 'ack', shape: 'light', ackNumber: 0, timestamp: 0x4a946, destSocketId: 0x2ceb4104, lastAckedSeq: 0x3b2b8378 },
  },
  {
    name: 'small ACK (16-byte CIF, draft 3.2.4)',
    hex: '80020000 00000007 00000010 00000001 00000064 00002710 00001388 00000100',
    value: { kind: 'ack', shape: 'small', ackNumber: 7, timestamp: 16, destSocketId: 1, lastAckedSeq: 100, rttUs: 10_000, rttVarUs: 5000, availableBuffer: 256 },
  },
  { name: 'ACKACK', capture: 'publish', index: 8, value: { kind: 'ackack', ackNumber: 1, timestamp: 0x4b612, destSocketId: 0x21ba523c } },
  {
    name: 'NAK of one packet',
    capture: 'publish',
    index: 9,
    value: { kind: 'nak', timestamp: 0x4ae76, destSocketId: 0x09593ac9, losses: [{ from: 0x46c8a0fe, to: 0x46c8a0fe }] },
  },
  {
    name: 'NAK of a range',
    capture: 'publish',
    index: 13,
    value: { kind: 'nak', timestamp: 0x4dc68, destSocketId: 0x09593ac9, losses: [{ from: 0x46c8a112, to: 0x46c8a113 }] },
  },
  {
    name: 'NAK mixing ranges and single packets (draft Appendix A)',
    hex: '80030000 00000000 00000001 00000002 80000005 00000007 00000009 7fffffff',
    value: {
      kind: 'nak',
      timestamp: 1,
      destSocketId: 2,
      losses: [
        { from: 5, to: 7 },
        { from: 9, to: 9 },
        { from: 0x7fffffff, to: 0x7fffffff },
      ],
    },
  },
  { name: 'keepalive', capture: 'publish', index: 18, value: { kind: 'keepalive', timestamp: 0x177aa1, destSocketId: 0x21ba523c } },
  { name: 'shutdown', capture: 'publish', index: 20, value: { kind: 'shutdown', timestamp: 0x266077, destSocketId: 0x21ba523c } },
  {
    name: 'drop request',
    capture: 'burst',
    index: 23,
    value: { kind: 'drop-request', messageNumber: 0, firstSeq: 0x3b2b8ec6, lastSeq: 0x3b2b8ee5, timestamp: 0x1b972e, destSocketId: 0x3a93db91 },
  },
  {
    name: 'congestion warning (draft 3.2.6)',
    hex: '80040000 00000000 00000100 00000200 00000000',
    value: { kind: 'congestion-warning', timestamp: 0x100, destSocketId: 0x200 },
  },
  {
    name: 'peer error 4000 (draft 3.2.10)',
    hex: '80080000 00000fa0 00000100 00000200 00000000',
    value: { kind: 'peer-error', errorCode: 4000, timestamp: 0x100, destSocketId: 0x200 },
  },
  {
    name: 'user-defined HSv4 HSREQ (type 0x7FFF, subtype 1)',
    hex: 'ffff0001 00000000 00000100 00000200 00010501 000000bf 00000078',
    value: { kind: 'user-defined', subtype: 1, typeSpecific: 0, timestamp: 0x100, destSocketId: 0x200, cif: hex('00010501 000000bf 00000078') },
  },
  {
    name: 'data packet (solo message, 188 bytes)',
    hex: `46c8a0ea c0000001 0004ac67 21ba523c ${'47'.repeat(188)}`,
    value: {
      kind: 'data',
      seq: 0x46c8a0ea,
      position: 'solo',
      inOrder: false,
      key: 'none',
      retransmitted: false,
      messageNumber: 1,
      timestamp: 0x4ac67,
      destSocketId: 0x21ba523c,
      payload: new Uint8Array(188).fill(0x47),
    },
  },
  {
    name: 'retransmitted data packet, odd key, first of a message in order',
    hex: '00000005 b4000003 00000010 00000020 0102',
    value: {
      kind: 'data',
      seq: 5,
      position: 'first',
      inOrder: true,
      key: 'odd',
      retransmitted: true,
      messageNumber: 3,
      timestamp: 0x10,
      destSocketId: 0x20,
      payload: hex('0102'),
    },
  },
];

function bytesOf(c: Case): Uint8Array {
  if (c.hex !== undefined) return hex(c.hex);
  return loadCapture(c.capture!)[c.index!]!.bytes;
}

describe('SRT packets: golden bytes', () => {
  it.each(cases)('decodes $name', (c) => {
    expect(decodePacket(bytesOf(c))).toEqual(c.value);
  });

  it.each(cases)('encodes $name', (c) => {
    expect(toHex(encodePacket(c.value))).toBe(toHex(bytesOf(c)));
  });

  it('retransmitted data packets in the capture carry the R flag, originals do not', () => {
    const data = loadCapture('publish').filter((d) => d.from === 'caller' && controlType(d.bytes) === -1);
    const flags = data.map((d) => decodePacket(d.bytes)).map((p) => p.kind === 'data' && p.retransmitted);
    expect(flags).toContain(true);
    expect(flags).toContain(false);
  });

  it('encrypted capture: data packets say which key (even), the KMRSP echoes the KMREQ', () => {
    const cap = loadCapture('encrypted');
    const data = cap.map((d) => decodePacket(d.bytes)).filter((p) => p.kind === 'data');
    expect(data.length).toBeGreaterThan(0);
    expect(data.every((p) => p.kind === 'data' && p.key === 'even')).toBe(true);
    const [req, rsp] = [decodePacket(cap[2]!.bytes), decodePacket(cap[3]!.bytes)];
    if (req.kind !== 'handshake' || rsp.kind !== 'handshake') throw new Error('not handshakes');
    const km = req.extensions.find((e) => e.type === 'kmreq');
    const kmrsp = rsp.extensions.find((e) => e.type === 'kmrsp');
    expect(kmrsp && 'km' in kmrsp ? kmrsp.km : null).toEqual(km && 'km' in km ? km.km : 'missing');
    expect(CAPTURE_PASSPHRASE.length).toBeGreaterThan(10);
  });
});

describe('SRT packets: every captured libsrt datagram', () => {
  const all = CAPTURE_NAMES.flatMap((name) => loadCapture(name).map((d, i) => ({ name: `${name}#${i}`, bytes: d.bytes })));

  it.each(all)('$name re-encodes to the same bytes', ({ bytes }) => {
    expect(toHex(encodePacket(decodePacket(bytes)))).toBe(toHex(bytes));
  });

  it('the captures hold every control type libsrt 1.5.1 sends in a live session', () => {
    const types = new Set(all.map((d) => controlType(d.bytes)));
    for (const t of [-1, CONTROL_TYPE.handshake, CONTROL_TYPE.keepalive, CONTROL_TYPE.ack, CONTROL_TYPE.nak, CONTROL_TYPE.shutdown, CONTROL_TYPE.ackack, CONTROL_TYPE.dropRequest]) {
      expect(types).toContain(t);
    }
  });
});

function expectOnlyProtocolErrors(b: Uint8Array): void {
  try {
    const p = decodePacket(b);
    // Whatever decodes must encode again without throwing.
    encodePacket(p);
  } catch (e) {
    expect(e).toBeInstanceOf(ProtocolError);
  }
}

describe('SRT packets: bad input', () => {
  const bad: { name: string; hex: string; code: string }[] = [
    { name: 'empty datagram', hex: '', code: 'srt_truncated' },
    { name: '15-byte header', hex: '80000000 00000000 00000000 000000', code: 'srt_truncated' },
    { name: 'unknown control type 0x0009', hex: '80090000 00000000 00000000 00000000', code: 'srt_unknown_control_type' },
    { name: 'ACK with a 12-byte CIF', hex: '80020000 00000001 00000000 00000000 00000001 00000002 00000003', code: 'srt_ack_length' },
    { name: 'ACK of a sequence with the top bit set', hex: '80020000 00000000 00000000 00000000 80000001', code: 'srt_bad_seq' },
    { name: 'NAK without losses', hex: '80030000 00000000 00000000 00000000', code: 'srt_nak_length' },
    { name: 'NAK with a ragged CIF', hex: '80030000 00000000 00000000 00000000 000001', code: 'srt_nak_length' },
    { name: 'NAK range without its end', hex: '80030000 00000000 00000000 00000000 80000005', code: 'srt_nak_range' },
    { name: 'NAK range running backwards', hex: '80030000 00000000 00000000 00000000 80000009 00000005', code: 'srt_nak_range' },
    { name: 'NAK range end with the range bit', hex: '80030000 00000000 00000000 00000000 80000005 80000009', code: 'srt_nak_range' },
    { name: 'drop request without its range', hex: '80070000 00000000 00000000 00000000 00000001', code: 'srt_truncated' },
    { name: 'drop request running backwards', hex: '80070000 00000000 00000000 00000000 00000009 00000001', code: 'srt_bad_drop_range' },
    { name: 'data packet with KK=0b11', hex: '00000001 d8000001 00000000 00000000', code: 'srt_bad_key_flags' },
    { name: 'handshake with a 44-byte CIF', hex: `80000000 00000000 00000000 00000000 ${'00'.repeat(44)}`, code: 'srt_truncated' },
  ];

  const conclusion = (ext: string) =>
    hex(`80000000 00000000 00000000 00000000 00000005 00000005 00000001 000005dc 00002000 ffffffff 00000001 00000002 ${'00'.repeat(16)} ${ext}`);

  const badExtensions: { name: string; ext: string; code: string }[] = [
    { name: 'extension length past the datagram', ext: '00010010 00010501 000000bf 00780000', code: 'srt_hs_extension_length' },
    { name: 'ragged extension tail', ext: '00010003 00010501 000000bf 00780000 00', code: 'srt_hs_extension_length' },
    { name: 'HSREQ of two words', ext: '00010002 00010501 000000bf', code: 'srt_hs_options_length' },
    { name: 'empty stream id', ext: '00050000', code: 'srt_hs_string_length' },
    { name: 'stream id of 516 bytes', ext: `00050081 ${'41414141'.repeat(129)}`, code: 'srt_hs_string_length' },
    { name: 'stream id that is not UTF-8', ext: '00050001 0000ffc3', code: 'srt_hs_string_encoding' },
    { name: 'congestion name of 20 bytes', ext: `00060005 ${'65766c69'.repeat(5)}`, code: 'srt_hs_string_length' },
    { name: 'KMREQ claiming 32-byte keys with a 16-byte key', ext: `0003000e 12202901 00000000 02000200 00000408 ${'00'.repeat(40)}`, code: 'srt_km_length' },
    { name: 'KMREQ with key length 20', ext: `00030010 12202901 00000000 02000200 00000405 ${'00'.repeat(48)}`, code: 'srt_km_key_length' },
    { name: 'KMREQ with salt length 0', ext: `0003000a 12202901 00000000 02000200 00000004 ${'00'.repeat(24)}`, code: 'srt_km_salt_length' },
    { name: 'KMREQ with a bad sign', ext: `0003000e 12202801 00000000 02000200 00000404 ${'00'.repeat(40)}`, code: 'srt_km_header' },
    { name: 'KMREQ without a key (KK=0)', ext: `0003000e 12202900 00000000 02000200 00000404 ${'00'.repeat(40)}`, code: 'srt_km_header' },
    { name: 'KMREQ shorter than its header', ext: '00030002 12202901 00000000', code: 'srt_km_length' },
    { name: '17 empty extension blocks', ext: '00090000'.repeat(17), code: 'srt_hs_too_many_extensions' },
  ];

  it.each(bad)('$name -> $code', ({ hex: h, code }) => {
    expect(() => decodePacket(hex(h))).toThrow(expect.objectContaining({ code }));
  });

  it.each(badExtensions)('handshake with $name -> $code', ({ ext, code }) => {
    expect(() => decodePacket(conclusion(ext))).toThrow(expect.objectContaining({ code }));
  });

  it('a datagram over the MSS is refused before it is parsed', () => {
    const big = new Uint8Array(MAX_DATAGRAM_BYTES + 1);
    expect(() => decodePacket(big)).toThrow(expect.objectContaining({ code: 'srt_datagram_too_large' }));
  });

  fcTest.prop([fc.uint8Array({ maxLength: 1600 })])('random datagrams only ever throw ProtocolError', (b) => {
    expectOnlyProtocolErrors(b);
  });

  fcTest.prop([fc.uint8Array({ maxLength: 600 })])('random control packets of every type only ever throw ProtocolError', (b) => {
    for (const type of Object.values(CONTROL_TYPE)) {
      const d = new Uint8Array(16 + b.length);
      d[0] = 0x80 | (type >> 8);
      d[1] = type & 0xff;
      d.set(b, 16);
      expectOnlyProtocolErrors(d);
    }
  });

  const captured = CAPTURE_NAMES.flatMap((n) => loadCapture(n).map((d) => d.bytes)).filter((b) => b[0]! & 0x80);
  fcTest.prop([fc.nat(captured.length - 1), fc.nat(), fc.integer({ min: 0, max: 255 }), fc.nat()])(
    'captured control packets with one byte changed or cut short only ever throw ProtocolError',
    (which, at, value, cut) => {
      const orig = captured[which]!;
      const changed = orig.slice();
      changed[at % changed.length] = value;
      expectOnlyProtocolErrors(changed);
      expectOnlyProtocolErrors(changed.subarray(0, cut % (orig.length + 1)));
    },
  );
});

describe('SRT packets: round trips', () => {
  const u32 = fc.nat({ max: 0xffffffff });
  const seq = fc.nat({ max: 0x7fffffff });
  const fields = { timestamp: u32, destSocketId: u32 };

  const range = seq.chain((from) => fc.nat({ max: 1000 }).map((n) => ({ from, to: (from + n) % 0x80000000 })));
  const packets: fc.Arbitrary<SrtPacket> = fc.oneof(
    fc.record({
      kind: fc.constant('data' as const),
      seq,
      position: fc.constantFrom('middle' as const, 'last' as const, 'first' as const, 'solo' as const),
      inOrder: fc.boolean(),
      key: fc.constantFrom('none' as const, 'even' as const, 'odd' as const),
      retransmitted: fc.boolean(),
      messageNumber: fc.nat({ max: 0x3ffffff }),
      payload: fc.uint8Array({ maxLength: 1456 }),
      ...fields,
    }),
    fc.record({ kind: fc.constant('nak' as const), losses: fc.array(range, { minLength: 1, maxLength: 50 }), ...fields }),
    fc.record({
      kind: fc.constant('ack' as const),
      shape: fc.constant('full' as const),
      ackNumber: u32,
      lastAckedSeq: seq,
      rttUs: u32,
      rttVarUs: u32,
      availableBuffer: u32,
      packetRate: u32,
      linkCapacity: u32,
      receiveRateBytes: u32,
      ...fields,
    }),
    fc.record({ kind: fc.constant('ackack' as const), ackNumber: u32, ...fields }),
    range.chain((r) => fc.record({ kind: fc.constant('drop-request' as const), messageNumber: u32, firstSeq: fc.constant(r.from), lastSeq: fc.constant(r.to), ...fields })),
    fc.record({ kind: fc.constant('peer-error' as const), errorCode: u32, ...fields }),
    fc.record({
      kind: fc.constant('handshake' as const),
      version: fc.constant(5),
      encryptionField: fc.constantFrom(0, 2, 3, 4),
      extensionField: fc.nat({ max: 7 }),
      initialSeq: seq,
      mss: u32,
      flowWindow: u32,
      type: fc.integer({ min: -2, max: 1100 }),
      socketId: u32,
      synCookie: u32,
      peerIp: fc.uint8Array({ minLength: 16, maxLength: 16 }),
      extensions: fc.array(
        fc.oneof(
          fc.record({
            type: fc.constantFrom('hsreq' as const, 'hsrsp' as const),
            options: fc.record({ srtVersion: u32, flags: u32, recvLatencyMs: fc.nat({ max: 0xffff }), sendLatencyMs: fc.nat({ max: 0xffff }) }),
          }),
          fc.record({ type: fc.constant('sid' as const), streamId: fc.stringMatching(/^[!-~]{1,200}$/) }),
          fc.record({ type: fc.constant('congestion' as const), name: fc.constantFrom('live', 'file') }),
          fc.record({ type: fc.constant('kmrsp' as const), state: fc.nat({ max: 5 }) }),
        ),
        { maxLength: 4 },
      ),
      ...fields,
    }),
  );

  fcTest.prop([packets])('decode(encode(p)) equals p', (p) => {
    expect(decodePacket(encodePacket(p))).toEqual(p);
  });
});
