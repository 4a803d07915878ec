import { SEND_DROP_MIN_THRESHOLD_MS } from '../limits.ts';
import { HEADER_SIZE } from '../packets/control-header.ts';
import { MAX_MESSAGE_NUMBER, encodeDataPacket, setRetransmittedFlag, type PacketKey } from '../packets/data-packet.ts';
import type { LossRange } from '../packets/nak.ts';
import { seqDec, seqDiff, seqInc, seqLess } from '../seq.ts';

export interface SenderOptions {
  /** Our first sequence number (ISN). */
  readonly isn: number;
  /** Slots in the send buffer; a power of two (SEND_BUFFER_PACKETS). */
  readonly bufferPackets: number;
  /** Packets the peer accepts in flight (its handshake's flow window). */
  readonly peerFlowWindow: number;
  readonly peerSocketId: number;
  /** The peer's receiver latency: packets older than max(it, 1 s) + 20 ms are dropped, when `tooLateDrop`. */
  readonly peerLatencyMs: number;
  readonly tooLateDrop: boolean;
  /** The peer understands the R flag (REXMITFLG in its handshake). */
  readonly peerRexmitFlag: boolean;
  /** Encrypts a payload for packet `seq` (once: retransmissions reuse the ciphertext). */
  readonly encrypt?: (seq: number, payload: Uint8Array) => { key: PacketKey; payload: Uint8Array };
}

export interface SenderStats {
  packets: number;
  bytes: number;
  retransmitted: number;
  /** Packets dropped from the buffer before they were acknowledged. */
  dropped: number;
  /** Loss reports naming packets we never sent (ignored). */
  bogusNaks: number;
}

export type SenderAction =
  | { readonly kind: 'send'; readonly bytes: Uint8Array }
  | { readonly kind: 'drop-request'; readonly first: number; readonly last: number };

interface Slot {
  readonly seq: number;
  readonly datagram: Uint8Array;
  /** When the application handed it over (ms, local). */
  readonly origin: number;
  /** Last retransmission (ms, local), -Infinity before the first. */
  lastRetransmit: number;
}

/**
 * A second retransmission of the same packet within this long of the last one
 * is skipped: the periodic NAK that crossed our first copy. The first
 * retransmission is never held back (on a LAN the NAK comes within 1 ms).
 */
const RETRANSMIT_GUARD_MS = 10;

/**
 * The sending half of a live connection (draft-sharabayko-srt 4.6-4.8): keeps
 * every packet until acknowledged, retransmits what a NAK names (with the R
 * flag when the peer understands it), answers loss reports for packets it no
 * longer has with a drop request, drops packets older than the peer's latency
 * window (too-late drop), and holds new packets while the peer's flow window
 * is full.
 */
export class Sender {
  readonly stats: SenderStats = { packets: 0, bytes: 0, retransmitted: 0, dropped: 0, bogusNaks: 0 };
  private readonly opts: SenderOptions;
  private readonly ring: (Slot | undefined)[];
  private readonly mask: number;
  /** Sequence the next packet gets. */
  private next: number;
  /** First sequence not acknowledged (nor dropped). */
  private acked: number;
  /** First sequence not yet transmitted (packets from here wait for the flow window). */
  private unsent: number;
  private messageNumber = 1;

  constructor(opts: SenderOptions) {
    if (opts.bufferPackets < 2 || (opts.bufferPackets & (opts.bufferPackets - 1)) !== 0) throw new RangeError('bufferPackets must be a power of two');
    this.opts = opts;
    this.ring = new Array<Slot | undefined>(opts.bufferPackets);
    this.mask = opts.bufferPackets - 1;
    this.next = opts.isn;
    this.acked = opts.isn;
    this.unsent = opts.isn;
  }

  /** Packets in the buffer (sent and not acknowledged, or waiting). */
  get buffered(): number {
    return seqDiff(this.acked, this.next);
  }

