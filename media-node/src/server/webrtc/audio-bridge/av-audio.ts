import { AudioFifo, Codec, CodecContext, Frame, Log, Packet, SoftwareResampleContext } from 'node-av/lib';
import { AVERROR_EAGAIN, AVERROR_EOF, AV_LOG_FATAL, AV_CHANNEL_LAYOUT_MONO, AV_CHANNEL_LAYOUT_STEREO, AV_CODEC_FLAG_GLOBAL_HEADER } from 'node-av/constants';
import type { AVCodecID, AVSampleFormat, FFDecoderCodec, FFEncoderCodec } from 'node-av/constants';

// FFmpeg logs every undecodable frame on stderr; the bridges count them instead (BridgeStats).
Log.setLevel(AV_LOG_FATAL);

/** One encoded audio packet out of the transcoder, timed on the output sample clock. */
export interface EncodedAudio {
  readonly data: Uint8Array;
  /** Presentation time in output samples (encoder delay already subtracted by FFmpeg: packet pts = input pts - delay). */
  readonly pts: number;
  /** Duration in output samples. */
  readonly duration: number;
}

export interface AudioTranscoderSpec {
  readonly decoder: { readonly id: AVCodecID; readonly name?: FFDecoderCodec; readonly extraData?: Uint8Array; readonly sampleRate: number; readonly channels: number };
  readonly encoder: {
    readonly name: FFEncoderCodec;
    readonly sampleFormat: AVSampleFormat;
    readonly sampleRate: number;
    readonly bitRate: number;
    /** Encoder options (AVOptions), e.g. libopus `application`. */
    readonly options?: Record<string, string>;
  };
}

/**
 * An input timestamp further than this from where the sample count says the
 * stream is re-anchors the output clock (a pause, DTX, a gap, the RTCP SR
 * re-anchoring of a WHIP track). Below it the sample count is the truth:
 * FLV's millisecond timestamps of 1024-sample AAC frames jitter by 1 ms.
 * 60 ms stays under the lip-sync error viewers notice (ITU-R BT.1359-1:
 * detectable from 45 ms audio early / 125 ms late).
 */
const RESYNC_THRESHOLD_MS = 60;

/**
 * Samples the FIFO may hold before the oldest are discarded. Decoded audio is
 * drained into the encoder on every push, so more than a second of backlog
 * means the encoder refused input: bound it rather than grow.
 */
const MAX_FIFO_SAMPLES = 48_000;

/**
 * decode -> resample (stereo, encoder's rate and format) -> fixed-size frames
 * (AudioFifo, the encoder's frame_size) -> encode, all synchronous through
 * node-av's bindings of libavcodec/libswresample (FFmpeg in-process, no child
 * process). Timestamps: the first decoded frame anchors the output sample
 * clock at its input time; after that every output frame is placed by sample
 * count (re-anchored past RESYNC_THRESHOLD_MS), and FFmpeg subtracts the
 * encoder's delay (initial_padding) from packet pts, so output pts are the
 * input's timeline. `close()` frees every native object; the object is
 * unusable after it.
 */
export class AudioTranscoder {
  /** The encoder's global header (AudioSpecificConfig for aac, OpusHead for libopus), after open. */
  readonly extraData: Uint8Array;
  readonly frameSize: number;
  readonly outRate: number;
  private readonly dec: CodecContext;
  private readonly enc: CodecContext;
  private readonly fifo: AudioFifo;
  private readonly packet = new Packet();
  private readonly decoded = new Frame();
  private readonly outPacket = new Packet();
  private resampler: SoftwareResampleContext | undefined;
  private resampleKey = '';
  private resampled = new Frame();
  /** Output-sample pts of the FIFO's first sample; undefined until the first decoded frame. */
  private fifoPts: number | undefined;
  private closed = false;

  constructor(spec: AudioTranscoderSpec) {
    const d = spec.decoder;
    const decCodec = d.name === undefined ? Codec.findDecoder(d.id) : Codec.findDecoderByName(d.name);
    const encCodec = Codec.findEncoderByName(spec.encoder.name);
    if (decCodec === null || encCodec === null) throw new Error(`node-av: codec missing (${d.name ?? d.id} / ${spec.encoder.name})`);
    this.dec = new CodecContext();
    this.enc = new CodecContext();
    this.fifo = new AudioFifo();
    this.packet.alloc();
    this.outPacket.alloc();
    this.decoded.alloc();
    this.resampled.alloc();
    try {
      this.dec.allocContext3(decCodec);
      this.dec.sampleRate = d.sampleRate;
      this.dec.channelLayout = d.channels === 1 ? AV_CHANNEL_LAYOUT_MONO : AV_CHANNEL_LAYOUT_STEREO;
      if (d.extraData !== undefined) this.dec.extraData = Buffer.from(d.extraData);
      check(this.dec.open2Sync(decCodec), 'decoder open');

      const e = spec.encoder;
      this.enc.allocContext3(encCodec);
      this.enc.sampleRate = e.sampleRate;
      this.enc.sampleFormat = e.sampleFormat;
      this.enc.channelLayout = AV_CHANNEL_LAYOUT_STEREO;
      this.enc.bitRate = BigInt(e.bitRate);
      this.enc.timeBase = { num: 1, den: e.sampleRate } as CodecContext['timeBase'];
      this.enc.setFlags(AV_CODEC_FLAG_GLOBAL_HEADER);
      // Private options through av_opt_set (not an AVDictionary: node-av 6.1.1's Dictionary wrapper
      // crashes at exit after open2 has consumed it).
      for (const [k, v] of Object.entries(e.options ?? {})) check(this.enc.setOption(k, v), `encoder option ${k}`);
      check(this.enc.open2Sync(encCodec), 'encoder open');
      this.frameSize = this.enc.frameSize;
      this.outRate = e.sampleRate;
      this.extraData = new Uint8Array(this.enc.extraData ?? new Uint8Array(0));
      this.fifo.alloc(e.sampleFormat, 2, this.frameSize * 4);
    } catch (error) {
      this.close();
      throw error;
    }
  }

