import type { ConsumerCloseReason, ConsumerListener } from './consumer.ts';
import type { Consumer } from './consumer.ts';
import type { MediaMessage, MediaKind } from './media-message.ts';
import type { PublishHandle } from './source.ts';

/**
 * In-memory stand-ins for tests of the hub and of its consumers (outputs,
 * server wiring): minimal but well-formed FLV tag bodies, a publisher that
 * pushes an A/V stream on a fake timeline, and a listener that records calls.
 */

/** AVC VIDEODATA (FLV spec E.4.3.1): FrameType|CodecID 7, AVCPacketType, CompositionTime 0, body. */
function avc(frameType: number, packetType: number, body: readonly number[]): Uint8Array {
  return Uint8Array.from([(frameType << 4) | 7, packetType, 0, 0, 0, ...body]);
}

/** An AVC NALU tag body of `size` body bytes, all `fill`. */
function avcNalu(frameType: number, size: number, fill: number): Uint8Array {
  const b = new Uint8Array(5 + size).fill(fill);
  b.set([(frameType << 4) | 7, 1, 0, 0, 0]);
  return b;
}

export const flv = {
  /** AVCDecoderConfigurationRecord stand-in; `variant` changes the bytes (a new SPS). */
  avcSequenceHeader: (variant = 0): Uint8Array => avc(1, 0, [1, 0x64, 0, 0x1f, 0xff, variant]),
  /** An IDR access unit of `size` body bytes (AVCPacketType 1 = NALU). */
  avcKeyframe: (size = 16): Uint8Array => avcNalu(1, size, 0x65),
  avcInterframe: (size = 8): Uint8Array => avcNalu(2, size, 0x41),
  /** Enhanced RTMP HEVC SequenceStart ([IsExHeader|FrameType 1|PacketType 0] 'hvc1' ...). */
  hevcSequenceStart: (): Uint8Array => Uint8Array.from([0x90, 0x68, 0x76, 0x63, 0x31, 1, 2, 3]),
  /** Enhanced RTMP HEVC CodedFramesX keyframe. */
  hevcKeyframe: (): Uint8Array => Uint8Array.from([0x93, 0x68, 0x76, 0x63, 0x31, 0x26, 0x01]),
  /** AAC AUDIODATA (FLV spec E.4.2.1): SoundFormat 10, 44 kHz, 16-bit, stereo; AACPacketType 0. */
  aacSequenceHeader: (): Uint8Array => Uint8Array.from([0xaf, 0, 0x12, 0x10]),
  aacFrame: (size = 6): Uint8Array => Uint8Array.from([0xaf, 1, ...new Array<number>(size).fill(0x21)]),
  /** `@setDataFrame` + `onMetaData` + an empty ECMA array, as ffmpeg/OBS publish it. */
  setDataFrameMetadata: (): Uint8Array =>
    Uint8Array.from([
      0x02, 0, 13, ...[...'@setDataFrame'].map((c) => c.charCodeAt(0)),
      0x02, 0, 10, ...[...'onMetaData'].map((c) => c.charCodeAt(0)),
      0x08, 0, 0, 0, 0, 0, 0, 9,
    ]),
};

/**
 * Pushes a 25 fps video + ~43 fps AAC stream in timestamp order, GOPs of
 * `gopFrames` video frames, on raw timestamps starting at `startTs`
 * (`video: false` for an audio-only stream on the same clock).
 */
export class FakePublisher {
  readonly handle: PublishHandle;
  readonly gopFrames: number;
  /** Every message the source accepted, in order (only with `record: true`). */
  readonly pushed: MediaMessage[] = [];
  private videoIndex = 0;
  private audioIndex = 0;
  private readonly startTs: number;
  private readonly record: boolean;
  private readonly video: boolean;

  constructor(
    handle: PublishHandle,
    options: { gopFrames?: number; startTs?: number; record?: boolean; video?: boolean } = {},
  ) {
    this.handle = handle;
    this.gopFrames = options.gopFrames ?? 50;
    this.startTs = options.startTs ?? 0;
    this.record = options.record ?? false;
    this.video = options.video ?? true;
  }

  push(kind: MediaKind, timestamp: number, payload: Uint8Array): void {
    const m = this.handle.push(kind, timestamp, payload);
    if (m !== null && this.record) this.pushed.push(m);
  }

  /** Metadata and both sequence headers, at the start timestamp. */
  start(): void {
    this.push('data', this.startTs, flv.setDataFrameMetadata());
    if (this.video) this.push('video', this.startTs, flv.avcSequenceHeader());
    this.push('audio', this.startTs, flv.aacSequenceHeader());
  }

  /** Push frames until the media clock reaches `ms` past the start (interleaved by timestamp). */
  runFor(ms: number): void {
    const end = this.videoTs() + ms;
    while (this.videoTs() < end) {
      while (this.audioTs() <= this.videoTs()) {
        this.push('audio', this.audioTs(), flv.aacFrame());
        this.audioIndex++;
      }
      const key = this.videoIndex % this.gopFrames === 0;
      if (this.video) this.push('video', this.videoTs(), key ? flv.avcKeyframe() : flv.avcInterframe());
      this.videoIndex++;
    }
  }

  private videoTs(): number {
    return this.startTs + this.videoIndex * 40;
  }

  private audioTs(): number {
    // 1024 samples at 44.1 kHz = 23.2 ms
    return this.startTs + Math.floor((this.audioIndex * 1024 * 1000) / 44100);
  }
}

/** A ConsumerListener that records what happened, in order. */
export class RecordingListener implements ConsumerListener {
  readonly events: string[] = [];
  readable = 0;
  closeReason: ConsumerCloseReason | null = null;

  onReadable(_c: Consumer): void {
    this.readable++;
    this.events.push('readable');
  }

  onUnpublish(_c: Consumer): void {
    this.events.push('unpublish');
  }

  onPublish(_c: Consumer): void {
    this.events.push('publish');
  }

  onClose(_c: Consumer, reason: ConsumerCloseReason): void {
    this.closeReason = reason;
    this.events.push(`close:${reason}`);
  }
}
