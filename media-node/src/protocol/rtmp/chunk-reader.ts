import { ProtocolError } from '@runnel/shared';
import { CSID, MSG, type RtmpMessage } from './message.ts';
import {
  EXTENDED_TIMESTAMP,
  MAX_CHUNK_HEADER_BYTES,
  MESSAGE_HEADER_BYTES,
  decodeBasicHeader,
} from './chunk-header.ts';
import {
  MAX_CHUNK_STREAMS,
  MAX_MESSAGE_BYTES,
  MAX_REASSEMBLY_BYTES,
  MIN_CHUNK_SIZE,
  PREALLOCATE_MESSAGE_BYTES,
} from './limits.ts';
import { decodeSetChunkSize } from './messages/set-chunk-size.ts';
import { decodeAbort } from './messages/abort.ts';

export interface ChunkReaderLimits {
  readonly maxMessageBytes: number;
  readonly maxChunkStreams: number;
  readonly maxReassemblyBytes: number;
  readonly preallocateBytes: number;
}

export const DEFAULT_CHUNK_READER_LIMITS: ChunkReaderLimits = {
  maxMessageBytes: MAX_MESSAGE_BYTES,
  maxChunkStreams: MAX_CHUNK_STREAMS,
  maxReassemblyBytes: MAX_REASSEMBLY_BYTES,
  preallocateBytes: PREALLOCATE_MESSAGE_BYTES,
};

/** Per chunk stream (cid) header state, Adobe RTMP spec 5.3.1.2. */
interface ChunkStream {
  readonly csid: number;
  /** Timestamp of the last message started on this cid. */
  timestamp: number;
  /** The last timestamp field: absolute after fmt 0, a delta after fmt 1/2; reused by fmt 3. */
  delta: number;
  length: number;
  typeId: number;
  streamId: number;
  /** The last fmt 0/1/2 header carried 0xFFFFFF, so fmt 3 chunks carry an extended timestamp too. */
  extended: boolean;
  /** The last extended timestamp read here (what a fmt 3 continuation repeats). */
  extValue: number;
  /** The message being reassembled, or null between messages. */
  buf: Uint8Array | null;
  received: number;
}

const EMPTY = new Uint8Array(0);

/**
 * Chunk stream reader, Adobe RTMP spec 5.3: bytes in (any split), whole
 * messages out. Sans-IO and bounded: every length is checked against
 * `ChunkReaderLimits` before anything is allocated, and malformed input throws
 * `ProtocolError` (after which the reader must be discarded).
 *
 * Set Chunk Size (type 1) and Abort (type 2) act on this layer, so the reader
 * applies them itself, in stream order (a size change between two chunks of a
 * large message applies to the remaining chunks, bad-inputs row 7), and does
 * not return them.
 *
 * @example
 * const reader = new ChunkReader();
 * for (const msg of reader.push(bytesFromSocket)) handle(msg);
 */
export class ChunkReader {
  private readonly limits: ChunkReaderLimits;
  private readonly streams = new Map<number, ChunkStream>();
  private size = MIN_CHUNK_SIZE;
  /** Header bytes of an incomplete chunk header (at most MAX_CHUNK_HEADER_BYTES - 1). */
  private stash: Uint8Array = EMPTY;
  /** The chunk whose data we are reading, and how many of its bytes are still due. */
  private current: ChunkStream | null = null;
  private chunkLeft = 0;
  private reassemblyBytes = 0;

  constructor(limits: Partial<ChunkReaderLimits> = {}) {
    this.limits = { ...DEFAULT_CHUNK_READER_LIMITS, ...limits };
  }

  /** The peer's chunk size (128 until it sends Set Chunk Size). */
  get chunkSize(): number {
    return this.size;
  }

  /** Bytes currently held in partially received messages. */
  get bufferedBytes(): number {
    return this.reassemblyBytes;
  }

  /**
   * Drops every partially received message (the connection is over): a
   * closed session holds no reassembly memory while the server layer still
   * holds the session. The reader must not be used afterwards.
   */
  discard(): void {
    this.streams.clear();
    this.stash = EMPTY;
    this.current = null;
    this.chunkLeft = 0;
    this.reassemblyBytes = 0;
  }

