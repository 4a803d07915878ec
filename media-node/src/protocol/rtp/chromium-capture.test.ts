/**
 * libwebrtc's real RTP (Chromium 156 through werift, see
 * testdata/chromium-capture.ts): header extensions, padding-only probes,
 * STAP-A/FU-A/single NAL units and Opus, through our parsers; the
 * depacketized H.264 is decoded by ffprobe.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { toHex } from '@runnel/shared';
import { probe } from '../../../test/support/ffmpeg.ts';
import { avccToAnnexB } from '../../codec/h264/access-unit.ts';
import type { AvcDecoderConfig } from '../../codec/h264/avc-config.ts';
import { H264Depacketizer } from './h264/h264-depacketizer.ts';
import { depacketizeOpus } from './opus-payload.ts';
import { decodeRtpPacket, encodeRtpPacket } from './rtp-packet.ts';
import { loadChromiumCapture } from './testdata/chromium-capture.ts';

const tmp = mkdtempSync(join(tmpdir(), 'runnel-rtp-chromium-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

const { video, audio } = loadChromiumCapture();
const text = (b: Uint8Array) => new TextDecoder().decode(b);

describe('RTP captured from Chromium 156', () => {
  it('decodes every packet, with the negotiated one-byte header extensions', () => {
    const v = video.map(decodeRtpPacket);
    const a = audio.map(decodeRtpPacket);
    expect(new Set(v.map((p) => p.payloadType))).toEqual(new Set([102]));
    expect(new Set(a.map((p) => p.payloadType))).toEqual(new Set([111]));
    expect(new Set([...v, ...a].map((p) => p.extensionProfile))).toEqual(new Set([0xbede]));
    expect(new Set(v.flatMap((p) => p.extensions.map((e) => e.id)))).toEqual(new Set([2, 3, 4]));
    expect(new Set(a.flatMap((p) => p.extensions.map((e) => e.id)))).toEqual(new Set([1, 2, 4]));
    expect(new Set(v.flatMap((p) => p.extensions.filter((e) => e.id === 4).map((e) => text(e.data))))).toEqual(new Set(['1']));
    expect(new Set(a.flatMap((p) => p.extensions.filter((e) => e.id === 4).map((e) => text(e.data))))).toEqual(new Set(['0']));
    expect(v.every((p) => p.extensions.filter((e) => e.id === 2).every((e) => e.data.length === 3))).toBe(true); // abs-send-time is 24 bits
  });

  it('re-encodes every packet byte for byte', () => {
    for (const b of [...video, ...audio]) expect(toHex(encodeRtpPacket(decodeRtpPacket(b)))).toBe(toHex(b));
  });

  it('depacketizes the H.264 into access units ffprobe decodes; padding probes are not loss', async () => {
    const packets = video.map(decodeRtpPacket);
    const probes = packets.filter((p) => p.payload.length === 0);
    expect(probes.length).toBeGreaterThan(0);
    const d = new H264Depacketizer();
    const aus = packets.flatMap((p) => d.push(p));
    const frames = new Set(packets.filter((p) => p.payload.length > 0).map((p) => p.timestamp)).size;
    expect(d.stats).toMatchObject({ lostPackets: 0, latePackets: 0, malformedPackets: 0, droppedAccessUnits: 0, paddingPackets: probes.length });
    expect(aus).toHaveLength(frames);
    expect(aus[0]!.keyframe).toBe(true);
    expect(aus[0]!.config).toMatchObject({ profile: 66, level: 31 });
    const types = new Set(packets.filter((p) => p.payload.length > 0).map((p) => p.payload[0]! & 0x1f));
    expect([24, 28, 1].filter((t) => types.has(t))).toEqual([24, 28, 1]);
    const config = aus[0]!.config as AvcDecoderConfig;
    const file = join(tmp, 'chromium.h264');
    writeFileSync(file, Buffer.concat(aus.map((au) => avccToAnnexB(au.avcc, config))));
    const r = await probe(file, ['-count_frames']);
    expect(r.streams[0]).toMatchObject({ codec_name: 'h264', width: 640, height: 360, nb_read_frames: String(aus.length) });
  }, 20_000);

  it('sizes every Opus packet from its TOC, in step with the 48 kHz timestamps', () => {
    const packets = audio.map(decodeRtpPacket);
    const frames = packets.map((p) => depacketizeOpus(p.payload));
    packets.slice(1).forEach((p, i) => expect((p.timestamp - packets[i]!.timestamp) >>> 0).toBe(frames[i]!.samples));
  });
});
