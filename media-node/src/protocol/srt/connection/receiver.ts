import { ACK_HISTORY, ACK_INTERVAL_MS, LIGHT_ACK_PACKETS, MAX_NAK_WORDS, MIN_NAK_INTERVAL_MS } from '../limits.ts';
import type { LossRange } from '../packets/nak.ts';
import { seqAdd, seqDec, seqDiff, seqInc, seqLess } from '../seq.ts';
import { DriftTracer } from './drift-tracer.ts';
import type { RttEstimator } from './rtt.ts';
import { TimestampUnwrapper } from './timestamp-unwrap.ts';

export interface ReceiverOptions {
  /** Sequence number of the peer's first data packet (its ISN). */
  readonly isn: number;
  /** Slots in the receive buffer; a power of two (RECV_BUFFER_PACKETS). */
  readonly bufferPackets: number;
  /** Deliver by timestamp + latency (TSBPD) rather than as soon as in order. */
  readonly tsbpd: boolean;
  readonly latencyMs: number;
  /** Skip packets still missing when a later one is due (TLPKTDROP). */
  readonly tooLateDrop: boolean;
  /** Send the loss list again every NAK interval while losses remain. */
  readonly periodicNak: boolean;
  /** Local time (ms) at which the peer's timestamp 0 was, the TSBPD time base. */
  readonly peerStartTime: number;
}

export interface ReceiverStats {
  packets: number;
  bytes: number;
  /** Packets reported lost (each counted once, when its gap appeared). */
  lost: number;
  /** Packets given up on (too late, or the sender asked us to drop them). */
  dropped: number;
  retransmitted: number;
  /** Arrived after being delivered or dropped. */
  belated: number;
  duplicate: number;
  /** Arrived further ahead than the buffer holds. */
  overflow: number;
  /** Encrypted with a key we do not hold, or clear on an encrypted connection: acknowledged, not delivered. */
  undecryptable: number;
}

/** What the receiver wants sent; the connection turns these into packets. */
export type ReceiverAction =
  | { readonly kind: 'deliver'; readonly payload: Uint8Array }
  | { readonly kind: 'nak'; readonly losses: readonly LossRange[] }
  | { readonly kind: 'ack'; readonly shape: 'light' | 'full'; readonly ackNumber: number; readonly seq: number };

interface Slot {
  readonly seq: number;
  /** Null for a packet we gave up on (kept so the ACK point can pass it). */
  readonly payload: Uint8Array | null;
  readonly timestampUs: number;
}

interface SentAck {
  readonly number: number;
  readonly seq: number;
  readonly at: number;
}

/**
 * The receiving half of a live connection (draft-sharabayko-srt 4.5, 4.8):
 * a ring of `bufferPackets` slots indexed by sequence number, delivery in
 * order at `peerStartTime + timestamp + latency`, loss detection on gaps with
 * an immediate NAK and periodic NAKs after, full ACKs every 10 ms and light
 * ACKs every 64 packets, too-late drop, and drop requests.
 */
export class Receiver {
  readonly stats: ReceiverStats = { packets: 0, bytes: 0, lost: 0, dropped: 0, retransmitted: 0, belated: 0, duplicate: 0, overflow: 0, undecryptable: 0 };
  private readonly ring: (Slot | undefined)[];
  private readonly mask: number;
  private readonly unwrapper = new TimestampUnwrapper();
  /** Next sequence to deliver. */
  private next: number;
  /** Highest sequence received. */
  private highest: number;
  /** First sequence not received (nor given up on): the ACK point. */
  private contig: number;
  private packetsSinceAck = 0;
  private lightAcks = 1;
  private nextAckAt: number;
  private lastNakAt: number;
  private ackNumber = 0;
  private readonly sentAcks: SentAck[] = [];
  private lastFullAckSeq = -1;
  private lastFullAckAt = -Infinity;
  private lastAckAckedSeq = -1;
  private rateStart: number;
  private rateCount = 0;
  private rateBytes = 0;
  /** TSBPD time base (local ms of the peer's timestamp 0), moved by clock drift corrections. */
  private base: number;
  private readonly drift = new DriftTracer();
  private firstRttUs = -1;
  /** Packets and bytes per second over the last full second. */
  packetRate = 0;
  byteRate = 0;

  private readonly opts: ReceiverOptions;
  private readonly rtt: RttEstimator;

