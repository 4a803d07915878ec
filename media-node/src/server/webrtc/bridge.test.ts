import { describe, expect, it } from 'vitest';
import { test as fcTest, fc } from '@fast-check/vitest';
import { hex, toHex } from '@runnel/shared';
import { decodeAvcConfig } from '../../codec/h264/avc-config.ts';
import { joinAvcc } from '../../codec/nalu/avcc.ts';
import { encodeOpusHead, makeOpusHead } from '../../codec/opus/opus-head.ts';
import { AVC_SAMPLES } from '../../codec/testdata/h264-samples.ts';
import { aacFrameBody, opusFrameBody, opusSequenceHeaderBody } from '../../format/flv/audio-data.ts';
import { avcFrameBody, avcSequenceHeaderBody } from '../../format/flv/video-data.ts';
import { mediaMessage } from '../../hub/media-message.ts';
import type { MediaKind } from '../../hub/media-message.ts';
import { decodeRtpPacket, encodeRtcpCompound, encodeRtpPacket, packetizeH264 } from '../../protocol/rtp/index.ts';
import { HubToRtp } from './hub-to-rtp.ts';
import { RtpToHub } from './rtp-to-hub.ts';
import type { HubFrame } from './rtp-to-hub.ts';

/** A real x264 High profile avcC (SPS + PPS). */
const AVCC_CONFIG = hex(AVC_SAMPLES[1]!.avcC);
const CONFIG = decodeAvcConfig(AVCC_CONFIG);
const IDR = (n: number) => Uint8Array.from({ length: n }, (_, i) => (i === 0 ? 0x65 : (i * 3) & 0xff));
const SLICE = (n: number) => Uint8Array.from({ length: n }, (_, i) => (i === 0 ? 0x41 : (i * 7) & 0xff));
/** An Opus packet: TOC config 31 (CELT FB 20 ms), code 0, then data (RFC 6716 3.1). */
const OPUS = Uint8Array.of(0xf8, 1, 2, 3, 4, 5);
const VIDEO_PT = 102;
const AUDIO_PT = 111;

const msg = (kind: MediaKind, ts: number, payload: Uint8Array, flags: { keyframe?: boolean; sequenceHeader?: boolean } = {}) => mediaMessage(kind, ts, payload, flags);

/** The hub side of a WHEP player, then the WHIP side: hub -> RTP -> hub. */
function roundTrip(messages: ReturnType<typeof msg>[], mtu?: number): { out: HubFrame[]; tx: HubToRtp; rx: RtpToHub } {
  let seed = 7;
  const tx = new HubToRtp({ videoPayloadType: VIDEO_PT, audioPayloadType: AUDIO_PT, random32: () => (seed = (seed * 1103515245 + 12345) >>> 0), ...(mtu ? { maxPayloadBytes: mtu } : {}) });
  const rx = new RtpToHub({ videoPayloadType: VIDEO_PT, audioPayloadType: AUDIO_PT });
  const out: HubFrame[] = [];
  for (const m of messages) for (const p of tx.push(m)) out.push(...rx.push(p.kind, p.packet, 1000));
  return { out, tx, rx };
}

