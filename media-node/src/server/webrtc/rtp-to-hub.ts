import { ProtocolError } from '@runnel/shared';
import { encodeAvcConfig } from '../../codec/h264/avc-config.ts';
import { encodeOpusHead, makeOpusHead } from '../../codec/opus/opus-head.ts';
import { opusFrameBody, opusSequenceHeaderBody } from '../../format/flv/audio-data.ts';
import { avcFrameBody, avcSequenceHeaderBody } from '../../format/flv/video-data.ts';
import type { MediaKind } from '../../hub/media-message.ts';
import { H264Depacketizer, OPUS_RTP_CLOCK_RATE, RtpMsClock, RtpReorderBuffer, VIDEO_RTP_CLOCK_RATE, decodeRtcpCompound, decodeRtpPacket, depacketizeOpus, ntpToMs } from '../../protocol/rtp/index.ts';
import type { RtpPacket } from '../../protocol/rtp/index.ts';

/** One FLV body for the hub (PublishHandle.push). */
export interface HubFrame {
  readonly kind: MediaKind;
  readonly timestamp: number;
  readonly payload: Uint8Array;
}

export interface RtpToHubOptions {
  readonly videoPayloadType?: number;
  readonly audioPayloadType?: number;
  /** Opus channel count from the offer's rtpmap (RFC 7587 7: always 2 in SDP; the stream may be mono). */
  readonly audioChannels?: 1 | 2;
  /** SPS/PPS from the offer's sprop-parameter-sets, for senders that never send them in band. */
  readonly parameterSets?: readonly Uint8Array[];
}

export interface RtpToHubStats {
  videoPackets: number;
  audioPackets: number;
  /** Packets that were not RTP of a negotiated payload type, or malformed. */
  droppedPackets: number;
}

/**
 * A WHIP publisher's RTP (after SRTP) to FLV bodies for the hub: H.264
 * through protocol/rtp's depacketizer into AVCC access units, with an AVC
 * sequence header whenever SPS/PPS change; Opus as enhanced-RTMP Opus
 * (OpusHead sequence header first). Each track's RTP clock is mapped to
 * milliseconds from the time its first packet arrived on the session's
 * clock, so audio and video start in step (RTCP SR anchoring would refine
 * that; not done yet). `keyframeWanted` says when to send a PLI.
 */
export class RtpToHub {
  readonly stats: RtpToHubStats = { videoPackets: 0, audioPackets: 0, droppedPackets: 0 };
  private readonly video: H264Depacketizer;
  /**
   * Video packets back in sequence order before the depacketizer (which only moves forward): a packet
   * werift's NACK got retransmitted, or one the network reordered, fills its gap instead of costing a keyframe.
   */
  readonly videoOrder = new RtpReorderBuffer<RtpPacket>();
  private videoClock: RtpMsClock | undefined;
  private audioClock: RtpMsClock | undefined;
  private audioHeaderSent = false;
  /** Sender NTP ms minus session ms, from the first SR of either track. */
  private ntpOriginMs: number | undefined;
  private readonly anchored = { audio: false, video: false };
  private readonly opts: RtpToHubOptions;

  constructor(opts: RtpToHubOptions) {
    this.opts = opts;
    this.video = new H264Depacketizer(opts.parameterSets === undefined ? {} : { parameterSets: opts.parameterSets });
  }

  /** True while the depacketizer waits for a whole keyframe (send PLI upstream). */
  get keyframeWanted(): boolean {
    return this.video.keyframeWanted;
  }

  get depacketizerStats(): H264Depacketizer['stats'] {
    return this.video.stats;
  }

  /** One RTP packet of `kind`; `nowMs` is the session's clock (ms since it started). */
  push(kind: 'audio' | 'video', bytes: Uint8Array, nowMs: number): HubFrame[] {
    try {
      const p = decodeRtpPacket(bytes);
      if (kind === 'video' && p.payloadType === this.opts.videoPayloadType) {
        this.stats.videoPackets++;
        const clock = (this.videoClock ??= new RtpMsClock(VIDEO_RTP_CLOCK_RATE, Math.max(0, Math.floor(nowMs))));
        const out: HubFrame[] = [];
        for (const ordered of this.videoOrder.push(p, nowMs)) {
          for (const au of this.video.push(ordered)) {
            const timestamp = clock.toMs(au.rtpTimestamp);
            if (au.config !== undefined) out.push({ kind: 'video', timestamp, payload: avcSequenceHeaderBody(encodeAvcConfig(au.config)) });
            out.push({ kind: 'video', timestamp, payload: avcFrameBody(au.avcc, au.keyframe) });
          }
        }
        return out;
      }
      if (kind === 'audio' && p.payloadType === this.opts.audioPayloadType) {
        this.stats.audioPackets++;
        const { packet } = depacketizeOpus(p.payload);
        if (packet.length === 0) return [];
        const clock = (this.audioClock ??= new RtpMsClock(OPUS_RTP_CLOCK_RATE, Math.max(0, Math.floor(nowMs))));
        const timestamp = clock.toMs(p.timestamp);
        const out: HubFrame[] = [];
        if (!this.audioHeaderSent) {
          this.audioHeaderSent = true;
          out.push({ kind: 'audio', timestamp, payload: opusSequenceHeaderBody(encodeOpusHead(makeOpusHead(this.opts.audioChannels ?? 2))) });
        }
        out.push({ kind: 'audio', timestamp, payload: opusFrameBody(packet) });
        return out;
      }
    } catch (error) {
      if (!(error instanceof ProtocolError)) throw error;
    }
    this.stats.droppedPackets++;
    return [];
  }

  /** One RTCP packet of a track (`nowMs` on the session's clock): its first SR anchors the track's clock. */
  pushRtcp(kind: 'audio' | 'video', bytes: Uint8Array, nowMs: number): void {
    if (this.anchored[kind]) return;
    const clock = kind === 'video' ? this.videoClock : this.audioClock;
    if (clock === undefined) return;
    let packets;
    try {
      packets = decodeRtcpCompound(bytes);
    } catch (error) {
      if (error instanceof ProtocolError) return;
      throw error;
    }
    for (const p of packets) {
      if (p.type !== 'sr') continue;
      const ntpMs = ntpToMs(p.ntpSeconds, p.ntpFraction);
      this.ntpOriginMs ??= ntpMs - nowMs;
      clock.anchor(p.rtpTimestamp, ntpMs - this.ntpOriginMs);
      this.anchored[kind] = true;
      return;
    }
  }
}
