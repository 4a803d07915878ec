import { describe, expect, it } from 'vitest';
import { test as fcTest, fc } from '@fast-check/vitest';
import { ProtocolError, hex, toHex } from '@runnel/shared';
import { decodeAvcConfig, encodeAvcConfig } from '../../../codec/h264/avc-config.ts';
import { joinAvcc } from '../../../codec/nalu/avcc.ts';
import { AVC_SAMPLES } from '../../../codec/testdata/h264-samples.ts';
import { H264Depacketizer } from './h264-depacketizer.ts';
import type { H264AccessUnit } from './h264-depacketizer.ts';
import { packetizeH264 } from './h264-packetizer.ts';
import { parseH264Payload } from './h264-payload.ts';

/** A real x264 720p High profile SPS/PPS pair. */
const CONFIG = decodeAvcConfig(hex(AVC_SAMPLES[1]!.avcC));
const SPS = CONFIG.sps[0]!;
const PPS = CONFIG.pps[0]!;
const AUD = hex('09f0');
const SEI = hex('06 05 01 aa 80');
const IDR = (n: number) => Uint8Array.from({ length: n }, (_, i) => (i === 0 ? 0x65 : i & 0xff));
const SLICE = (n: number) => Uint8Array.from({ length: n }, (_, i) => (i === 0 ? 0x41 : (i * 7) & 0xff));

/** Feeds payloads as one access unit (same timestamp, marker on the last). */
function feed(d: H264Depacketizer, payloads: Uint8Array[], seq0: number, ts: number): H264AccessUnit[] {
  return payloads.flatMap((payload, i) => d.push({ sequenceNumber: (seq0 + i) & 0xffff, timestamp: ts, marker: i === payloads.length - 1, payload }));
}

describe('H.264 RTP payload parsing (RFC 6184 5.6-5.8)', () => {
  it.each([
    ['single NAL unit', '65 aabb', ['65aabb']],
    ['STAP-A of SPS and PPS', '78 0002 6742 0003 68ce38', ['6742', '68ce38']],
  ])('splits %s', (_n, h, nalus) => {
    const p = parseH264Payload(hex(h));
    expect(p.kind === 'nalus' && p.nalus.map(toHex)).toEqual(nalus);
  });

  it('reads an FU-A start fragment of an IDR (NRI from the indicator)', () => {
    expect(parseH264Payload(hex('7c 85 0102'))).toEqual({ kind: 'fragment', start: true, end: false, nalHeader: 0x65, data: hex('0102') });
  });

  it.each([
    ['an empty payload', '', 'h264_rtp_empty'],
    ['an STAP-A unit of size 0', '78 0000 65', 'h264_rtp_stap_empty'],
    ['an STAP-A unit past the end (bad-inputs 37)', '78 0010 6588', 'h264_rtp_truncated'],
    ['an STAP-A without units', '78', 'h264_rtp_stap_empty'],
    ['an FU-A with start and end', '7c c5 01', 'h264_rtp_fu_start_end'],
    ['an FU-A without FU header', '7c', 'h264_rtp_truncated'],
    ['STAP-B (mode 2)', '79 0000 0001 65', 'h264_rtp_interleaved'],
    ['reserved type 30', '7e 00', 'h264_rtp_reserved_type'],
    ['type 0', '00 00', 'h264_rtp_reserved_type'],
  ])('rejects %s', (_n, h, code) => {
    expect(() => parseH264Payload(hex(h))).toThrow(expect.objectContaining({ code }));
  });

  fcTest.prop([fc.uint8Array({ maxLength: 64 })])('garbage never crashes', (b) => {
    try {
      parseH264Payload(b);
    } catch (e) {
      expect(e).toBeInstanceOf(ProtocolError);
    }
  });
});

