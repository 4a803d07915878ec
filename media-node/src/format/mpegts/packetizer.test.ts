import { describe, expect, it } from 'vitest';
import { test as fcTest, fc } from '@fast-check/vitest';
import { hex, ProtocolError, toHex } from '@runnel/shared';
import { Packetizer } from './packetizer.ts';
import { decodeTsPacket, type TsPacket } from './ts-packet.ts';

function packets(buf: Uint8Array): TsPacket[] {
  expect(buf.length % 188).toBe(0);
  const out: TsPacket[] = [];
  for (let i = 0; i < buf.length; i += 188) out.push(decodeTsPacket(buf.subarray(i, i + 188)));
  return out;
}

const join = (ps: TsPacket[]) => Buffer.concat(ps.map((p) => p.payload));

describe('TS packet decoding', () => {
  const pad = (h: string) => {
    const b = new Uint8Array(188).fill(0xff);
    b.set(hex(h));
    return b;
  };
  it('reads the header fields', () => {
    const p = decodeTsPacket(pad('47 4100 1a 00'));
    expect(p).toMatchObject({ pid: 0x100, payloadUnitStart: true, transportError: false, scrambling: 0, continuityCounter: 10, hasPayload: true });
    expect(p.payload.length).toBe(184);
  });

  it('reads an adaptation field with PCR, random access and discontinuity', () => {
    // FFmpeg's first video packet of testdata/h264-aac.m2t: PCR base 0x0000f618 = 63000, extension 0
    const p = decodeTsPacket(pad('47 4100 30 07 50 00007b0c 7e00'));
    expect(p.adaptation).toEqual({ discontinuity: false, randomAccess: true, pcr: 63000 * 300 });
    expect(p.payload.length).toBe(184 - 8);
    expect(decodeTsPacket(pad('47 0100 30 01 80')).adaptation).toEqual({ discontinuity: true, randomAccess: false });
  });

  it.each([
    ['sync byte 0x48', '48 0100 10', 'ts_lost_sync'],
    ['adaptation_field_length 183 with payload', '47 0100 30 b7', 'ts_bad_adaptation_field'],
    ['adaptation only but length 100', '47 0100 20 64', 'ts_bad_adaptation_field'],
    ['PCR flag in a 2-byte field', '47 0100 30 02 10', 'ts_bad_adaptation_field'],
  ])('rejects %s', (_n, h, code) => {
    expect(() => decodeTsPacket(pad(h))).toThrow(expect.objectContaining({ code }));
  });

  fcTest.prop([fc.uint8Array({ minLength: 188, maxLength: 188 })])('garbage never crashes', (b) => {
    b[0] = 0x47;
    try {
      const p = decodeTsPacket(b);
      expect(p.payload.length).toBeLessThanOrEqual(184);
    } catch (e) {
      expect(e).toBeInstanceOf(ProtocolError);
    }
  });
});

describe('Packetizer', () => {
  it('stuffs a short PES with an adaptation field and sets PUSI on the first packet only', () => {
    const ps = packets(new Packetizer().pes(0x101, [hex('000001c0'), hex('aabb')]));
    expect(ps).toHaveLength(1);
    expect(ps[0]).toMatchObject({ pid: 0x101, payloadUnitStart: true, continuityCounter: 0 });
    expect(toHex(ps[0]!.payload)).toBe('000001c0aabb');
  });

  it.each([183, 182, 184, 185, 367, 368, 369])('lays out %i bytes exactly, whatever the stuffing', (n) => {
    const data = Uint8Array.from({ length: n }, (_, i) => i & 0xff);
    const ps = packets(new Packetizer().pes(0x100, [data.subarray(0, 7), data.subarray(7)]));
    expect(ps).toHaveLength(Math.ceil(n / 184));
    expect(toHex(join(ps))).toBe(toHex(data));
    expect(ps.map((p) => p.payloadUnitStart)).toEqual(ps.map((_, i) => i === 0));
  });

  it('puts PCR and random_access_indicator in the first packet', () => {
    const ps = packets(new Packetizer().pes(0x100, [new Uint8Array(400)], { pcr: 2 ** 33 + 90_000, randomAccess: true }));
    expect(ps[0]!.adaptation).toEqual({ discontinuity: false, randomAccess: true, pcr: 90_000 * 300 });
    expect(ps[1]!.adaptation).toBeUndefined();
    expect(join(ps).length).toBe(400);
  });

  it('keeps one continuity counter per PID, wrapping at 16', () => {
    const pk = new Packetizer();
    const ccs = (b: Uint8Array) => packets(b).map((p) => p.continuityCounter);
    expect(ccs(pk.pes(0x100, [new Uint8Array(184 * 15)]))).toEqual([...Array(15).keys()]);
    expect(ccs(pk.pes(0x101, [new Uint8Array(10)]))).toEqual([0]);
    expect(ccs(pk.pes(0x100, [new Uint8Array(184 * 2)]))).toEqual([15, 0]);
  });

  it('writes a section after pointer_field 0 with 0xFF filler', () => {
    const ps = packets(new Packetizer().section(0, hex('00b00d0001c100000001f0002ab104b2')));
    expect(ps[0]).toMatchObject({ pid: 0, payloadUnitStart: true, hasPayload: true });
    expect(toHex(ps[0]!.payload.subarray(0, 17))).toBe('00' + '00b00d0001c100000001f0002ab104b2');
    expect(ps[0]!.payload.subarray(17).every((b) => b === 0xff)).toBe(true);
  });

  fcTest.prop([fc.array(fc.uint8Array({ maxLength: 700 }), { minLength: 1, maxLength: 4 }), fc.option(fc.nat(), { nil: undefined }), fc.boolean()])(
    'payload of the packets is the parts, in order',
    (parts, pcr, randomAccess) => {
      if (parts.every((p) => p.length === 0)) return;
      const ps = packets(new Packetizer().pes(0x1ff, parts, { pcr, randomAccess }));
      expect(toHex(join(ps))).toBe(toHex(Buffer.concat(parts)));
      if (pcr !== undefined) expect(ps[0]!.adaptation?.pcr).toBe(pcr * 300);
    },
  );
});
