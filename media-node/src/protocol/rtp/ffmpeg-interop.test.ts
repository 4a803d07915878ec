/**
 * Real-peer tests with ffmpeg's RTP muxer and demuxer (libavformat
 * rtpenc_h264_hevc / rtpdec_h264, libopus over RTP): ffmpeg's Opus RTP is
 * sized and clocked by our helpers; ffmpeg packetizes x264 into RTP and our
 * depacketizer rebuilds access units that ffprobe decodes; our packetizer
 * sends those access units back to ffmpeg, which must receive every frame.
 * ffmpeg's RTCP (sender reports, SDES) arrives on the same port and is read
 * by our RTCP decoder.
 */
import { createSocket } from 'node:dgram';
import type { Socket } from 'node:dgram';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { toHex } from '@runnel/shared';
import { probe, runPeer, testSignalArgs, type Peer } from '../../../test/support/ffmpeg.ts';
import { avccToAnnexB } from '../../codec/h264/access-unit.ts';
import type { AvcDecoderConfig } from '../../codec/h264/avc-config.ts';
import { splitAnnexB } from '../../codec/nalu/annexb.ts';
import { H264Depacketizer } from './h264/h264-depacketizer.ts';
import type { H264AccessUnit } from './h264/h264-depacketizer.ts';
import { packetizeH264 } from './h264/h264-packetizer.ts';
import { decodeRtcpCompound, isRtcpPacket } from './rtcp/rtcp-packet.ts';
import type { RtcpPacket } from './rtcp/rtcp-packet.ts';
import { decodeRtpPacket, encodeRtpPacket } from './rtp-packet.ts';
import { OPUS_RTP_CLOCK_RATE, depacketizeOpus } from './opus-payload.ts';
import { RtpMsClock } from './rtp-clock.ts';
import type { RtpPacket } from './rtp-packet.ts';

