import { describe, expect, it } from 'vitest';
import { test as fcTest, fc } from '@fast-check/vitest';
import { ProtocolError, hex } from '@runnel/shared';
import { OPUS_RTP_CLOCK_RATE, depacketizeOpus, packetizeOpus } from './opus-payload.ts';
import { RtpMsClock, RtpTimestampUnwrapper, VIDEO_RTP_CLOCK_RATE, msToRtpTimestamp, ntpToMs } from './rtp-clock.ts';

describe('RTP timestamp unwrapping and the hub clock', () => {
  it('unwraps across 2^32 and keeps small steps back small', () => {
    const u = new RtpTimestampUnwrapper();
    expect([0xfffffff0, 0xfffffffa, 5, 3, 0x10].map((t) => u.unwrap(t))).toEqual([
      0xfffffff0, 0xfffffffa, 0x1_0000_0005, 0x1_0000_0003, 0x1_0000_0010,
    ]);
  });

  it('maps 90 kHz video to milliseconds from the first packet, through a wrap', () => {
    const c = new RtpMsClock(VIDEO_RTP_CLOCK_RATE);
    const start = 0xffff0000;
    expect(c.toMs(start)).toBe(0);
    expect(c.toMs(start + 3000)).toBe(33);
    expect(c.toMs((start + 90_000 * 10) >>> 0)).toBe(10_000);
  });

  it('maps 48 kHz Opus and follows an anchor (A/V sync by sender reports)', () => {
    const c = new RtpMsClock(OPUS_RTP_CLOCK_RATE, 500);
    expect(c.toMs(1000)).toBe(500);
    expect(c.toMs(1960)).toBe(520);
    c.anchor(4840, 2000);
    expect(c.toMs(5800)).toBe(2020);
    expect(c.toMs(4360)).toBe(1990);
  });

  it('converts hub milliseconds to RTP timestamps with a random base, wrapping', () => {
    expect(msToRtpTimestamp(1000, 90_000, 0xffffffff)).toBe(89_999);
    expect(msToRtpTimestamp(20, 48_000, 7)).toBe(967);
  });

  it('reads an NTP timestamp of a sender report', () => {
    expect(ntpToMs(3_900_000_000, 0x80000000)).toBe(3_900_000_000_500);
  });

  fcTest.prop([fc.integer({ min: 0, max: 0xffffffff }), fc.array(fc.integer({ min: 0, max: 100_000 }), { maxLength: 200 })])(
    'a steadily advancing stream maps to milliseconds without jumps, wherever it wraps',
    (start, steps) => {
      const c = new RtpMsClock(VIDEO_RTP_CLOCK_RATE);
      let ts = start;
      let elapsed = 0;
      expect(c.toMs(ts)).toBe(0);
      for (const s of steps) {
        ts = (ts + s) >>> 0;
        elapsed += s;
        expect(c.toMs(ts)).toBe(Math.floor((elapsed * 1000) / VIDEO_RTP_CLOCK_RATE));
      }
    },
  );

  fcTest.prop([fc.integer({ min: 0, max: 2 ** 40 }), fc.integer({ min: 0, max: 0xffffffff })])('ms -> RTP -> ms round trips', (ms, base) => {
    const c = new RtpMsClock(OPUS_RTP_CLOCK_RATE);
    c.anchor(base, 0);
    const ts = msToRtpTimestamp(ms % 40_000_000, OPUS_RTP_CLOCK_RATE, base);
    expect(c.toMs(ts)).toBe(ms % 40_000_000);
  });
});

describe('Opus RTP payload (RFC 7587)', () => {
  it.each([
    ['20 ms CELT FB mono (config 31, code 0)', 'f8 0102', 960],
    ['two 10 ms frames (config 30, code 1)', 'f1 0102', 960],
    ['code 3 with 3 frames of 20 ms SILK (config 1)', '0b 03 00', 2880],
  ])('sizes %s', (_n, h, samples) => {
    expect(depacketizeOpus(hex(h)).samples).toBe(samples);
    expect(packetizeOpus(hex(h)).packet).toEqual(hex(h));
  });

  it.each([
    ['an empty payload', '', 'opus_empty_packet'],
    ['code 3 with 0 frames', '0b 00', 'opus_frame_count'],
    ['code 3 over 120 ms', '0b 07', 'opus_packet_too_long'],
  ])('rejects %s', (_n, h, code) => {
    expect(() => depacketizeOpus(hex(h))).toThrow(expect.objectContaining({ code }));
  });

  it('rejects an oversized payload', () => {
    expect(() => depacketizeOpus(new Uint8Array(4000).fill(0xf8))).toThrow(expect.objectContaining({ code: 'opus_rtp_too_large' }));
  });

  fcTest.prop([fc.uint8Array({ maxLength: 64 })])('garbage never crashes', (b) => {
    try {
      expect(depacketizeOpus(b).samples).toBeGreaterThan(0);
    } catch (e) {
      expect(e).toBeInstanceOf(ProtocolError);
    }
  });
});
