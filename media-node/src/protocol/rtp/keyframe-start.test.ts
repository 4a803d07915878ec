/**
 * Key frame starts of VP8, VP9 and AV1 RTP payloads: golden descriptors built
 * from the RFCs' figures, garbage that must give a typed error or an answer
 * (never a crash), and ffmpeg's own VP8/VP9 RTP packetizers (libvpx, a key
 * frame every 10 frames) whose key frames must be found, and only those.
 */
import { createSocket } from 'node:dgram';
import { test as fcTest, fc } from '@fast-check/vitest';
import { ProtocolError } from '@runnel/shared';
import { describe, expect, it } from 'vitest';
import { runPeer } from '../../../test/support/ffmpeg.ts';
import { isKeyframeStart } from './keyframe-start.ts';
import type { PassthroughCodec } from './keyframe-start.ts';
import { isRtcpPacket } from './rtcp/rtcp-packet.ts';
import { decodeRtpPacket } from './rtp-packet.ts';

const b = (...bytes: number[]): Uint8Array => Uint8Array.from(bytes);

describe('VP8 (RFC 7741 4.2, 4.3)', () => {
  it('S=1 PID=0 with P=0 in the payload header is a key frame; P=1 is not', () => {
    expect(isKeyframeStart('VP8', b(0x10, 0x50))).toBe(true); // payload header: P (bit 0) clear
    expect(isKeyframeStart('VP8', b(0x10, 0x31))).toBe(false); // P=1: interframe
  });
  it('skips the X byte and the optional PictureID (7 and 15 bit), TL0PICIDX and TID/KEYIDX bytes', () => {
    // X=1 S=1 | I=1 | M=1 15-bit picture id | P=0 payload header
    expect(isKeyframeStart('VP8', b(0x90, 0x80, 0x81, 0x23, 0x50))).toBe(true);
    // X=1 S=1 | I=1 L=1 T=1 | 7-bit picture id | TL0PICIDX | TID byte | P=1
    expect(isKeyframeStart('VP8', b(0x90, 0xe0, 0x05, 0x07, 0x40, 0x01))).toBe(false);
    // same, P=0
    expect(isKeyframeStart('VP8', b(0x90, 0xe0, 0x05, 0x07, 0x40, 0x00))).toBe(true);
  });
  it('a packet that does not start partition 0 is never a key frame start', () => {
    expect(isKeyframeStart('VP8', b(0x00, 0x00))).toBe(false); // S=0
    expect(isKeyframeStart('VP8', b(0x11, 0x00))).toBe(false); // S=1 PID=1
  });
  it('a descriptor that runs past the payload is rtp_truncated', () => {
    for (const p of [b(), b(0x10), b(0x90), b(0x90, 0x80), b(0x90, 0x80, 0x81, 0x23)]) {
      expect(() => isKeyframeStart('VP8', p)).toThrow(ProtocolError);
    }
  });
});

describe('VP9 (RFC 9628 4.2, VP9 bitstream 6.2)', () => {
  // Uncompressed header first bytes: frame_marker 10, profile 0, show_existing_frame 0, frame_type 0/1.
  const KEY = 0x80;
  const INTER = 0x84;
  it('B=1 P=0 and a KEY_FRAME header is a key frame start; P=1, B=0 or a non-key header is not', () => {
    expect(isKeyframeStart('VP9', b(0x08, KEY))).toBe(true); // B
    expect(isKeyframeStart('VP9', b(0x88, 0x12, KEY))).toBe(true); // I B, 7-bit picture id
    expect(isKeyframeStart('VP9', b(0x48, KEY))).toBe(false); // P B
    expect(isKeyframeStart('VP9', b(0x84, 0x12, KEY))).toBe(false); // I E: not the start
    expect(isKeyframeStart('VP9', b(0x08, INTER))).toBe(false); // P=0 but an inter frame header (FFmpeg never sets P)
    expect(isKeyframeStart('VP9', b(0x08, 0x88))).toBe(false); // show_existing_frame
    expect(isKeyframeStart('VP9', b(0x08, 0xb0))).toBe(true); // profile 3: reserved bit, then show_existing 0, frame_type 0
  });
  it('with layer indices only spatial layer 0 starts the key frame', () => {
    expect(isKeyframeStart('VP9', b(0xa8, 0x80, 0x12, 0x00, 0x05, KEY))).toBe(true); // I L B (non-flexible: TL0PICIDX), 15-bit id, SID 0
    expect(isKeyframeStart('VP9', b(0xa8, 0x80, 0x12, 0x02, 0x05, KEY))).toBe(false); // SID 1
    expect(isKeyframeStart('VP9', b(0x38, 0x00, KEY))).toBe(true); // L F B, SID 0
  });
  it('skips the scalability structure (sizes and picture groups)', () => {
    // B V | N_S=0 Y=1 G=1 | 320 x 240 | N_G=1 | T=0 U=0 R=1 | P_DIFF | header
    expect(isKeyframeStart('VP9', b(0x0a, 0x18, 0x01, 0x40, 0x00, 0xf0, 0x01, 0x04, 0x01, KEY))).toBe(true);
    expect(isKeyframeStart('VP9', b(0x0a, 0x18, 0x01, 0x40, 0x00, 0xf0, 0x01, 0x04, 0x01, INTER))).toBe(false);
  });
  it('a descriptor that runs past the payload is rtp_truncated', () => {
    for (const p of [b(), b(0x08), b(0x88), b(0xa8, 0x80, 0x12), b(0x28), b(0x0a), b(0x0a, 0x18, 0x01)]) expect(() => isKeyframeStart('VP9', p)).toThrow(ProtocolError);
  });
});