describe('H.264 packetizer', () => {
  it('aggregates small NAL units of a keyframe into one STAP-A with SPS/PPS after the AUD', () => {
    const au = joinAvcc([AUD, IDR(4)], 4);
    const [p, ...more] = packetizeH264(au, 4, CONFIG);
    expect(more).toEqual([]);
    const units = [AUD, SPS, PPS, IDR(4)].map((n) => toHex(Uint8Array.of(n.length >> 8, n.length & 0xff)) + toHex(n)).join('');
    expect(toHex(p!)).toBe('78' + units); // NRI 3 (of SPS/PPS/IDR), type 24
  });

  it('does not repeat SPS/PPS the keyframe already carries, nor add them to non-keyframes', () => {
    const withSets = packetizeH264(joinAvcc([SPS, PPS, IDR(4)], 4), 4, CONFIG);
    expect(parseH264Payload(withSets[0]!)).toEqual({ kind: 'nalus', nalus: [SPS, PPS, IDR(4)] });
    expect(packetizeH264(joinAvcc([SLICE(5)], 4), 4, CONFIG).map(toHex)).toEqual([toHex(SLICE(5))]);
  });

  it('cuts a large NAL unit into FU-A fragments with S/E bits', () => {
    const nal = Uint8Array.of(0x65, 1, 2, 3, 4, 5, 6, 7);
    const ps = packetizeH264(joinAvcc([nal], 4), 4, undefined, { maxPayloadBytes: 5 });
    expect(ps.map(toHex)).toEqual(['7c85010203', '7c05040506', '7c4507']);
  });

  it('sends a single NAL unit as a subarray (no copy) and flushes a group before a large unit', () => {
    const au = joinAvcc([SEI, IDR(20), SLICE(3)], 4);
    const ps = packetizeH264(au, 4, undefined, { maxPayloadBytes: 12 });
    expect(ps[0]!.buffer).toBe(au.buffer);
    expect(ps.map((p) => p[0]! & 0x1f)).toEqual([6, 28, 28, 1]);
  });

  it('mode 0: one packet per NAL unit, a unit over the limit is refused', () => {
    const au = joinAvcc([AUD, SLICE(10)], 4);
    expect(packetizeH264(au, 4, undefined, { packetizationMode: 0 }).map(toHex)).toEqual([toHex(AUD), toHex(SLICE(10))]);
    expect(() => packetizeH264(au, 4, undefined, { packetizationMode: 0, maxPayloadBytes: 8 })).toThrow(
      expect.objectContaining({ code: 'h264_rtp_nalu_too_large' }),
    );
  });

  it('rejects a malformed AVCC access unit (bad-inputs 37)', () => {
    expect(() => packetizeH264(hex('000000ff 65'), 4, CONFIG)).toThrow(expect.objectContaining({ code: 'avcc_nalu_overrun' }));
  });
});

