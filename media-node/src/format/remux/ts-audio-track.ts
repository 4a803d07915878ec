import { adtsToAsc, splitAdts } from '../../codec/aac/adts.ts';
import { encodeAsc } from '../../codec/aac/audio-specific-config.ts';
import { encodeOpusHead, makeOpusHead } from '../../codec/opus/opus-head.ts';
import { OPUS_SAMPLE_RATE, opusPacketSamples } from '../../codec/opus/toc.ts';
import { decodeOpusAccessUnits } from '../mpegts/opus-access-unit.ts';
import { aacFrameBody, aacSequenceHeaderBody, opusFrameBody, opusSequenceHeaderBody } from '../flv/audio-data.ts';

/** One FLV audio message of a PES: `offset90k` (90 kHz ticks) after the PES's PTS. */
export interface FlvAudioOut {
  readonly offset90k: number;
  readonly body: Uint8Array;
  readonly sequenceHeader: boolean;
}

/** Samples per AAC frame (one raw_data_block; ISO/IEC 14496-3 4.5.2.1, frameLengthFlag 0). */
const AAC_FRAME_SAMPLES = 1024;

/**
 * One AAC (ADTS) or Opus elementary stream from MPEG-TS turned into FLV
 * AUDIODATA: a PES carries several frames, each becomes a message of its own
 * with its time inside the PES (1024 samples per AAC frame, the TOC's
 * duration per Opus packet); a sequence header goes first, and again when
 * the configuration changes (AAC: the AudioSpecificConfig the ADTS header
 * implies; Opus: the channel count from the PMT's opus_audio_descriptor).
 * ADTS garbage is skipped (resync) and counted by the caller through
 * `skippedBytes`; malformed Opus framing throws ProtocolError.
 */
export class TsAudioTrack {
  readonly codec: 'aac' | 'opus';
  /** ADTS bytes skipped to regain sync. */
  skippedBytes = 0;
  /** The configuration the last sequence header described (a number, compared per frame without allocating); -1 = none. */
  private current = -1;
  private opusChannels: 1 | 2;

  constructor(codec: 'aac' | 'opus', opusChannels: 1 | 2 = 2) {
    this.codec = codec;
    this.opusChannels = opusChannels;
  }

  reset(): void {
    this.current = -1;
  }

  /** The PMT says how many channels the Opus stream has. */
  setOpusChannels(channels: 1 | 2): void {
    if (channels === this.opusChannels) return;
    this.opusChannels = channels;
    this.current = -1;
  }

  pes(data: Uint8Array): FlvAudioOut[] {
    return this.codec === 'aac' ? this.aac(data) : this.opus(data);
  }

  private aac(data: Uint8Array): FlvAudioOut[] {
    const out: FlvAudioOut[] = [];
    const split = splitAdts(data);
    this.skippedBytes += split.skipped + split.rest.length;
    let samples = 0;
    for (const f of split.frames) {
      const offset90k = (samples * 90_000) / f.header.sampleRate;
      const h = f.header;
      const key = (h.objectType << 16) | (h.frequencyIndex << 8) | h.channelConfiguration;
      if (key !== this.current) {
        this.current = key;
        out.push({ offset90k, body: aacSequenceHeaderBody(encodeAsc(adtsToAsc(h))), sequenceHeader: true });
      }
      out.push({ offset90k, body: aacFrameBody(f.payload), sequenceHeader: false });
      samples += AAC_FRAME_SAMPLES * f.header.rawBlocks;
    }
    return out;
  }

  private opus(data: Uint8Array): FlvAudioOut[] {
    const out: FlvAudioOut[] = [];
    let samples = 0;
    for (const unit of decodeOpusAccessUnits(data)) {
      const offset90k = (samples * 90_000) / OPUS_SAMPLE_RATE;
      if (this.current !== this.opusChannels) {
        this.current = this.opusChannels;
        out.push({ offset90k, body: opusSequenceHeaderBody(encodeOpusHead(makeOpusHead(this.opusChannels))), sequenceHeader: true });
      }
      out.push({ offset90k, body: opusFrameBody(unit.packet), sequenceHeader: false });
      samples += opusPacketSamples(unit.packet);
    }
    return out;
  }
}