describe('AV1 (AV1 RTP specification 4.4)', () => {
  it('N=1 in the aggregation header starts a coded video sequence', () => {
    expect(isKeyframeStart('AV1', b(0x18, 0x0a))).toBe(true); // W=1 N=1
    expect(isKeyframeStart('AV1', b(0x10, 0x0a))).toBe(false); // W=1
    expect(() => isKeyframeStart('AV1', b())).toThrow(ProtocolError);
  });
});

describe('garbage', () => {
  fcTest.prop([fc.constantFrom<PassthroughCodec>('VP8', 'VP9', 'AV1'), fc.uint8Array({ maxLength: 16 })])('is an answer or a ProtocolError, never anything else', (codec, bytes) => {
    try {
      expect(typeof isKeyframeStart(codec, bytes)).toBe('boolean');
    } catch (error) {
      expect(error).toBeInstanceOf(ProtocolError);
    }
  });
});

/** ffmpeg encodes 50 frames with a key frame every 10 and sends them as RTP; the payloads, in order. */
async function ffmpegRtp(encoder: string[]): Promise<Uint8Array[]> {
  const sock = createSocket({ type: 'udp4', recvBufferSize: 4 * 1024 * 1024 });
  await new Promise<void>((r) => sock.bind(0, '127.0.0.1', r));
  const payloads: Uint8Array[] = [];
  sock.on('message', (m: Buffer) => {
    const bytes = new Uint8Array(m.buffer, m.byteOffset, m.byteLength);
    if (!isRtcpPacket(bytes)) payloads.push(decodeRtpPacket(bytes).payload);
  });
  const port = sock.address().port;
  const ff = runPeer('ffmpeg', [
    '-hide_banner', '-loglevel', 'warning', '-nostdin', '-f', 'lavfi', '-i', 'testsrc=size=320x240:rate=25', '-frames:v', '50',
    ...encoder, '-g', '10', '-keyint_min', '10', '-b:v', '400k', '-deadline', 'realtime', '-cpu-used', '8',
    '-f', 'rtp', '-payload_type', '96', `rtp://127.0.0.1:${port}?rtcpport=${port}&pkt_size=1200`,
  ]);
  try {
    expect(await ff.exited, ff.stderr()).toBe(0);
    await new Promise((r) => setTimeout(r, 200));
  } finally {
    sock.close();
  }
  return payloads;
}

describe('ffmpeg RTP (libvpx through libavformat rtpenc_vp8 / rtpenc_vp9)', () => {
  it('VP8: exactly the 5 key frames of 50 frames start a key frame', async () => {
    const payloads = await ffmpegRtp(['-c:v', 'libvpx']);
    expect(payloads.length).toBeGreaterThanOrEqual(50);
    expect(payloads.filter((p) => isKeyframeStart('VP8', p))).toHaveLength(5);
    expect(isKeyframeStart('VP8', payloads[0]!)).toBe(true);
  });

  it('VP9: exactly the 5 key frames of 50 frames start a key frame', async () => {
    const payloads = await ffmpegRtp(['-c:v', 'libvpx-vp9', '-strict', 'experimental']);
    expect(payloads.length).toBeGreaterThanOrEqual(50);
    expect(payloads.filter((p) => isKeyframeStart('VP9', p))).toHaveLength(5);
    expect(isKeyframeStart('VP9', payloads[0]!)).toBe(true);
  });
});
