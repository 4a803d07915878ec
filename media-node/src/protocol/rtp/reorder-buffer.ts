/**
 * How long a gap in the sequence is held open for the missing packet (a
 * retransmission after our receiver's NACK, or plain reordering) before the
 * packets behind it are released without it: a retransmission takes one round
 * trip plus the sender's pacing, and 150 ms covers most paths' RTT while
 * staying well under WebRTC's own jitter-buffer delays.
 */
export const REORDER_WAIT_MS = 150;

/**
 * Packets held while a gap is open. 512 packets of 1200 bytes is 600 KB, over
 * 150 ms of a 30 Mbit/s stream: more means the gap is not coming back.
 */
export const MAX_REORDER_PACKETS = 512;

/** A jump this far ahead is a sender that restarted its sequence numbers, not loss: start over there. */
const RESTART_JUMP = 3000;

export interface ReorderStats {
  /** Packets that arrived behind the release point (too late, or duplicates). */
  late: number;
  /** Sequence numbers given up on (never arrived within REORDER_WAIT_MS). */
  skipped: number;
  /** Packets released after waiting for an earlier one (reordered, or retransmitted in time). */
  recovered: number;
  restarts: number;
}

interface Held<T> {
  readonly packet: T;
  readonly at: number;
}

/**
 * Puts RTP packets of one stream back in sequence-number order (RFC 3550
 * 16-bit numbers, wrapping) before a depacketizer that only moves forward:
 * a packet that fills a gap (reordered, or retransmitted after a NACK)
 * releases everything behind it; a gap still open after `waitMs` is skipped
 * (the depacketizer then sees the loss and waits for a keyframe). Bounded by
 * `maxPackets`. Pure: time comes in as `now` (ms).
 */
export class RtpReorderBuffer<T extends { readonly sequenceNumber: number }> {
  readonly stats: ReorderStats = { late: 0, skipped: 0, recovered: 0, restarts: 0 };
  private readonly held = new Map<number, Held<T>>();
  private next: number | undefined;
  private readonly waitMs: number;
  private readonly maxPackets: number;

  constructor(opts: { waitMs?: number; maxPackets?: number } = {}) {
    this.waitMs = opts.waitMs ?? REORDER_WAIT_MS;
    this.maxPackets = opts.maxPackets ?? MAX_REORDER_PACKETS;
  }

  /** Packets waiting behind a gap. */
  get size(): number {
    return this.held.size;
  }

  /** One packet in; the packets that can go on now, in order. */
  push(packet: T, now: number): T[] {
    const seq = packet.sequenceNumber & 0xffff;
    const out: T[] = [];
    if (this.next === undefined) this.next = seq;
    const ahead = (seq - this.next) & 0xffff;
    if (ahead >= 0x8000) {
      this.stats.late++;
      return this.expire(now, out);
    }
    if (ahead > RESTART_JUMP) {
      this.stats.restarts++;
      this.drain(out);
      this.next = seq;
    }
    if (!this.held.has(seq)) this.held.set(seq, { packet, at: now });
    else this.stats.late++;
    const gapOpen = this.held.size > 1 || seq !== this.next;
    this.release(out, gapOpen);
    return this.expire(now, out);
  }

  /** Time passing: gaps older than `waitMs` are skipped. */
  tick(now: number): T[] {
    return this.expire(now, []);
  }

  /** End of stream: everything held, in order, gaps skipped. */
  flush(): T[] {
    const out: T[] = [];
    this.drain(out);
    return out;
  }

  private release(out: T[], afterWait: boolean): void {
    for (;;) {
      const h = this.held.get(this.next!);
      if (h === undefined) return;
      this.held.delete(this.next!);
      if (afterWait && out.length > 0) this.stats.recovered++;
      out.push(h.packet);
      this.next = (this.next! + 1) & 0xffff;
    }
  }

  private expire(now: number, out: T[]): T[] {
    while (this.held.size > 0) {
      const oldest = this.oldestHeld();
      if (now - oldest.at < this.waitMs && this.held.size <= this.maxPackets) break;
      // Give up on the gap: jump to the lowest held sequence number.
      const lowest = this.lowestHeld();
      this.stats.skipped += (lowest - this.next!) & 0xffff;
      this.next = lowest;
      this.release(out, false);
    }
    return out;
  }

  private drain(out: T[]): void {
    while (this.held.size > 0) {
      const lowest = this.lowestHeld();
      this.stats.skipped += (lowest - this.next!) & 0xffff;
      this.next = lowest;
      this.release(out, false);
    }
  }

  /** The held packet nearest ahead of `next` (the one to resume from). */
  private lowestHeld(): number {
    let best = -1;
    let bestAhead = Infinity;
    for (const seq of this.held.keys()) {
      const ahead = (seq - this.next!) & 0xffff;
      if (ahead < bestAhead) {
        bestAhead = ahead;
        best = seq;
      }
    }
    return best;
  }

  private oldestHeld(): Held<T> {
    let oldest: Held<T> | undefined;
    for (const h of this.held.values()) if (oldest === undefined || h.at < oldest.at) oldest = h;
    return oldest!;
  }
}