  /**
   * One compressed input frame at `ptsMs` (input timeline, milliseconds).
   * Returns the packets the encoder completed (possibly none: it has a
   * delay). A frame the decoder rejects throws an Error; the caller drops
   * and counts it (decoder state stays usable).
   */
  push(data: Uint8Array, ptsMs: number): EncodedAudio[] {
    if (this.closed) return [];
    this.packet.data = Buffer.from(data.buffer, data.byteOffset, data.byteLength);
    check(this.dec.sendPacketSync(this.packet), 'decode');
    const out: EncodedAudio[] = [];
    for (;;) {
      const r = this.dec.receiveFrameSync(this.decoded);
      if (r === AVERROR_EAGAIN || r === AVERROR_EOF) break;
      check(r, 'decode');
      this.resample(this.decoded, ptsMs);
      this.decoded.unref();
      this.drain(out);
    }
    return out;
  }

  /** Frees decoder, resampler, FIFO, encoder and frames. Idempotent. */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.dec.freeContext();
    this.enc.freeContext();
    this.resampler?.free();
    this.fifo.free();
    this.packet.free();
    this.outPacket.free();
    this.decoded.free();
    this.resampled.free();
  }

  private resample(frame: Frame, ptsMs: number): void {
    const layout = frame.channelLayout;
    const key = `${frame.format}/${frame.sampleRate}/${layout.nbChannels}/${layout.mask}`;
    if (this.resampler === undefined || key !== this.resampleKey) {
      this.resampler?.free();
      const swr = new SoftwareResampleContext();
      check(swr.allocSetOpts2(AV_CHANNEL_LAYOUT_STEREO, this.enc.sampleFormat, this.outRate, layout, frame.format as AVSampleFormat, frame.sampleRate), 'resampler');
      check(swr.init(), 'resampler init');
      this.resampler = swr;
      this.resampleKey = key;
    }
    const expected = this.fifoPts === undefined ? undefined : this.fifoPts + this.fifo.size;
    const at = Math.round((ptsMs * this.outRate) / 1000);
    if (expected === undefined || Math.abs(at - expected) > (RESYNC_THRESHOLD_MS * this.outRate) / 1000) this.fifoPts = at - this.fifo.size;
    this.resampled.unref();
    this.resampled.sampleRate = this.outRate;
    this.resampled.format = this.enc.sampleFormat;
    this.resampled.channelLayout = AV_CHANNEL_LAYOUT_STEREO;
    check(this.resampler.convertFrame(this.resampled, frame), 'resample');
    const n = this.resampled.nbSamples;
    const planes = this.resampled.data;
    if (n === 0 || planes === null) return;
    if (this.fifo.size + n > MAX_FIFO_SAMPLES) {
      this.fifo.drain(this.fifo.size);
      this.fifoPts = at;
    }
    this.fifo.writeSync(planes, n);
  }

  private drain(out: EncodedAudio[]): void {
    while (this.fifo.size >= this.frameSize && this.fifoPts !== undefined) {
      const f = new Frame();
      try {
        f.alloc();
        f.nbSamples = this.frameSize;
        f.format = this.enc.sampleFormat;
        f.sampleRate = this.outRate;
        f.channelLayout = AV_CHANNEL_LAYOUT_STEREO;
        check(f.allocBuffer(), 'frame');
        const planes = f.data;
        if (planes === null) throw new Error('node-av: frame without data');
        this.fifo.readSync(planes, this.frameSize);
        f.pts = BigInt(this.fifoPts);
        this.fifoPts += this.frameSize;
        check(this.enc.sendFrameSync(f), 'encode');
      } finally {
        f.free();
      }
      for (;;) {
        const r = this.enc.receivePacketSync(this.outPacket);
        if (r === AVERROR_EAGAIN || r === AVERROR_EOF) break;
        check(r, 'encode');
        const data = this.outPacket.data;
        if (data !== null) out.push({ data: new Uint8Array(data), pts: Number(this.outPacket.pts), duration: Number(this.outPacket.duration) });
        this.outPacket.unref();
      }
    }
  }
}

function check(ret: number, what: string): void {
  if (ret < 0) throw new Error(`node-av: ${what} failed (${ret})`);
}