  /** Consumes `input` (copied where kept) and returns the messages it completed, in order. */
  push(input: Uint8Array): RtmpMessage[] {
    const out: RtmpMessage[] = [];
    let off = 0;
    for (;;) {
      const cs = this.current;
      if (cs) {
        const n = Math.min(this.chunkLeft, input.length - off);
        if (n > 0) {
          this.append(cs, input, off, n);
          off += n;
          this.chunkLeft -= n;
        }
        if (this.chunkLeft > 0) break;
        this.current = null;
        if (cs.received === cs.length) this.complete(cs, out);
        continue;
      }
      if (off >= input.length) break;
      const stashed = this.stash.length;
      const src = stashed > 0 ? joinHeaderBytes(this.stash, input.subarray(off, off + MAX_CHUNK_HEADER_BYTES)) : input;
      const start = stashed > 0 ? 0 : off;
      const used = this.readHeader(src, start);
      if (used < 0) {
        // A header never needs more than MAX_CHUNK_HEADER_BYTES, so everything left fits in the stash.
        this.stash = src.slice(start);
        break;
      }
      this.stash = EMPTY;
      if (used >= stashed) {
        off += used - stashed;
      } else {
        // The header was shorter than the stash (a fmt 3 continuation without a
        // repeated extended timestamp): the rest of the stash is chunk data.
        for (const m of this.push(src.subarray(used, stashed))) out.push(m);
      }
    }
    return out;
  }

  /** Parses one chunk header at `p0`; returns its size, or -1 if `src` ends first (no state changed). */
  private readHeader(src: Uint8Array, p0: number): number {
    const basic = decodeBasicHeader(src, p0);
    if (!basic) return -1;
    const { fmt, csid } = basic;
    let p = p0 + basic.size;
    if (src.length - p < MESSAGE_HEADER_BYTES[fmt]) return -1;

    const known = this.streams.get(csid);
    const inProgress = known !== undefined && known.buf !== null;
    if (!known && fmt !== 0 && !(fmt === 1 && csid === CSID.protocolControl)) {
      // SRS ERROR_RTMP_CHUNK_START; librtmp opens cid 2 with fmt 1 for pings (SRS #98), bad-inputs row 11
      throw new ProtocolError('chunk_start_not_fmt0', `first chunk on cid ${csid} has fmt ${fmt}`);
    }
    if (inProgress && fmt === 0) {
      throw new ProtocolError('chunk_fmt0_mid_message', `fmt 0 on cid ${csid} whose message is half received`);
    }

    let field = 0;
    let length = known?.length ?? 0;
    let typeId = known?.typeId ?? 0;
    let streamId = known?.streamId ?? 0;
    if (fmt <= 2) {
      field = (src[p]! << 16) | (src[p + 1]! << 8) | src[p + 2]!;
      p += 3;
    }
    if (fmt <= 1) {
      length = (src[p]! << 16) | (src[p + 1]! << 8) | src[p + 2]!;
      typeId = src[p + 3]!;
      p += 4;
    }
    if (fmt === 0) {
      // message stream id is little-endian, Adobe RTMP spec 5.3.1.2.1
      streamId = (src[p]! | (src[p + 1]! << 8) | (src[p + 2]! << 16) | (src[p + 3]! << 24)) >>> 0;
      p += 4;
    }

    const extended = fmt <= 2 ? field === EXTENDED_TIMESTAMP : known!.extended;
    let ext = -1;
    if (extended) {
      if (src.length - p < 4) return -1;
      const v = ((src[p]! << 24) | (src[p + 1]! << 16) | (src[p + 2]! << 8) | src[p + 3]!) >>> 0;
      if (fmt === 3 && inProgress) {
        // Continuation chunk: Flash, librtmp and ffmpeg repeat the extended
        // timestamp here, some encoders do not (OBS #10097). Like SRS, take the
        // 4 bytes as a timestamp only if they repeat the one we read; otherwise
        // they are payload (bad-inputs row 14).
        if (v === known!.extValue) p += 4;
      } else {
        ext = v;
        p += 4;
      }
    }

    let cs = known;
    if (!cs) {
      if (this.streams.size >= this.limits.maxChunkStreams) {
        throw new ProtocolError('too_many_chunk_streams', `more than ${this.limits.maxChunkStreams} chunk streams`);
      }
      cs = { csid, timestamp: 0, delta: 0, length: 0, typeId: 0, streamId: 0, extended: false, extValue: 0, buf: null, received: 0 };
      this.streams.set(csid, cs);
    }

    if (inProgress) {
      // Continuations are fmt 3 (spec 5.3.1.2.4); tolerate fmt 1/2 that restate
      // the header, keep the message's first timestamp, refuse a new length (row 13).
      if (fmt === 1 && (length !== cs.length || typeId !== cs.typeId)) {
        throw new ProtocolError('chunk_length_changed', `cid ${csid} changed message length/type mid-message`);
      }
      if (ext >= 0) cs.extValue = ext;
    } else {
      if (fmt <= 2) {
        cs.delta = extended ? ext : field;
        cs.extended = extended;
      } else if (extended) {
        cs.delta = ext;
      }
      if (extended) cs.extValue = ext;
      // fmt 0 is absolute; fmt 1/2/3 add a delta; RTMP time wraps at 2^32 (spec 5.3.1.2.1)
      cs.timestamp = fmt === 0 ? cs.delta : (cs.timestamp + cs.delta) >>> 0;
      cs.length = length;
      cs.typeId = typeId;
      cs.streamId = streamId;
      this.startMessage(cs);
    }
    this.current = cs;
    this.chunkLeft = Math.min(this.size, cs.length - cs.received);
    return p - p0;
  }

