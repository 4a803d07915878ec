import { classifyAudio, classifyVideo, FLV_KEYFRAME, FLV_SEQUENCE_HEADER, metadataBody } from '../../hub/flv-classify.ts';
import type { MediaKind } from '../../hub/media-message.ts';

/**
 * Bytes allowed to wait in the publisher's socket before video is shed:
 * ~2.7 s of a 6 Mbit/s stream. A link that holds more than that is not
 * keeping up, and queueing more would only add latency (and memory).
 */
export const DEFAULT_MAX_BUFFERED_BYTES = 2 * 1024 * 1024;

/**
 * Past this multiple of the limit audio and other data go too; only
 * sequence headers and metadata (a few hundred bytes) are still written,
 * so the socket buffer stays under ~2x the limit plus one keyframe.
 */
const HARD_LIMIT_FACTOR = 2;

/** The decoder configuration a remote stream needs before any frame. */
export interface Header {
  readonly kind: MediaKind;
  /** For `data`: the onMetaData SCRIPTDATA body, without `@setDataFrame`. */
  readonly payload: Uint8Array;
}

export interface PublishGateStats {
  /** Frames that passed the gate. */
  readonly sent: number;
  /** Frames offered while not publishing (connecting, disconnected). */
  readonly droppedDisconnected: number;
  /** Video dropped for congestion or while waiting for a keyframe. */
  readonly droppedVideo: number;
  readonly droppedAudio: number;
  readonly droppedData: number;
}

/**
 * What a publisher may write, decided frame by frame (sans-IO):
 *
 * - It remembers the last onMetaData and the last video/audio sequence header
 *   it saw (sent or not), so a new connection can start with them.
 * - While not publishing, frames are dropped (live: stale frames replayed
 *   after a reconnect would only add latency) and counted.
 * - After (re)connecting, video waits for a keyframe: the frames before it
 *   reference pictures the remote never got.
 * - Backpressure: past `maxBufferedBytes` in the socket, video is dropped
 *   until a keyframe arrives with the buffer back under the limit; past twice
 *   the limit audio and other data are dropped too. Headers always pass.
 */
export class PublishGate {
  private readonly maxBuffered: number;
  private metadata: Uint8Array | null = null;
  private videoHeader: Uint8Array | null = null;
  private audioHeader: Uint8Array | null = null;
  private waitKeyframe = true;
  private counts = { sent: 0, droppedDisconnected: 0, droppedVideo: 0, droppedAudio: 0, droppedData: 0 };

  constructor(maxBufferedBytes: number = DEFAULT_MAX_BUFFERED_BYTES) {
    if (!(maxBufferedBytes > 0)) throw new RangeError(`maxBufferedBytes ${maxBufferedBytes} must be > 0`);
    this.maxBuffered = maxBufferedBytes;
  }

  get stats(): PublishGateStats {
    return { ...this.counts };
  }

  /** True while video is held back until the next keyframe. */
  get waitingForKeyframe(): boolean {
    return this.waitKeyframe;
  }

  /**
   * Whether to write this frame now. `live`: the connection is publishing;
   * `buffered`: bytes waiting in its socket.
   */
  admit(kind: MediaKind, payload: Uint8Array, live: boolean, buffered: number): boolean {
    const flags = kind === 'video' ? classifyVideo(payload) : kind === 'audio' ? classifyAudio(payload) : 0;
    const header = this.remember(kind, payload, flags);
    if (!live) {
      this.counts.droppedDisconnected++;
      return false;
    }
    if (header) return this.pass();
    if (buffered > this.maxBuffered * HARD_LIMIT_FACTOR) {
      if (kind === 'video') this.waitKeyframe = true;
      return this.drop(kind);
    }
    if (kind !== 'video') return this.pass();
    if (buffered > this.maxBuffered) {
      this.waitKeyframe = true;
      return this.drop(kind);
    }
    if (this.waitKeyframe) {
      if ((flags & FLV_KEYFRAME) === 0) return this.drop(kind);
      this.waitKeyframe = false;
    }
    return this.pass();
  }

  /**
   * A connection started publishing: the headers to write first (metadata,
   * video, audio), and video waits for a keyframe again.
   */
  restart(): Header[] {
    this.waitKeyframe = true;
    const out: Header[] = [];
    if (this.metadata) out.push({ kind: 'data', payload: this.metadata });
    if (this.videoHeader) out.push({ kind: 'video', payload: this.videoHeader });
    if (this.audioHeader) out.push({ kind: 'audio', payload: this.audioHeader });
    return out;
  }

  /** Keeps decoder configuration; true when this frame is one. */
  private remember(kind: MediaKind, payload: Uint8Array, flags: number): boolean {
    if (kind === 'data') {
      const meta = metadataBody(payload);
      if (meta === null) return false;
      this.metadata = meta;
      return true;
    }
    if ((flags & FLV_SEQUENCE_HEADER) === 0) return false;
    if (kind === 'video') this.videoHeader = payload;
    else this.audioHeader = payload;
    return true;
  }

  private pass(): true {
    this.counts.sent++;
    return true;
  }

  private drop(kind: MediaKind): false {
    if (kind === 'video') this.counts.droppedVideo++;
    else if (kind === 'audio') this.counts.droppedAudio++;
    else this.counts.droppedData++;
    return false;
  }
}
