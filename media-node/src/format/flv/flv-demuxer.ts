import { ProtocolError } from '@runnel/shared';
import { ByteQueue } from './byte-queue.ts';
import { decodeFlvHeader, FLV_HEADER_BYTES, FLV_SIGNATURE, type FlvHeader } from './flv-header.ts';
import {
  decodeFlvTagHeader,
  FLV_PREVIOUS_TAG_SIZE_BYTES,
  FLV_TAG_HEADER_BYTES,
  type FlvTagType,
} from './tag-header.ts';

/**
 * Largest tag body the demuxer accepts by default. A 4K HEVC keyframe at
 * 50 Mbit/s is 2-3 MB; 8 MiB leaves headroom while a stream of garbage
 * claiming 16 MiB tags cannot make one reader buffer more than this before
 * its PreviousTagSize check fails.
 */
export const MAX_TAG_BYTES = 8 * 1024 * 1024;

export interface FlvTag {
  readonly type: FlvTagType;
  /** Milliseconds, 32-bit unsigned. */
  readonly timestamp: number;
  /** The tag body (AUDIODATA / VIDEODATA / SCRIPTDATA); aliases the pushed bytes when it fits one chunk. */
  readonly body: Uint8Array;
}

export interface FlvDemuxerOptions {
  /** Expect the 9-byte FLV header + PreviousTagSize0 first (default true); false for a bare tag sequence. */
  readonly header?: boolean;
  /** Per-tag body limit (default MAX_TAG_BYTES). */
  readonly maxTagBytes?: number;
}

/**
 * A sans-IO streaming FLV reader: `push(bytes)` returns the tags completed so
 * far. Malformed input (bad signature, unknown tag type, oversize tag,
 * PreviousTagSize that does not match) throws a ProtocolError, after which
 * every further push throws it again: FLV has no resync marker, so the
 * stream cannot be trusted past the first bad byte.
 *
 * @example
 * const demux = new FlvDemuxer();
 * for await (const chunk of res.body) for (const tag of demux.push(chunk)) handle(tag);
 */
export class FlvDemuxer {
  header: FlvHeader | undefined;
  private readonly queue = new ByteQueue();
  private readonly maxTagBytes: number;
  private stage: 'header' | 'tags';
  private failed: ProtocolError | undefined;

  constructor(opts: FlvDemuxerOptions = {}) {
    this.stage = opts.header === false ? 'tags' : 'header';
    this.maxTagBytes = opts.maxTagBytes ?? MAX_TAG_BYTES;
  }

  /** Bytes received but not yet part of a complete tag. */
  get buffered(): number {
    return this.queue.length;
  }

  push(bytes: Uint8Array): FlvTag[] {
    if (this.failed) throw this.failed;
    this.queue.push(bytes);
    try {
      return this.drain();
    } catch (e) {
      if (e instanceof ProtocolError) this.failed = e;
      throw e;
    }
  }

  private drain(): FlvTag[] {
    const tags: FlvTag[] = [];
    const q = this.queue;
    if (this.stage === 'header') {
      if (q.length < FLV_HEADER_BYTES) {
        this.checkSignaturePrefix();
        return tags;
      }
      const header = decodeFlvHeader(q.peek(FLV_HEADER_BYTES));
      const need = header.dataOffset + FLV_PREVIOUS_TAG_SIZE_BYTES;
      if (q.length < need) return tags;
      const prev0 = readU32(q.peek(need), header.dataOffset);
      if (prev0 !== 0) throw new ProtocolError('flv_bad_previous_tag_size', `PreviousTagSize0 is ${prev0}, must be 0`);
      q.skip(need);
      this.header = header;
      this.stage = 'tags';
    }
    while (q.length >= FLV_TAG_HEADER_BYTES) {
      const h = decodeFlvTagHeader(q.peek(FLV_TAG_HEADER_BYTES));
      if (h.dataSize > this.maxTagBytes) {
        throw new ProtocolError('flv_tag_too_large', `FLV tag of ${h.dataSize} bytes exceeds ${this.maxTagBytes}`);
      }
      const total = FLV_TAG_HEADER_BYTES + h.dataSize + FLV_PREVIOUS_TAG_SIZE_BYTES;
      if (q.length < total) break;
      q.skip(FLV_TAG_HEADER_BYTES);
      const body = q.take(h.dataSize);
      const prev = readU32(q.take(FLV_PREVIOUS_TAG_SIZE_BYTES), 0);
      if (prev !== FLV_TAG_HEADER_BYTES + h.dataSize) {
        throw new ProtocolError(
          'flv_bad_previous_tag_size',
          `PreviousTagSize ${prev} after a ${h.dataSize}-byte tag, expected ${FLV_TAG_HEADER_BYTES + h.dataSize}`,
        );
      }
      tags.push({ type: h.type, timestamp: h.timestamp, body });
    }
    return tags;
  }

  /** Rejects a non-FLV stream on its first bytes instead of waiting for nine. */
  private checkSignaturePrefix(): void {
    for (let i = 0; i < Math.min(this.queue.length, FLV_SIGNATURE.length); i++) {
      if (this.queue.at(i) !== FLV_SIGNATURE[i]) {
        throw new ProtocolError('flv_bad_signature', 'not an FLV stream (signature is not "FLV")');
      }
    }
  }
}

function readU32(b: Uint8Array, off: number): number {
  return ((b[off]! << 24) | (b[off + 1]! << 16) | (b[off + 2]! << 8) | b[off + 3]!) >>> 0;
}
