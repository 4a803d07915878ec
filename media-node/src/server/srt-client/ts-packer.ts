/** ISO/IEC 13818-1 2.4.3.2: every transport packet is 188 bytes and starts with the sync byte 0x47. */
export const TS_PACKET_BYTES = 188;
const TS_SYNC = 0x47;
/** 7 x 188 = 1316: what libsrt's tools, ffmpeg (SRT_LIVE_DEFAULT_PAYLOAD_SIZE) and encoders put in one SRT message. */
export const TS_PACKETS_PER_MESSAGE = 7;

export interface TsPackerStats {
  /** Bytes skipped to find a sync byte where a packet should start (input out of step). */
  readonly skippedBytes: number;
}

/**
 * Cuts a stream of MPEG-TS bytes, written in pieces of any size, into SRT
 * messages of whole TS packets (1316 bytes by default). A message lying inside
 * one written buffer is a view of it (no copy); one that straddles writes is
 * assembled in a fresh buffer (the SRT sender keeps each payload until it is
 * acknowledged, so buffers are never reused). What does not fill a message yet
 * waits for `flush()`; a packet that does not start with 0x47 is resynchronised
 * by skipping to the next sync byte (counted).
 */
export class TsPacker {
  readonly messageBytes: number;
  private buf: Uint8Array | null = null;
  private fill = 0;
  private skipped = 0;

  /** `packetsPerMessage` 1..7 (fewer when the peer's MSS is small). */
  constructor(packetsPerMessage = TS_PACKETS_PER_MESSAGE) {
    if (!Number.isInteger(packetsPerMessage) || packetsPerMessage < 1 || packetsPerMessage > TS_PACKETS_PER_MESSAGE) {
      throw new RangeError(`packetsPerMessage ${packetsPerMessage} must be 1..${TS_PACKETS_PER_MESSAGE}`);
    }
    this.messageBytes = packetsPerMessage * TS_PACKET_BYTES;
  }

  /** Bytes held: whole packets waiting for a full message, plus a packet's start. */
  get pending(): number {
    return this.fill;
  }

  get stats(): TsPackerStats {
    return { skippedBytes: this.skipped };
  }

  /** Takes bytes; returns the full messages they complete, in order. */
  push(bytes: Uint8Array): Uint8Array[] {
    const out: Uint8Array[] = [];
    const size = this.messageBytes;
    let off = 0;
    while (off < bytes.length) {
      if (this.fill % TS_PACKET_BYTES === 0 && bytes[off] !== TS_SYNC) {
        const next = bytes.indexOf(TS_SYNC, off);
        const end = next < 0 ? bytes.length : next;
        this.skipped += end - off;
        off = end;
        continue;
      }
      if (this.fill === 0 && this.alignedPackets(bytes, off) === size / TS_PACKET_BYTES) {
        out.push(bytes.subarray(off, off + size));
        off += size;
        continue;
      }
      this.buf ??= new Uint8Array(size);
      // Copy up to the next packet boundary, where the sync byte is checked again.
      const take = Math.min(TS_PACKET_BYTES - (this.fill % TS_PACKET_BYTES), bytes.length - off);
      this.buf.set(bytes.subarray(off, off + take), this.fill);
      this.fill += take;
      off += take;
      if (this.fill === size) {
        out.push(this.buf);
        this.buf = null;
        this.fill = 0;
      }
    }
    return out;
  }

  /** The whole packets held, as one shorter message (live data does not wait); null when none. A partial packet stays. */
  flush(): Uint8Array | null {
    const held = this.buf;
    const whole = this.fill - (this.fill % TS_PACKET_BYTES);
    if (whole === 0 || held === null) return null;
    const rest = this.fill - whole;
    this.buf = null;
    if (rest > 0) {
      this.buf = new Uint8Array(this.messageBytes);
      this.buf.set(held.subarray(whole, this.fill));
    }
    this.fill = rest;
    return held.subarray(0, whole);
  }

  /** Whole packets starting with a sync byte at `off`, up to one message's worth. */
  private alignedPackets(bytes: Uint8Array, off: number): number {
    const max = this.messageBytes / TS_PACKET_BYTES;
    let n = 0;
    while (n < max && off + (n + 1) * TS_PACKET_BYTES <= bytes.length && bytes[off + n * TS_PACKET_BYTES] === TS_SYNC) n++;
    return n;
  }
}