  /** Queues one message (one packet in live mode) and sends it if the flow window allows. */
  send(payload: Uint8Array, timestamp: number, now: number): SenderAction[] {
    const out: SenderAction[] = [];
    if (this.buffered >= this.opts.bufferPackets) {
      // Full: live data is worthless late, so the oldest packet goes.
      const seq = this.acked;
      this.release(seq);
      this.acked = seqInc(seq);
      if (seqLess(this.unsent, this.acked)) this.unsent = this.acked;
      this.stats.dropped++;
      out.push({ kind: 'drop-request', first: seq, last: seq });
    }
    const seq = this.next;
    const body = this.opts.encrypt ? this.opts.encrypt(seq, payload) : { key: 'none' as const, payload };
    const datagram = encodeDataPacket({
      seq,
      position: 'solo',
      inOrder: false,
      key: body.key,
      retransmitted: false,
      messageNumber: this.messageNumber,
      timestamp,
      destSocketId: this.opts.peerSocketId,
      payload: body.payload,
    });
    this.messageNumber = this.messageNumber === MAX_MESSAGE_NUMBER ? 1 : this.messageNumber + 1;
    this.ring[seq & this.mask] = { seq, datagram, origin: now, lastRetransmit: -Infinity };
    this.next = seqInc(seq);
    this.flush(out);
    return out;
  }

  /** The peer acknowledged everything before `seq`. Returns packets the opened window lets out. */
  onAck(seq: number): SenderAction[] {
    const out: SenderAction[] = [];
    // An ACK beyond what we sent is bogus; one behind the current point is stale.
    if (seqLess(this.unsent, seq) || !seqLess(this.acked, seq)) return out;
    for (let s = this.acked; s !== seq; s = seqInc(s)) this.release(s);
    this.acked = seq;
    this.flush(out);
    return out;
  }

  /** A loss report: retransmit what we have, ask the peer to drop what we no longer have. */
  onNak(losses: readonly LossRange[], now: number): SenderAction[] {
    const out: SenderAction[] = [];
    const lastSent = seqDec(this.unsent);
    for (const loss of losses) {
      if (seqLess(lastSent, loss.to)) {
        // libsrt treats a report of packets never sent as an attack and ignores the whole NAK.
        this.stats.bogusNaks++;
        return out;
      }
    }
    // Each packet is looked at most once per report, however the ranges overlap.
    let budget = this.opts.bufferPackets;
    for (const loss of losses) {
      if (seqLess(loss.from, this.acked)) {
        const last = seqLess(loss.to, this.acked) ? loss.to : seqDec(this.acked);
        out.push({ kind: 'drop-request', first: loss.from, last });
      }
      const from = seqLess(loss.from, this.acked) ? this.acked : loss.from;
      if (seqLess(loss.to, from)) continue;
      for (let s = from; budget > 0; s = seqInc(s), budget--) {
        const slot = this.ring[s & this.mask];
        if (slot?.seq === s && now - slot.lastRetransmit >= RETRANSMIT_GUARD_MS) {
          slot.lastRetransmit = now;
          const bytes = slot.datagram.slice();
          if (this.opts.peerRexmitFlag) setRetransmittedFlag(bytes, true);
          this.stats.retransmitted++;
          out.push({ kind: 'send', bytes });
        }
        if (s === loss.to) break;
      }
    }
    return out;
  }

  /** Too-late drop: packets older than the threshold leave the buffer, the peer is told. */
  tick(now: number): SenderAction[] {
    const out: SenderAction[] = [];
    if (!this.opts.tooLateDrop) return out;
    const threshold = Math.max(this.opts.peerLatencyMs, SEND_DROP_MIN_THRESHOLD_MS) + 20;
    const first = this.acked;
    while (seqLess(this.acked, this.unsent)) {
      const slot = this.ring[this.acked & this.mask];
      if (slot?.seq === this.acked && now - slot.origin < threshold) break;
      this.release(this.acked);
      this.stats.dropped++;
      this.acked = seqInc(this.acked);
    }
    if (this.acked !== first) out.push({ kind: 'drop-request', first, last: seqDec(this.acked) });
    return out;
  }

  private flush(out: SenderAction[]): void {
    while (seqLess(this.unsent, this.next) && seqDiff(this.acked, this.unsent) < this.opts.peerFlowWindow) {
      const slot = this.ring[this.unsent & this.mask]!;
      this.stats.packets++;
      this.stats.bytes += slot.datagram.length - HEADER_SIZE;
      out.push({ kind: 'send', bytes: slot.datagram });
      this.unsent = seqInc(this.unsent);
    }
  }

  private release(seq: number): void {
    const idx = seq & this.mask;
    if (this.ring[idx]?.seq === seq) this.ring[idx] = undefined;
  }
}