  constructor(opts: ReceiverOptions, rtt: RttEstimator, now: number) {
    this.opts = opts;
    this.rtt = rtt;
    if (opts.bufferPackets < 2 || (opts.bufferPackets & (opts.bufferPackets - 1)) !== 0) throw new RangeError('bufferPackets must be a power of two');
    this.ring = new Array<Slot | undefined>(opts.bufferPackets);
    this.mask = opts.bufferPackets - 1;
    this.base = opts.peerStartTime;
    this.next = opts.isn;
    this.contig = opts.isn;
    this.highest = seqDec(opts.isn);
    this.nextAckAt = now + ACK_INTERVAL_MS;
    this.lastNakAt = now;
    this.rateStart = now;
  }

  /** Free slots from the peer's point of view (the ACK's available buffer). */
  get availableBuffer(): number {
    return Math.max(0, this.opts.bufferPackets - (seqDiff(this.next, this.highest) + 1));
  }

  /** The sequence number the next ACK will carry. */
  get ackSeq(): number {
    return this.contig;
  }

  /**
   * A data packet arrived. Returns NAKs, light ACKs and deliveries it causes.
   * `payload` null: it arrived but cannot be used (not decryptable); it is
   * acknowledged so the sender stops sending it, and never delivered.
   */
  onData(seq: number, timestamp: number, payload: Uint8Array | null, retransmitted: boolean, now: number): ReceiverAction[] {
    const out: ReceiverAction[] = [];
    const ahead = seqDiff(this.next, seq);
    if (ahead < 0) {
      this.stats.belated++;
      return out;
    }
    if (ahead >= this.opts.bufferPackets) {
      this.stats.overflow++;
      return out;
    }
    const idx = seq & this.mask;
    if (this.ring[idx]?.seq === seq) {
      this.stats.duplicate++;
      return out;
    }
    this.ring[idx] = { seq, payload, timestampUs: this.unwrapper.unwrap(timestamp) };
    const size = payload?.length ?? 0;
    this.stats.packets++;
    this.stats.bytes += size;
    if (payload === null) this.stats.undecryptable++;
    this.rateCount++;
    this.rateBytes += size;
    if (retransmitted) this.stats.retransmitted++;
    if (seqLess(this.highest, seq)) {
      const firstMissing = seqInc(this.highest);
      if (firstMissing !== seq) {
        const loss = { from: firstMissing, to: seqDec(seq) };
        this.stats.lost += seqDiff(loss.from, loss.to) + 1;
        out.push({ kind: 'nak', losses: [loss] });
      }
      this.highest = seq;
    }
    this.advanceContig();
    this.packetsSinceAck++;
    if (this.packetsSinceAck >= LIGHT_ACK_PACKETS * this.lightAcks) {
      this.lightAcks++;
      out.push({ kind: 'ack', shape: 'light', ackNumber: 0, seq: this.contig });
    }
    this.deliver(now, out);
    return out;
  }

  /** The sender dropped `first..last` (a drop request): stop waiting for them. */
  onDropRequest(first: number, last: number, now: number): ReceiverAction[] {
    // Only the part we still wait for matters: from the delivery point up to
    // the highest packet seen, never more than the buffer (a lying range costs nothing).
    const from = seqLess(first, this.next) ? this.next : first;
    const to = seqLess(this.highest, last) ? this.highest : last;
    const span = Math.min(seqDiff(from, to), this.opts.bufferPackets - 1);
    for (let i = 0; i <= span; i++) {
      const seq = seqAdd(from, i);
      const idx = seq & this.mask;
      if (this.ring[idx]?.seq === seq) continue;
      this.ring[idx] = { seq, payload: null, timestampUs: 0 };
      this.stats.dropped++;
    }
    this.advanceContig();
    const out: ReceiverAction[] = [];
    this.deliver(now, out);
    return out;
  }

  /**
   * An ACKACK for full ACK `ackNumber` arrived: one RTT sample, and one clock
   * drift sample from its timestamp (libsrt CTsbpdTime::addDriftSample:
   * arrival - (base + timestamp), less half the RTT's change since the first).
   */
  onAckAck(ackNumber: number, timestamp: number, now: number): void {
    const i = this.sentAcks.findIndex((a) => a.number === ackNumber);
    if (i < 0) return;
    const ack = this.sentAcks[i]!;
    const rttUs = (now - ack.at) * 1000;
    this.rtt.sample(rttUs);
    if (this.opts.tsbpd) {
      if (this.firstRttUs < 0) this.firstRttUs = rttUs;
      const sample = (now - this.base) * 1000 - this.unwrapper.unwrap(timestamp) - (rttUs - this.firstRttUs) / 2;
      this.base += this.drift.sample(sample) / 1000;
    }
    if (this.lastAckAckedSeq === -1 || seqLess(this.lastAckAckedSeq, ack.seq)) this.lastAckAckedSeq = ack.seq;
    this.sentAcks.splice(0, i + 1);
  }