describe('HubToRtp + RtpToHub (the WHEP and WHIP halves of the bridge)', () => {
  it('starts at a keyframe with SPS/PPS and gives the same access units back', () => {
    const { out, tx } = roundTrip([
      msg('video', 0, avcSequenceHeaderBody(AVCC_CONFIG), { sequenceHeader: true }),
      msg('video', 0, avcFrameBody(joinAvcc([SLICE(40)], 4), false)),
      msg('video', 40, avcFrameBody(joinAvcc([IDR(3000)], 4), true)),
      msg('video', 80, avcFrameBody(joinAvcc([SLICE(500)], 4), false)),
    ]);
    expect(tx.stats).toMatchObject({ skippedVideoFrames: 1, videoFrames: 2 });
    expect(out.map((f) => [f.kind, f.timestamp])).toEqual([['video', 1000], ['video', 1000], ['video', 1040]]);
    // FLV VIDEODATA: keyframe | AVC, AVCPacketType 0 (sequence header), CompositionTime 0.
    expect(toHex(out[0]!.payload.subarray(0, 5))).toBe('1700000000');
    expect(decodeAvcConfig(out[0]!.payload.subarray(5)).sps.map(toHex)).toEqual(CONFIG.sps.map(toHex));
    expect(decodeAvcConfig(out[0]!.payload.subarray(5)).pps.map(toHex)).toEqual(CONFIG.pps.map(toHex));
    expect(toHex(out[1]!.payload)).toBe(toHex(avcFrameBody(joinAvcc([IDR(3000)], 4), true)));
    expect(toHex(out[2]!.payload)).toBe(toHex(avcFrameBody(joinAvcc([SLICE(500)], 4), false)));
  });

  it('WHIP ingest: a reordered or retransmitted (late) video packet fills its gap instead of costing the frame', () => {
    const tx = new HubToRtp({ videoPayloadType: VIDEO_PT, audioPayloadType: AUDIO_PT });
    tx.push(msg('video', 0, avcSequenceHeaderBody(AVCC_CONFIG), { sequenceHeader: true }));
    const packets = tx.push(msg('video', 0, avcFrameBody(joinAvcc([IDR(5000)], 4), true))).map((x) => x.packet);
    expect(packets.length).toBeGreaterThan(3);
    // The second packet is lost first, then comes back 40 ms later (a NACK's retransmission), after the others.
    const late = packets.splice(1, 1)[0]!;
    const rx = new RtpToHub({ videoPayloadType: VIDEO_PT, audioPayloadType: AUDIO_PT });
    const out: HubFrame[] = [];
    packets.forEach((p, i) => out.push(...rx.push('video', p, 1000 + i)));
    expect(out).toEqual([]);
    out.push(...rx.push('video', late, 1040));
    expect(out.map((f) => toHex(f.payload.subarray(0, 2)))).toEqual(['1700', '1701']);
    expect(toHex(out[1]!.payload)).toBe(toHex(avcFrameBody(joinAvcc([IDR(5000)], 4), true)));
    expect(rx.videoOrder.stats).toMatchObject({ skipped: 0 });
    expect(rx.depacketizerStats.lostPackets).toBe(0);
  });

  it('packetizes under the payload limit with the marker on the last packet of a frame', () => {
    const tx = new HubToRtp({ videoPayloadType: VIDEO_PT, maxPayloadBytes: 1200 });
    tx.push(msg('video', 0, avcSequenceHeaderBody(AVCC_CONFIG), { sequenceHeader: true }));
    const packets = tx.push(msg('video', 1000, avcFrameBody(joinAvcc([IDR(5000)], 4), true))).map((p) => decodeRtpPacket(p.packet));
    expect(packets.length).toBeGreaterThan(4);
    expect(packets.every((p) => p.payload.length <= 1200 && p.payloadType === VIDEO_PT)).toBe(true);
    expect(packets.map((p) => p.marker)).toEqual([...new Array<boolean>(packets.length - 1).fill(false), true]);
    expect(new Set(packets.map((p) => p.timestamp)).size).toBe(1);
    const seqs = packets.map((p) => p.sequenceNumber);
    expect(seqs.every((s, i) => i === 0 || s === ((seqs[i - 1]! + 1) & 0xffff))).toBe(true);
  });

  it('carries Opus both ways with an OpusHead first, and counts AAC it cannot send', () => {
    const { out, tx } = roundTrip([
      msg('audio', 0, opusSequenceHeaderBody(encodeOpusHead(makeOpusHead(2))), { sequenceHeader: true }),
      msg('audio', 0, opusFrameBody(OPUS)),
      msg('audio', 20, opusFrameBody(OPUS)),
      msg('audio', 40, aacFrameBody(Uint8Array.of(1, 2, 3))),
    ]);
    expect(out.map((f) => [f.kind, f.timestamp, toHex(f.payload)])).toEqual([
      ['audio', 1000, toHex(opusSequenceHeaderBody(encodeOpusHead(makeOpusHead(2))))],
      ['audio', 1000, toHex(opusFrameBody(OPUS))],
      ['audio', 1020, toHex(opusFrameBody(OPUS))],
    ]);
    expect(tx.stats.unsupportedAudioFrames).toBe(1);
  });

  it('drops RTP of other payload types and asks for a keyframe until one arrives', () => {
    const rx = new RtpToHub({ videoPayloadType: VIDEO_PT, audioPayloadType: AUDIO_PT });
    const tx = new HubToRtp({ videoPayloadType: 96 });
    tx.push(msg('video', 0, avcSequenceHeaderBody(AVCC_CONFIG), { sequenceHeader: true }));
    for (const p of tx.push(msg('video', 0, avcFrameBody(joinAvcc([IDR(100)], 4), true)))) expect(rx.push('video', p.packet, 0)).toEqual([]);
    expect(rx.stats.droppedPackets).toBe(1);
    expect(rx.keyframeWanted).toBe(true);
  });

  fcTest.prop([fc.uint8Array({ maxLength: 1500 }), fc.constantFrom<'audio' | 'video'>('audio', 'video')])('RtpToHub never throws on garbage', (bytes, kind) => {
    const rx = new RtpToHub({ videoPayloadType: VIDEO_PT, audioPayloadType: AUDIO_PT });
    rx.push(kind, bytes, 0);
    expect(rx.stats.droppedPackets + rx.stats.videoPackets + rx.stats.audioPackets).toBe(1);
  });

  fcTest.prop([fc.uint8Array({ minLength: 1, maxLength: 600 }), fc.constantFrom<MediaKind>('audio', 'video', 'data')])('HubToRtp never throws on garbage FLV bodies', (payload, kind) => {
    const tx = new HubToRtp({ videoPayloadType: VIDEO_PT, audioPayloadType: AUDIO_PT });
    tx.push(msg('video', 0, avcSequenceHeaderBody(AVCC_CONFIG), { sequenceHeader: true }));
    expect(Array.isArray(tx.push(msg(kind, 0, payload)))).toBe(true);
  });

  it('lines audio and video up on the sender reports, not on arrival', () => {
    const rx = new RtpToHub({ videoPayloadType: VIDEO_PT, audioPayloadType: AUDIO_PT });
    let seq = 0;
    const video = (ts: number, au: Uint8Array, nowMs: number) => {
      const payloads = packetizeH264(au, 4, CONFIG);
      return payloads.flatMap((payload, i) => rx.push('video', encodeRtpPacket({ payloadType: VIDEO_PT, ssrc: 1, sequenceNumber: seq++, timestamp: ts, marker: i === payloads.length - 1, payload }), nowMs));
    };
    const audio = (ts: number, nowMs: number) => rx.push('audio', encodeRtpPacket({ payloadType: AUDIO_PT, ssrc: 2, sequenceNumber: ts / 960, timestamp: ts, marker: false, payload: OPUS }), nowMs);
    const sr = (ssrc: number, rtpTimestamp: number, ntpMsOffset: number) =>
      encodeRtcpCompound([{ type: 'sr', ssrc, ntpSeconds: 3_900_000_000 + Math.floor(ntpMsOffset / 1000), ntpFraction: Math.round(((ntpMsOffset % 1000) / 1000) * 2 ** 32), rtpTimestamp, packetCount: 1, octetCount: 1, reports: [] }]);
    // Captured together (video RTP 90000 and audio RTP 48000 at sender time T), but audio arrives 100 ms later.
    expect(video(90_000, joinAvcc([IDR(50)], 4), 1000).at(-1)!.timestamp).toBe(1000);
    expect(audio(48_000, 1100).at(-1)!.timestamp).toBe(1100);
    // SRs: video RTP 99000 and audio RTP 52800 are both T + 100 ms.
    rx.pushRtcp('video', sr(1, 99_000, 100), 1200);
    rx.pushRtcp('audio', sr(2, 52_800, 100), 1250);
    // 200 ms after capture, both tracks say the same time.
    const v = video(108_000, joinAvcc([SLICE(20)], 4), 1320);
    const a = audio(57_600, 1330);
    expect(v.at(-1)!.timestamp).toBe(a.at(-1)!.timestamp);
    expect(a.at(-1)!.timestamp).toBe(1300);
  });
});