  private startMessage(cs: ChunkStream): void {
    if (cs.length > this.limits.maxMessageBytes) {
      // checked before allocating (bad-inputs row 8)
      throw new ProtocolError('message_too_large', `message of ${cs.length} bytes on cid ${cs.csid} exceeds ${this.limits.maxMessageBytes}`);
    }
    const capacity = Math.min(cs.length, this.limits.preallocateBytes);
    this.reserve(capacity);
    cs.buf = capacity === 0 ? EMPTY : new Uint8Array(capacity);
    cs.received = 0;
  }

  private reserve(bytes: number): void {
    if (this.reassemblyBytes + bytes > this.limits.maxReassemblyBytes) {
      throw new ProtocolError('reassembly_limit', `more than ${this.limits.maxReassemblyBytes} bytes in partial messages`);
    }
    this.reassemblyBytes += bytes;
  }

  private append(cs: ChunkStream, src: Uint8Array, off: number, n: number): void {
    let buf = cs.buf!;
    if (cs.received + n > buf.length) {
      // grow towards the announced length only as bytes arrive
      const capacity = Math.min(cs.length, Math.max(buf.length * 2, cs.received + n));
      this.reserve(capacity - buf.length);
      const grown = new Uint8Array(capacity);
      grown.set(buf.subarray(0, cs.received));
      buf = grown;
      cs.buf = grown;
    }
    buf.set(src.subarray(off, off + n), cs.received);
    cs.received += n;
  }

  private release(cs: ChunkStream): void {
    this.reassemblyBytes -= cs.buf!.length;
    cs.buf = null;
    cs.received = 0;
  }

  private complete(cs: ChunkStream, out: RtmpMessage[]): void {
    const payload = cs.buf!;
    this.release(cs);
    const msg: RtmpMessage = { csid: cs.csid, timestamp: cs.timestamp, typeId: cs.typeId, streamId: cs.streamId, payload };
    if (msg.typeId === MSG.setChunkSize) {
      this.size = decodeSetChunkSize(payload);
    } else if (msg.typeId === MSG.abort) {
      // Adobe RTMP spec 5.4.2; an unknown or idle cid is ignored (bad-inputs row 17)
      const target = this.streams.get(decodeAbort(payload));
      if (target && target.buf) this.release(target);
    } else {
      out.push(msg);
    }
  }
}

function joinHeaderBytes(a: Uint8Array, b: Uint8Array): Uint8Array {
  const out = new Uint8Array(a.length + b.length);
  out.set(a);
  out.set(b, a.length);
  return out;
}
