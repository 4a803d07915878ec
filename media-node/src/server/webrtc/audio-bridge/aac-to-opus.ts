import { ProtocolError } from '@runnel/shared';
import { AV_CODEC_ID_AAC, AV_SAMPLE_FMT_FLT, FF_ENCODER_LIBOPUS } from 'node-av/constants';
import { aacChannelCount } from '../../../codec/aac/tables.ts';
import { decodeAsc } from '../../../codec/aac/audio-specific-config.ts';
import { decodeAudioData, opusFrameBody, opusSequenceHeaderBody } from '../../../format/flv/audio-data.ts';
import { mediaMessage } from '../../../hub/media-message.ts';
import type { MediaMessage } from '../../../hub/media-message.ts';
import { AudioTranscoder } from './av-audio.ts';
import type { BridgeStats } from './bridge-stats.ts';
import { emptyBridgeStats } from './bridge-stats.ts';

/** WebRTC Opus: 48 kHz (RFC 7587 4.1), stereo, 20 ms frames (libopus's default frame_size 960). */
export const OPUS_RATE = 48_000;
/** 96 kbit/s: transparent stereo music for Opus (RFC 7587 3.1.1 lists 64-128 for fullband stereo). */
export const OPUS_BITRATE = 96_000;

/**
 * Hub AAC (FLV AUDIODATA, any rate/channel layout the AudioSpecificConfig
 * names) -> enhanced-RTMP Opus hub messages for WebRTC players: an OpusHead
 * sequence header from the encoder's extradata, then one message per 20 ms
 * Opus packet timed on the AAC timeline (the encoder's pre-skip subtracted
 * by FFmpeg, so audio stays in step with the video of the same source).
 * A new AudioSpecificConfig (codec switch, republish) restarts the codec.
 * Malformed or undecodable frames are dropped and counted, never thrown.
 */
export class AacToOpus {
  readonly stats: BridgeStats = emptyBridgeStats();
  private transcoder: AudioTranscoder | undefined;
  private asc: Uint8Array | undefined;
  private headerSent = false;

  push(msg: MediaMessage): MediaMessage[] {
    if (msg.kind !== 'audio' || msg.payload.length === 0) return [];
    let a;
    try {
      a = decodeAudioData(msg.payload);
    } catch (error) {
      if (!(error instanceof ProtocolError)) throw error;
      this.stats.droppedFrames++;
      return [];
    }
    if (a.codec !== 'aac') return [];
    if (a.packetType === 'sequence-header') {
      this.configure(a.data);
      return [];
    }
    if (a.packetType !== 'frame') return [];
    const t = this.transcoder;
    if (t === undefined) {
      this.stats.droppedFrames++;
      return [];
    }
    this.stats.inFrames++;
    let packets;
    try {
      packets = t.push(a.data, msg.timestamp);
    } catch {
      this.stats.droppedFrames++;
      return [];
    }
    const out: MediaMessage[] = [];
    for (const p of packets) {
      const ts = Math.max(0, Math.round((p.pts * 1000) / OPUS_RATE));
      if (!this.headerSent) {
        this.headerSent = true;
        out.push(mediaMessage('audio', ts, opusSequenceHeaderBody(t.extraData), { sequenceHeader: true }));
      }
      out.push(mediaMessage('audio', ts, opusFrameBody(p.data)));
      this.stats.outFrames++;
    }
    return out;
  }

  /** Frees the codec (native memory). */
  close(): void {
    this.transcoder?.close();
    this.transcoder = undefined;
  }

  private configure(ascBytes: Uint8Array): void {
    if (this.asc !== undefined && sameBytes(this.asc, ascBytes)) return;
    this.close();
    this.asc = ascBytes.slice();
    try {
      const asc = decodeAsc(ascBytes);
      this.transcoder = new AudioTranscoder({
        decoder: { id: AV_CODEC_ID_AAC, extraData: ascBytes, sampleRate: asc.sbr?.sampleRate ?? asc.sampleRate, channels: aacChannelCount(asc.channelConfiguration) },
        encoder: { name: FF_ENCODER_LIBOPUS, sampleFormat: AV_SAMPLE_FMT_FLT, sampleRate: OPUS_RATE, bitRate: OPUS_BITRATE, options: { application: 'audio' } },
      });
      this.stats.restarts++;
    } catch {
      this.stats.badConfigs++;
    }
  }
}

function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  return a.length === b.length && a.every((x, i) => x === b[i]);
}