  /** Timers: deliveries due, the full ACK, the periodic NAK. */
  tick(now: number): ReceiverAction[] {
    const out: ReceiverAction[] = [];
    this.deliver(now, out);
    if (now - this.rateStart >= 1000) {
      const secs = (now - this.rateStart) / 1000;
      this.packetRate = Math.round(this.rateCount / secs);
      this.byteRate = Math.round(this.rateBytes / secs);
      this.rateStart = now;
      this.rateCount = 0;
      this.rateBytes = 0;
    }
    if (now >= this.nextAckAt) {
      this.nextAckAt = now + ACK_INTERVAL_MS;
      this.packetsSinceAck = 0;
      this.lightAcks = 1;
      if (this.fullAckDue(now)) {
        this.ackNumber = this.ackNumber === 0x7fffffff ? 1 : this.ackNumber + 1;
        this.sentAcks.push({ number: this.ackNumber, seq: this.contig, at: now });
        if (this.sentAcks.length > ACK_HISTORY) this.sentAcks.shift();
        this.lastFullAckSeq = this.contig;
        this.lastFullAckAt = now;
        out.push({ kind: 'ack', shape: 'full', ackNumber: this.ackNumber, seq: this.contig });
      }
    }
    // The interval follows the RTT as it is measured (the first estimate, 100 ms
    // + 4 x 50 ms, would let early losses expire before their second NAK).
    if (this.opts.periodicNak && now - this.lastNakAt >= Math.max(MIN_NAK_INTERVAL_MS, (this.rtt.rttUs + 4 * this.rtt.rttVarUs) / 1000)) {
      const losses = this.lossList();
      if (losses.length > 0) out.push({ kind: 'nak', losses });
      this.lastNakAt = now;
    }
    return out;
  }

  /** Missing sequence ranges between the ACK point and the highest received, at most MAX_NAK_WORDS words. */
  lossList(): LossRange[] {
    const out: LossRange[] = [];
    let words = 0;
    let from = -1;
    const span = seqDiff(this.contig, this.highest);
    for (let i = 0; i <= span + 1; i++) {
      const seq = seqAdd(this.contig, i);
      const missing = i <= span && this.ring[seq & this.mask]?.seq !== seq;
      if (missing && from === -1) from = seq;
      if (!missing && from !== -1) {
        const to = seqDec(seq);
        words += from === to ? 1 : 2;
        if (words > MAX_NAK_WORDS) break;
        out.push({ from, to });
        from = -1;
      }
    }
    return out;
  }

  private fullAckDue(now: number): boolean {
    if (this.contig !== this.lastFullAckSeq) return true;
    if (this.lastAckAckedSeq === this.contig) return false;
    // Same ACK point, not confirmed: repeat it once per RTT + 4 * RTTVar.
    return now - this.lastFullAckAt >= (this.rtt.rttUs + 4 * this.rtt.rttVarUs) / 1000;
  }

  private advanceContig(): void {
    if (seqLess(this.contig, this.next)) this.contig = this.next;
    while (!seqLess(this.highest, this.contig) && this.ring[this.contig & this.mask]?.seq === this.contig) {
      this.contig = seqInc(this.contig);
    }
  }

  private dueAt(slot: Slot): number {
    return this.base + (slot.timestampUs + this.drift.driftUs) / 1000 + this.opts.latencyMs;
  }

  /** Current clock drift estimate (µs) and time base shift so far, for stats and tests. */
  get driftUs(): number {
    return this.drift.driftUs + (this.base - this.opts.peerStartTime) * 1000;
  }

  private deliver(now: number, out: ReceiverAction[]): void {
    for (;;) {
      if (seqLess(this.highest, this.next)) return;
      const idx = this.next & this.mask;
      const slot = this.ring[idx];
      if (slot?.seq === this.next) {
        if (slot.payload !== null) {
          if (this.opts.tsbpd && this.dueAt(slot) > now) return;
          out.push({ kind: 'deliver', payload: slot.payload });
        }
        this.ring[idx] = undefined;
        this.next = seqInc(this.next);
        continue;
      }
      if (!this.opts.tsbpd || !this.opts.tooLateDrop) return;
      // A gap at the head: give up on it once the first packet after it is due.
      const after = this.firstPresentAfter(this.next);
      if (after === null || this.dueAt(after) > now) return;
      const skipped = seqDiff(this.next, after.seq);
      this.stats.dropped += skipped;
      this.next = after.seq;
      this.advanceContig();
    }
  }

  private firstPresentAfter(seq: number): Slot | null {
    const span = seqDiff(seq, this.highest);
    for (let i = 1; i <= span; i++) {
      const s = seqAdd(seq, i);
      const slot = this.ring[s & this.mask];
      if (slot?.seq === s && slot.payload !== null) return slot;
    }
    return null;
  }
}