const tmp = mkdtempSync(join(tmpdir(), 'runnel-rtp-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

const peers: Peer[] = [];
const sockets: Socket[] = [];
afterEach(async () => {
  for (const p of peers.splice(0)) await p.stop();
  for (const s of sockets.splice(0)) s.close();
});

async function udpSocket(port = 0): Promise<Socket> {
  const s = createSocket({ type: 'udp4', recvBufferSize: 4 * 1024 * 1024 });
  await new Promise<void>((resolve, reject) => {
    s.once('error', (e) => {
      s.close();
      reject(e);
    });
    s.bind(port, '127.0.0.1', () => resolve());
  });
  sockets.push(s);
  return s;
}

const FRAMES = 50;
const FPS = 25;

/** ffmpeg sends 2 s of 320x240 x264 (GOP 25) as RTP to a socket of ours; RTCP comes to the same port. */
async function captureFfmpegRtp(): Promise<{ rtp: RtpPacket[]; rtcp: RtcpPacket[][] }> {
  const sock = await udpSocket();
  const rtp: RtpPacket[] = [];
  const rtcp: RtcpPacket[][] = [];
  sock.on('message', (m: Buffer) => {
    const b = new Uint8Array(m.buffer, m.byteOffset, m.byteLength);
    if (isRtcpPacket(b)) rtcp.push(decodeRtcpCompound(b));
    else rtp.push(decodeRtpPacket(b));
  });
  const port = sock.address().port;
  const ff = runPeer('ffmpeg', [
    ...testSignalArgs({ seconds: FRAMES / FPS, fps: FPS, gop: FPS, audio: false, realtime: false }),
    '-f', 'rtp', '-payload_type', '96', `rtp://127.0.0.1:${port}?rtcpport=${port}&pkt_size=1200`,
  ]);
  peers.push(ff);
  expect(await ff.exited, ff.stderr()).toBe(0);
  await sleep(200);
  return { rtp, rtcp };
}

function depacketize(rtp: readonly RtpPacket[]): { aus: H264AccessUnit[]; d: H264Depacketizer } {
  const d = new H264Depacketizer();
  const aus = rtp.flatMap((p) => d.push(p));
  return { aus, d };
}

describe('ffmpeg RTP (Opus, RFC 7587) and our clocks', () => {
  it('sizes every Opus packet from its TOC and the 48 kHz timestamps advance by exactly that', async () => {
    const sock = await udpSocket();
    const rtp: RtpPacket[] = [];
    sock.on('message', (m: Buffer) => {
      const b = new Uint8Array(m.buffer, m.byteOffset, m.byteLength);
      if (!isRtcpPacket(b)) rtp.push(decodeRtpPacket(b));
    });
    const port = sock.address().port;
    const ff = runPeer('ffmpeg', [
      '-hide_banner', '-loglevel', 'warning', '-nostdin', '-f', 'lavfi', '-i', 'sine=frequency=440:sample_rate=48000', '-t', '1',
      '-c:a', 'libopus', '-b:a', '64k', '-frame_duration', '20', '-f', 'rtp', '-payload_type', '111', `rtp://127.0.0.1:${port}?rtcpport=${port}`,
    ]);
    peers.push(ff);
    expect(await ff.exited, ff.stderr()).toBe(0);
    await sleep(200);
    expect(rtp.length).toBeGreaterThanOrEqual(49);
    const frames = rtp.map((p) => depacketizeOpus(p.payload));
    expect(new Set(frames.map((f) => f.samples))).toEqual(new Set([960]));
    const clock = new RtpMsClock(OPUS_RTP_CLOCK_RATE);
    const ms = rtp.map((p) => clock.toMs(p.timestamp));
    expect(ms.slice(1).map((t, i) => t - ms[i]!)).toEqual(frames.slice(1).map(() => 20));
    rtp.slice(1).forEach((p, i) => expect((p.timestamp - rtp[i]!.timestamp) >>> 0).toBe(frames[i]!.samples));
  }, 20_000);
});

describe('ffmpeg RTP (H.264, RFC 6184) and our RTP stack', () => {
  it('depacketizes ffmpeg RTP into access units that ffprobe decodes, and reads its RTCP', async () => {
    const { rtp, rtcp } = await captureFfmpegRtp();
    const types = new Set(rtp.map((p) => p.payload[0]! & 0x1f));
    // SPS+PPS aggregated (STAP-A), keyframes fragmented (FU-A), P-frames whole (single NAL unit).
    expect([24, 28, 1].filter((t) => types.has(t))).toEqual([24, 28, 1]);
    const { aus, d } = depacketize(rtp);
    expect(d.stats).toMatchObject({ lostPackets: 0, malformedPackets: 0, droppedAccessUnits: 0 });
    expect(aus).toHaveLength(FRAMES);
    expect(aus.flatMap((a, i) => (a.keyframe ? [i] : []))).toEqual([0, 25]);
    expect(aus[0]!.config?.profile).toBe(66); // x264 -preset ultrafast: Constrained Baseline
    const steps = new Set(aus.slice(1).map((a, i) => (a.rtpTimestamp - aus[i]!.rtpTimestamp) >>> 0));
    expect([...steps]).toEqual([90_000 / FPS]);
    const config = aus[0]!.config as AvcDecoderConfig;
    const file = join(tmp, 'from-rtp.h264');
    writeFileSync(file, Buffer.concat(aus.map((a) => avccToAnnexB(a.avcc, config))));
    const r = await probe(file, ['-count_frames']);
    expect(r.streams[0]).toMatchObject({ codec_name: 'h264', width: 320, height: 240, nb_read_frames: String(FRAMES) });
    // ffmpeg 5.1 sends a bare SR (no SDES) when its first packet goes out.
    const sr = rtcp.flat().find((p) => p.type === 'sr');
    expect(sr?.type === 'sr' && [sr.ssrc, sr.ntpSeconds > 3_900_000_000]).toEqual([rtp[0]!.ssrc, true]);
  }, 20_000);

  it('packetizes access units that ffmpeg receives whole (every frame, decodable)', async () => {
    const { rtp } = await captureFfmpegRtp();
    const { aus } = depacketize(rtp);
    expect(aus).toHaveLength(FRAMES);
    const config = aus[0]!.config as AvcDecoderConfig;

    // A free even/odd port pair for ffmpeg's RTP demuxer (RTP on `port`, RTCP on `port + 1`).
    const probeSock = await udpSocket();
    const port = probeSock.address().port & ~1;
    probeSock.close();
    sockets.splice(sockets.indexOf(probeSock), 1);
    const sdp = ['v=0', 'o=- 0 0 IN IP4 127.0.0.1', 's=runnel', 'c=IN IP4 127.0.0.1', 't=0 0', `m=video ${port} RTP/AVP 96`, 'a=rtpmap:96 H264/90000', 'a=fmtp:96 packetization-mode=1', ''].join('\n');
    const sdpFile = join(tmp, 'in.sdp');
    const out = join(tmp, 'to-ffmpeg.h264');
    writeFileSync(sdpFile, sdp);
    const ff = runPeer('ffmpeg', ['-hide_banner', '-loglevel', 'warning', '-nostdin', '-y', '-protocol_whitelist', 'file,udp,rtp',
      // Probe 0.5 s of media, not the default 5 s (longer than the whole stream); exit after our frames.
      '-analyzeduration', '500000', '-i', sdpFile, '-frames:v', String(FRAMES), '-c', 'copy', '-f', 'h264', out]);
    peers.push(ff);
    // Ready when its socket holds the port.
    for (let i = 0; i < 100; i++) {
      const taken = await udpSocket(port).then(
        (s) => {
          s.close();
          sockets.splice(sockets.indexOf(s), 1);
          return false;
        },
        () => true,
      );
      if (taken) break;
      await sleep(50);
    }

    const sender = await udpSocket();
    let seq = 4000;
    const ssrc = 0x1234abcd;
    const tsBase = 0xffff0000; // wraps during the stream
    // ffmpeg's RTP demuxer hands a frame on only when later packets arrive (and ignores SIGTERM
    // while it waits), so the 50 frames are followed by a tail: the second GOP again, which
    // ffmpeg never writes because -frames stops it at 50.
    const stream = [...aus, ...aus.slice(FPS)];
    for (const [i, au] of stream.entries()) {
      const payloads = packetizeH264(au.avcc, 4, config);
      for (const [k, payload] of payloads.entries()) {
        const bytes = encodeRtpPacket({
          payloadType: 96, ssrc, sequenceNumber: seq++ & 0xffff, marker: k === payloads.length - 1,
          timestamp: (tsBase + i * (90_000 / FPS)) >>> 0, payload,
        });
        await new Promise<void>((resolve, reject) => sender.send(bytes, port, '127.0.0.1', (e) => (e ? reject(e) : resolve())));
      }
      await sleep(2);
    }
    const code = await Promise.race([ff.exited, sleep(5000).then(() => 'timeout')]);
    expect(code, ff.stderr()).toBe(0);
    const r = await probe(out, ['-count_frames']);
    expect(r.streams[0], ff.stderr()).toMatchObject({ codec_name: 'h264', width: 320, height: 240, nb_read_frames: String(FRAMES) });
    // Byte for byte: the NAL units we sent (SPS/PPS before each keyframe), in order, nothing lost.
    const sent = aus.flatMap((a) => (a.keyframe ? [...config.sps, ...config.pps, ...a.nalus] : [...a.nalus]));
    expect(splitAnnexB(new Uint8Array(readFileSync(out))).map(toHex)).toEqual(sent.map(toHex));
  }, 20_000);
});