describe('H.264 depacketizer', () => {
  it('emits a keyframe with the AVCDecoderConfigurationRecord from its SPS/PPS', () => {
    const d = new H264Depacketizer();
    const first = packetizeH264(joinAvcc([IDR(3000)], 4), 4, CONFIG);
    expect(first.map((p) => p[0]! & 0x1f)).toEqual([24, 28, 28, 28]); // STAP-A of SPS+PPS, then FU-A
    const [au] = feed(d, first, 10, 9000);
    expect(au!.keyframe).toBe(true);
    expect(au!.rtpTimestamp).toBe(9000);
    expect(toHex(au!.avcc)).toBe(toHex(joinAvcc([IDR(3000)], 4)));
    expect(toHex(encodeAvcConfig(au!.config!))).toBe(toHex(encodeAvcConfig({ ...CONFIG, ext: undefined })));
    const [next] = feed(d, packetizeH264(joinAvcc([SLICE(50)], 4), 4, CONFIG), 10 + first.length, 12000);
    expect(next).toEqual({ rtpTimestamp: 12000, avcc: joinAvcc([SLICE(50)], 4), nalus: [SLICE(50)], keyframe: false });
  });

  it('starts from out-of-band parameter sets (sprop-parameter-sets)', () => {
    const d = new H264Depacketizer({ parameterSets: [SPS, PPS] });
    const [au] = feed(d, [IDR(5)], 0, 0);
    expect(au?.keyframe).toBe(true);
    expect(toHex(au!.config!.pps[0]!)).toBe(toHex(PPS));
  });

  it('holds back frames until a keyframe with parameter sets', () => {
    const d = new H264Depacketizer();
    expect(feed(d, [SLICE(5)], 0, 0)).toEqual([]);
    expect(d.keyframeWanted).toBe(true);
    expect(feed(d, [IDR(5)], 1, 3000)).toEqual([]); // no SPS/PPS yet
    expect(feed(d, packetizeH264(joinAvcc([IDR(5)], 4), 4, CONFIG), 2, 6000)).toHaveLength(1);
    expect(d.keyframeWanted).toBe(false);
    expect(d.stats.droppedAccessUnits).toBe(2);
  });

  it('drops the access unit with a lost FU-A fragment and what follows until the next keyframe', () => {
    const d = new H264Depacketizer();
    feed(d, packetizeH264(joinAvcc([IDR(100)], 4), 4, CONFIG), 0, 0);
    const big = packetizeH264(joinAvcc([SLICE(3000)], 4), 4, CONFIG);
    expect(big.length).toBe(3);
    // seq 1..3 would carry it; seq 2 is lost.
    expect(d.push({ sequenceNumber: 1, timestamp: 3000, marker: false, payload: big[0]! })).toEqual([]);
    expect(d.push({ sequenceNumber: 3, timestamp: 3000, marker: true, payload: big[2]! })).toEqual([]);
    expect(d.stats.lostPackets).toBe(1);
    expect(d.keyframeWanted).toBe(true);
    expect(feed(d, [SLICE(10)], 4, 6000)).toEqual([]);
    const [key] = feed(d, packetizeH264(joinAvcc([IDR(10)], 4), 4, CONFIG), 5, 9000);
    expect(key?.keyframe).toBe(true);
    expect(key?.config).toBeUndefined(); // same SPS/PPS as before
    expect(d.stats.droppedAccessUnits).toBe(2);
  });

  it('counts padding-only packets (libwebrtc bandwidth probes) without breaking the stream', () => {
    const d = new H264Depacketizer();
    feed(d, packetizeH264(joinAvcc([IDR(10)], 4), 4, CONFIG), 0, 0);
    expect(d.push({ sequenceNumber: 1, timestamp: 0, marker: false, payload: new Uint8Array(0) })).toEqual([]);
    expect(feed(d, [SLICE(4)], 2, 3000)).toHaveLength(1);
    expect(d.stats).toMatchObject({ paddingPackets: 1, lostPackets: 0, malformedPackets: 0, droppedAccessUnits: 0 });
  });

  it('drops late and duplicate packets (no reordering)', () => {
    const d = new H264Depacketizer();
    feed(d, packetizeH264(joinAvcc([IDR(10)], 4), 4, CONFIG), 100, 0);
    expect(d.push({ sequenceNumber: 100, timestamp: 0, marker: true, payload: SLICE(3) })).toEqual([]);
    expect(d.push({ sequenceNumber: 50, timestamp: 0, marker: true, payload: SLICE(3) })).toEqual([]);
    expect(d.stats.latePackets).toBe(2);
  });

  it('follows a sender whose sequence numbers restart, after a run of late packets', () => {
    const d = new H264Depacketizer();
    feed(d, packetizeH264(joinAvcc([IDR(10)], 4), 4, CONFIG), 30000, 0);
    const key = packetizeH264(joinAvcc([IDR(10)], 4), 4, CONFIG);
    const got: H264AccessUnit[] = [];
    for (let i = 0; i < 80; i++) got.push(...feed(d, i % 10 === 0 ? key : [SLICE(5)], 100 + i, 3000 * (i + 1)));
    expect(d.stats.resyncs).toBe(1);
    expect(d.stats.latePackets).toBe(65);
    expect(got.length).toBeGreaterThan(0);
    expect(got[0]!.keyframe).toBe(true);
  });

  it('ends an access unit at a new timestamp when the sender omits the marker', () => {
    const d = new H264Depacketizer();
    const key = packetizeH264(joinAvcc([IDR(10)], 4), 4, CONFIG);
    expect(d.push({ sequenceNumber: 0, timestamp: 0, marker: false, payload: key[0]! })).toEqual([]);
    const out = d.push({ sequenceNumber: 1, timestamp: 3000, marker: false, payload: SLICE(4) });
    expect(out.map((a) => a.rtpTimestamp)).toEqual([0]);
  });

  it('counts a malformed payload and breaks its access unit', () => {
    const d = new H264Depacketizer();
    feed(d, packetizeH264(joinAvcc([IDR(10)], 4), 4, CONFIG), 0, 0);
    expect(feed(d, [SLICE(4), hex('78 0000')], 1, 3000)).toEqual([]);
    expect(d.stats.malformedPackets).toBe(1);
    expect(d.stats.lastError).toBe('h264_rtp_stap_empty');
  });

  it('signals a new sequence header when SPS/PPS change', () => {
    const d = new H264Depacketizer();
    const other = decodeAvcConfig(hex(AVC_SAMPLES[0]!.avcC));
    const [a] = feed(d, packetizeH264(joinAvcc([IDR(10)], 4), 4, CONFIG), 0, 0);
    const [b] = feed(d, packetizeH264(joinAvcc([IDR(10)], 4), 4, other), 1, 3000);
    expect(toHex(a!.config!.sps[0]!)).toBe(toHex(SPS));
    expect(toHex(b!.config!.sps[0]!)).toBe(toHex(other.sps[0]!));
  });

  const nalu = fc.tuple(fc.constantFrom(0x01, 0x21, 0x41, 0x61, 0x06, 0x09, 0x0c), fc.uint8Array({ minLength: 0, maxLength: 3000 })).map(([h, b]) =>
    Uint8Array.of(h, ...b),
  );
  const frame = fc.array(nalu, { minLength: 1, maxLength: 6 });

  fcTest.prop([fc.array(frame, { maxLength: 5 }), fc.integer({ min: 3, max: 1400 }), fc.integer({ min: 0, max: 0xffff })])(
    'packetize -> depacketize is the identity on NAL units (mode 1, any MTU, across the seq wrap)',
    (frames, mtu, seq0) => {
      const aus = [[hex('65 88 84'), ...(frames[0] ?? [])], ...frames.slice(1)];
      const d = new H264Depacketizer();
      let seq = seq0;
      const got: Uint8Array[][] = [];
      aus.forEach((nalus, i) => {
        const ps = packetizeH264(joinAvcc(nalus, 4), 4, CONFIG, { maxPayloadBytes: mtu });
        for (const p of ps) expect(p.length).toBeLessThanOrEqual(mtu);
        got.push(...feed(d, ps, seq, i * 3000).map((au) => [...au.nalus]));
        seq += ps.length;
      });
      expect(got).toEqual(aus);
      expect(d.stats.droppedAccessUnits).toBe(0);
    },
  );

  fcTest.prop([fc.array(fc.record({ seq: fc.integer({ min: 0, max: 40 }), ts: fc.integer({ min: 0, max: 3 }), marker: fc.boolean(), payload: fc.uint8Array({ maxLength: 40 }) }), { maxLength: 60 })])(
    'garbage packets never throw and never emit a malformed access unit',
    (packets) => {
      const d = new H264Depacketizer();
      for (const p of packets) {
        for (const au of d.push({ sequenceNumber: p.seq, timestamp: p.ts, marker: p.marker, payload: p.payload })) {
          expect(au.nalus.length).toBeGreaterThan(0);
          expect(au.avcc.length).toBe(au.nalus.reduce((n, x) => n + 4 + x.length, 0));
        }
      }
    },
  );
});
