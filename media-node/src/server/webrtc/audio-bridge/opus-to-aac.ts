import { AV_CODEC_ID_OPUS, AV_SAMPLE_FMT_FLTP, FF_ENCODER_AAC } from 'node-av/constants';
import { ProtocolError } from '@runnel/shared';
import { aacFrameBody, aacSequenceHeaderBody, decodeAudioData } from '../../../format/flv/audio-data.ts';
import { AudioTranscoder } from './av-audio.ts';
import type { BridgeStats } from './bridge-stats.ts';
import { emptyBridgeStats } from './bridge-stats.ts';

/** AAC-LC out at 48 kHz: Opus is 48 kHz, so no rate conversion (only the channel layout may change). */
export const AAC_RATE = 48_000;
/** 128 kbit/s stereo AAC-LC, the usual broadcast rate. */
export const AAC_BITRATE = 128_000;

/** An FLV AUDIODATA body for the hub, with its millisecond timestamp. */
export interface AacOut {
  readonly timestamp: number;
  readonly payload: Uint8Array;
  readonly sequenceHeader: boolean;
}

/**
 * WebRTC Opus packets (RFC 7587 payloads, any channel count) -> AAC-LC for
 * the hub, so RTMP/FLV/HLS players of a WHIP stream hear it with the AAC
 * decoders every player has: the FLV AAC sequence header (the encoder's
 * AudioSpecificConfig, ISO/IEC 14496-3 1.6.2.1) before the first frame, then
 * one raw 1024-sample access unit per message, timed on the Opus timeline
 * minus the encoder's delay. Undecodable packets are dropped and counted.
 */
export class OpusToAac {
  readonly stats: BridgeStats = emptyBridgeStats();
  private transcoder: AudioTranscoder | undefined;
  private headerSent = false;
  private readonly channels: 1 | 2;

  constructor(channels: 1 | 2 = 2) {
    this.channels = channels;
  }

  /**
   * An enhanced-RTMP Opus body (what RtpToHub makes of WebRTC audio): frames
   * are transcoded, the OpusHead sequence header is not needed (WebRTC Opus
   * has no pre-skip to apply), anything else is dropped and counted.
   */
  pushFlv(body: Uint8Array, timestampMs: number): AacOut[] {
    let a;
    try {
      a = decodeAudioData(body);
    } catch (error) {
      if (!(error instanceof ProtocolError)) throw error;
      this.stats.droppedFrames++;
      return [];
    }
    if (a.codec === 'opus' && a.packetType === 'sequence-header') return [];
    if (a.codec !== 'opus' || a.packetType !== 'frame') {
      this.stats.droppedFrames++;
      return [];
    }
    return this.push(a.data, timestampMs);
  }

  push(opusPacket: Uint8Array, timestampMs: number): AacOut[] {
    if (opusPacket.length === 0) return [];
    const t = this.codec();
    if (t === undefined) {
      this.stats.droppedFrames++;
      return [];
    }
    this.stats.inFrames++;
    let packets;
    try {
      packets = t.push(opusPacket, timestampMs);
    } catch {
      this.stats.droppedFrames++;
      return [];
    }
    const out: AacOut[] = [];
    for (const p of packets) {
      const timestamp = Math.max(0, Math.round((p.pts * 1000) / AAC_RATE));
      if (!this.headerSent) {
        this.headerSent = true;
        out.push({ timestamp, payload: aacSequenceHeaderBody(t.extraData), sequenceHeader: true });
      }
      out.push({ timestamp, payload: aacFrameBody(p.data), sequenceHeader: false });
      this.stats.outFrames++;
    }
    return out;
  }

  /** Frees the codec (native memory). */
  close(): void {
    this.transcoder?.close();
    this.transcoder = undefined;
  }

  private codec(): AudioTranscoder | undefined {
    if (this.transcoder !== undefined || this.stats.badConfigs > 0) return this.transcoder;
    try {
      this.transcoder = new AudioTranscoder({
        decoder: { id: AV_CODEC_ID_OPUS, sampleRate: 48_000, channels: this.channels },
        encoder: { name: FF_ENCODER_AAC, sampleFormat: AV_SAMPLE_FMT_FLTP, sampleRate: AAC_RATE, bitRate: AAC_BITRATE },
      });
      this.stats.restarts++;
    } catch {
      this.stats.badConfigs++;
    }
    return this.transcoder;
  }
}
