import { ProtocolError } from '@runnel/shared';
import { decodeAvcConfig } from '../../codec/h264/avc-config.ts';
import type { NaluLengthSize } from '../../codec/nalu/avcc.ts';
import { decodeAudioData } from '../../format/flv/audio-data.ts';
import { decodeVideoData } from '../../format/flv/video-data.ts';
import type { MediaMessage } from '../../hub/media-message.ts';
import { OPUS_RTP_CLOCK_RATE, VIDEO_RTP_CLOCK_RATE, encodeRtpPacket, msToRtpTimestamp, packetizeH264, packetizeOpus } from '../../protocol/rtp/index.ts';
import type { H264ParameterSets } from '../../protocol/rtp/index.ts';

/** One RTP packet for a WebRTC player. */
export interface RtpOut {
  readonly kind: 'audio' | 'video';
  readonly packet: Uint8Array;
  /** The first packet of a keyframe (with SPS/PPS before the IDR): where a player can start decoding. */
  readonly keyframeStart: boolean;
}

export interface HubToRtpOptions {
  readonly videoPayloadType?: number;
  readonly audioPayloadType?: number;
  /** RTP payload limit (protocol/rtp's default 1 200 keeps SRTP packets under the IPv6 minimum MTU). */
  readonly maxPayloadBytes?: number;
  /** Random 32-bit source for the initial sequence numbers and timestamps (RFC 3550 5.1). */
  readonly random32?: () => number;
}

export interface HubToRtpStats {
  videoFrames: number;
  audioFrames: number;
  /** Video frames skipped while waiting for a keyframe with parameter sets. */
  skippedVideoFrames: number;
  /** Frames that could not be packetized (malformed FLV/AVCC, unsupported codec). */
  droppedFrames: number;
  /** Non-Opus audio frames not sent (AAC reaches players through audio-bridge/OpusFeeds; MP3 and others are not bridged). */
  unsupportedAudioFrames: number;
}

const randomU32 = (): number => Math.floor(Math.random() * 0x1_0000_0000) >>> 0;

/**
 * Hub messages (FLV bodies) to RTP for one WHEP player: H.264 through
 * protocol/rtp's packetizer with SPS/PPS before every IDR, starting at a
 * keyframe (the GOP cache's first, when the player joins); enhanced-RTMP
 * Opus one packet per RTP payload. Timestamps come from the hub's one
 * timeline (90 kHz video with the composition offset, 48 kHz audio), so A/V
 * stay in step. SSRCs are left 0: werift writes the negotiated ones.
 */
export class HubToRtp {
  readonly stats: HubToRtpStats = { videoFrames: 0, audioFrames: 0, skippedVideoFrames: 0, droppedFrames: 0, unsupportedAudioFrames: 0 };
  private params: H264ParameterSets | undefined;
  private lengthSize: NaluLengthSize = 4;
  private waitKeyframe = true;
  private videoSeq: number;
  private audioSeq: number;
  private readonly videoBase: number;
  private readonly audioBase: number;
  private readonly opts: HubToRtpOptions;

  constructor(opts: HubToRtpOptions = {}) {
    this.opts = opts;
    const r = opts.random32 ?? randomU32;
    this.videoSeq = r() & 0xffff;
    this.audioSeq = r() & 0xffff;
    this.videoBase = r() >>> 0;
    this.audioBase = r() >>> 0;
  }

  /** Drop video until the next keyframe (after a queue cut or a republish). */
  resync(): void {
    this.waitKeyframe = true;
  }

  push(msg: MediaMessage): RtpOut[] {
    if (msg.payload.length === 0) return [];
    try {
      if (msg.kind === 'video' && this.opts.videoPayloadType !== undefined) return this.video(msg, this.opts.videoPayloadType);
      if (msg.kind === 'audio' && this.opts.audioPayloadType !== undefined) return this.audio(msg, this.opts.audioPayloadType);
    } catch (error) {
      if (!(error instanceof ProtocolError)) throw error;
      this.stats.droppedFrames++;
      if (msg.kind === 'video') this.waitKeyframe = true;
    }
    return [];
  }

  private video(msg: MediaMessage, payloadType: number): RtpOut[] {
    const v = decodeVideoData(msg.payload);
    if (v.packetType === 'command' || v.codec !== 'h264') {
      if (v.packetType !== 'command') this.stats.droppedFrames++;
      return [];
    }
    if (v.packetType === 'sequence-header') {
      const cfg = decodeAvcConfig(v.data);
      this.params = { sps: cfg.sps, pps: cfg.pps };
      this.lengthSize = cfg.lengthSize;
      if (msg.discontinuity) this.waitKeyframe = true;
      return [];
    }
    if (v.packetType !== 'frame') return [];
    if (this.waitKeyframe && !(v.keyframe && this.params !== undefined)) {
      this.stats.skippedVideoFrames++;
      return [];
    }
    this.waitKeyframe = false;
    const payloads = packetizeH264(v.data, this.lengthSize, this.params, this.opts.maxPayloadBytes === undefined ? {} : { maxPayloadBytes: this.opts.maxPayloadBytes });
    const timestamp = msToRtpTimestamp(msg.timestamp + v.compositionTime, VIDEO_RTP_CLOCK_RATE, this.videoBase);
    this.stats.videoFrames++;
    return payloads.map((payload, i) => {
      const packet = encodeRtpPacket({ payloadType, ssrc: 0, sequenceNumber: this.videoSeq, timestamp, marker: i === payloads.length - 1, payload });
      this.videoSeq = (this.videoSeq + 1) & 0xffff;
      return { kind: 'video' as const, packet, keyframeStart: v.keyframe && i === 0 };
    });
  }

  private audio(msg: MediaMessage, payloadType: number): RtpOut[] {
    const a = decodeAudioData(msg.payload);
    if (a.codec !== 'opus') {
      if (a.packetType === 'frame') this.stats.unsupportedAudioFrames++;
      return [];
    }
    if (a.packetType !== 'frame') return [];
    const { packet: payload } = packetizeOpus(a.data);
    const timestamp = msToRtpTimestamp(msg.timestamp, OPUS_RTP_CLOCK_RATE, this.audioBase);
    const packet = encodeRtpPacket({ payloadType, ssrc: 0, sequenceNumber: this.audioSeq, timestamp, marker: false, payload });
    this.audioSeq = (this.audioSeq + 1) & 0xffff;
    this.stats.audioFrames++;
    return [{ kind: 'audio', packet, keyframeStart: false }];
  }
}
