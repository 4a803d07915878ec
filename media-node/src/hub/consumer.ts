import type { MediaMessage } from './media-message.ts';
import { signedDelta32 } from './timestamp-jitter.ts';

/**
 * One reader of a source (an RTMP/FLV player, the HLS segmenter, a
 * forwarder...). Holds a bounded queue of references to the source's shared
 * messages; the owner pulls them with `take()`/`takeInto()` when `ready()`
 * says a merged write is due (SRS mw_latency/mw_msgs).
 *
 * Bound (SRS `play.queue_length`, SrsMessageQueue::shrink): when the queued
 * A/V span, bytes or count exceed the limits, the queue is cut to its newest
 * keyframe (or emptied, and video waits for the next keyframe); the
 * latest metadata and sequence headers in the cut part are kept. A consumer
 * that needs more than `maxShrinks` shrinks in a row (without a take() that
 * finds it caught up) is closed with 'slow_consumer'. None of this touches the
 * source or the other consumers.
 */

/** SRS `play.queue_length` default (SRS_PERF_PLAY_QUEUE): 30 s of timestamps. */
export const DEFAULT_QUEUE_LENGTH_MS = 30_000;
/**
 * Hard byte cap of one queue: 30 s at ~17 Mb/s. Payloads are shared, so N
 * lagging consumers retain the union of their windows, not N copies.
 */
export const DEFAULT_MAX_QUEUE_BYTES = 64 * 1024 * 1024;
/** Hard message cap: 30 s of 120 fps video plus 48 kHz AAC (~47/s) is ~5000; twice that. */
export const DEFAULT_MAX_QUEUE_MESSAGES = 10_000;
/**
 * Floor of the message cap: a shrink keeps up to 3 headers (metadata, video and
 * audio sequence headers) plus a tail of at most half the cap, which must fit.
 */
export const MIN_QUEUE_MESSAGES = 8;
/** SRS `play.mw_latency` default for RTMP/FLV (srs.md section 8). */
export const DEFAULT_MW_LATENCY_MS = 350;
/** SRS `mw_msgs` default (SRS_PERF_MW_MIN_MSGS). */
export const DEFAULT_MW_MSGS = 8;
/** Consecutive shrinks tolerated; the next one closes the consumer (~2 min stalled at 30 s queues). */
export const DEFAULT_MAX_SHRINKS = 3;

export type ConsumerCloseReason =
  /** It stayed behind for more than `maxShrinks` shrinks in a row. */
  | 'slow_consumer'
  /** Its owner called close(). */
  | 'closed'
  /** The source closed all its consumers (stream kicked / registry removal). */
  | 'source_closed'
  /** One of its listener callbacks threw; the error went to the source's reportError. */
  | 'listener_error';

export interface ConsumerListener {
  /** Called once per take-cycle: on the first message queued after a take() (not per frame). */
  onReadable?(consumer: Consumer): void;
  /** The publisher left; the consumer stays attached for a republish. Queued messages remain takeable. */
  onUnpublish?(consumer: Consumer): void;
  /** A publisher (re)started; its first message carries `discontinuity` if it is a republish. */
  onPublish?(consumer: Consumer): void;
  /** The consumer is closed and detached; take() returns nothing from now on. */
  onClose?(consumer: Consumer, reason: ConsumerCloseReason): void;
}

export interface ConsumerOptions {
  /** SRS `play.queue_length` (ms of A/V timestamp span). */
  readonly queueLengthMs?: number;
  readonly maxQueueBytes?: number;
  readonly maxQueueMessages?: number;
  /** SRS `play.mw_latency` (ms): merged-write wait. */
  readonly mwLatencyMs?: number;
  /** SRS `mw_msgs`: a merged write is due early once more than this many messages span mw_latency. */
  readonly mwMsgs?: number;
  /** SRS `min_latency on`: ready as soon as anything is queued. */
  readonly minLatency?: boolean;
  readonly maxShrinks?: number;
  /** Replay the source's GOP cache on join (default true; SRS `play.gop_cache`). */
  readonly gopCache?: boolean;
  /** Who this consumer is, for stats (e.g. the player's client id). */
  readonly clientId?: string;
  readonly listener?: ConsumerListener;
}

/** What a consumer needs from its source; kept narrow so this file does not import source.ts. */
export interface ConsumerHost {
  detach(consumer: Consumer): void;
  countSent(bytes: number): void;
  reportError(error: unknown, consumer: Consumer): void;
}

function isAv(m: MediaMessage): boolean {
  return m.kind !== 'data';
}

export class Consumer {
  readonly clientId: string | undefined;
  readonly queueLengthMs: number;
  readonly maxQueueBytes: number;
  readonly maxQueueMessages: number;
  readonly mwLatencyMs: number;
  readonly mwMsgs: number;
  readonly minLatency: boolean;
  readonly maxShrinks: number;
  private readonly host: ConsumerHost;
  private readonly listener: ConsumerListener;

  private q: MediaMessage[] = [];
  private qBytes = 0;
  private firstAvTs = 0;
  private lastAvTs = 0;
  private hasAv = false;
  private firstQueuedAt = -1;
  private signalled = false;
  private waitKeyframe = false;
  private consecutiveShrinks = 0;
  private closeReason: ConsumerCloseReason | null = null;

  /** Times the queue was cut (SRS logs "shrinking"). */
  shrinks = 0;
  /** Messages dropped by shrinks, and video dropped while waiting for a keyframe. */
  droppedMessages = 0;
  /** Payload bytes handed out by take()/takeInto(). */
  takenBytes = 0;

  constructor(host: ConsumerHost, options: ConsumerOptions = {}) {
    this.host = host;
    this.listener = options.listener ?? {};
    this.clientId = options.clientId;
    this.queueLengthMs = options.queueLengthMs ?? DEFAULT_QUEUE_LENGTH_MS;
    this.maxQueueBytes = options.maxQueueBytes ?? DEFAULT_MAX_QUEUE_BYTES;
    this.maxQueueMessages = Math.max(MIN_QUEUE_MESSAGES, options.maxQueueMessages ?? DEFAULT_MAX_QUEUE_MESSAGES);
    this.mwLatencyMs = options.mwLatencyMs ?? DEFAULT_MW_LATENCY_MS;
    this.mwMsgs = options.minLatency ? 0 : (options.mwMsgs ?? DEFAULT_MW_MSGS);
    this.minLatency = options.minLatency ?? false;
    this.maxShrinks = options.maxShrinks ?? DEFAULT_MAX_SHRINKS;
  }

  get closed(): boolean {
    return this.closeReason !== null;
  }

  get closedReason(): ConsumerCloseReason | null {
    return this.closeReason;
  }

  get queuedMessages(): number {
    return this.q.length;
  }

  get queuedBytes(): number {
    return this.qBytes;
  }

  /** Span of queued audio/video frame timestamps in ms (SRS queue duration); sequence headers excluded. */
  get queuedMs(): number {
    return this.hasAv ? Math.max(0, signedDelta32(this.lastAvTs, this.firstAvTs)) : 0;
  }

  /** True while video is dropped until the next keyframe (after a shrink, a join without GOP, a republish). */
  get waitingForKeyframe(): boolean {
    return this.waitKeyframe;
  }

  /**
   * Whether a merged write is due now (SrsLiveConsumer::wait): anything queued
   * in min-latency mode; else more than mwMsgs messages spanning more than
   * mwLatencyMs, or the oldest queued message waited mwLatencyMs of wall time.
   */
  ready(now: number): boolean {
    if (this.closeReason !== null || this.q.length === 0) return false;
    if (this.minLatency) return true;
    if (this.q.length > this.mwMsgs && this.queuedMs > this.mwLatencyMs) return true;
    return now - this.firstQueuedAt >= this.mwLatencyMs;
  }

  /** Wall-clock time by which the owner should flush (Infinity when empty): schedule a timer for it. */
  get flushAt(): number {
    if (this.q.length === 0 || this.closeReason !== null) return Infinity;
    return this.minLatency ? this.firstQueuedAt : this.firstQueuedAt + this.mwLatencyMs;
  }

  /** Everything queued, oldest first; the returned array is the caller's. */
  take(): MediaMessage[] {
    if (this.closeReason !== null || this.q.length === 0) {
      this.signalled = false;
      return [];
    }
    const caughtUp = !this.overBound(2);
    const out = this.q;
    this.q = [];
    this.afterTake(caughtUp);
    return out;
  }

  /** Like take(), into a caller-owned array (cleared first) to avoid allocation; returns the count. */
  takeInto(out: MediaMessage[]): number {
    out.length = 0;
    if (this.closeReason !== null) return 0;
    const caughtUp = !this.overBound(2);
    const q = this.q;
    for (let i = 0; i < q.length; i++) out.push(q[i]);
    q.length = 0;
    this.afterTake(caughtUp);
    return out.length;
  }

  /** Detach from the source and drop the queue. Idempotent. */
  close(reason: ConsumerCloseReason = 'closed'): void {
    if (this.closeReason !== null) return;
    this.closeReason = reason;
    this.q = [];
    this.qBytes = 0;
    this.hasAv = false;
    this.host.detach(this);
    this.call('onClose', reason);
  }

  /** @internal Source -> consumer: a live message. */
  enqueue(msg: MediaMessage, now: number): void {
    if (this.closeReason !== null) return;
    // Video resumes at a keyframe; audio and headers are never held back for it.
    if (this.waitKeyframe && msg.kind === 'video' && !msg.sequenceHeader) {
      if (!msg.keyframe) {
        this.droppedMessages++;
        return;
      }
      this.waitKeyframe = false;
    }
    this.push(msg, now);
    if (this.overBound(1)) {
      this.shrink(true);
      if (this.closeReason !== null) return;
    }
    if (!this.signalled && this.q.length !== 0) {
      this.signalled = true;
      this.call('onReadable');
    }
  }

  /** @internal Source -> consumer at join: metadata, sequence headers, GOP. No signal, no shrink count. */
  prime(burst: readonly MediaMessage[], startsOnKeyframe: boolean, now: number): void {
    for (const m of burst) this.push(m, now);
    this.waitKeyframe = !startsOnKeyframe;
    if (this.overBound(1)) this.shrink(false);
  }

  /** @internal */
  notifyUnpublish(): void {
    this.call('onUnpublish');
  }

  /** @internal The new session must start on a keyframe. */
  notifyPublish(): void {
    this.waitKeyframe = true;
    this.call('onPublish');
  }

  private push(msg: MediaMessage, now: number): void {
    if (this.q.length === 0) this.firstQueuedAt = now;
    this.q.push(msg);
    this.qBytes += msg.payload.length;
    // Span counts frames only: retained sequence headers keep their old
    // timestamps (messages are shared and immutable; SRS rewrites its copies).
    if (isAv(msg) && !msg.sequenceHeader) {
      if (!this.hasAv) {
        this.hasAv = true;
        this.firstAvTs = msg.timestamp;
      }
      this.lastAvTs = msg.timestamp;
    }
  }

  /** `caughtUp`: the queue was within half of every bound when taken, so the consumer keeps up again. */
  private afterTake(caughtUp: boolean): void {
    if (caughtUp) this.consecutiveShrinks = 0;
    this.host.countSent(this.qBytes);
    this.takenBytes += this.qBytes;
    this.qBytes = 0;
    this.hasAv = false;
    this.firstQueuedAt = -1;
    this.signalled = false;
  }

  /** Over 1/divisor of any bound (divisor 2 is the hysteresis for "caught up" and for shrink targets). */
  private overBound(divisor: number): boolean {
    return (
      this.queuedMs > this.queueLengthMs / divisor ||
      this.qBytes > this.maxQueueBytes / divisor ||
      this.q.length > this.maxQueueMessages / divisor
    );
  }

  private shrink(counted: boolean): void {
    if (counted) {
      this.consecutiveShrinks++;
      if (this.consecutiveShrinks > this.maxShrinks) {
        this.droppedMessages += this.q.length;
        this.close('slow_consumer');
        return;
      }
    }
    this.shrinks++;
    const q = this.q;
    let k = -1;
    for (let i = q.length - 1; i >= 0; i--) {
      if (q[i].kind === 'video' && q[i].keyframe) {
        k = i;
        break;
      }
    }
    // Keep the tail from the newest keyframe only if it is well within bounds
    // (half of each), so the next frame does not shrink again at once.
    let start = q.length;
    if (k >= 0 && this.tailWithinHalf(k)) start = k;
    else this.waitKeyframe = true;
    let meta: MediaMessage | null = null;
    let vsh: MediaMessage | null = null;
    let ash: MediaMessage | null = null;
    for (let i = 0; i < start; i++) {
      const m = q[i];
      if (!m.sequenceHeader) continue;
      if (m.kind === 'data') meta = m;
      else if (m.kind === 'video') vsh = m;
      else ash = m;
    }
    const kept: MediaMessage[] = [];
    for (const m of [meta, vsh, ash]) if (m !== null) kept.push(m);
    this.droppedMessages += start - kept.length;
    const firstQueuedAt = this.firstQueuedAt;
    this.q = [];
    this.qBytes = 0;
    this.hasAv = false;
    for (const m of kept) this.push(m, firstQueuedAt);
    for (let i = start; i < q.length; i++) this.push(q[i], firstQueuedAt);
    if (this.q.length === 0) this.firstQueuedAt = -1;
  }

  private tailWithinHalf(k: number): boolean {
    const q = this.q;
    let bytes = 0;
    for (let i = k; i < q.length; i++) bytes += q[i].payload.length;
    const span = Math.max(0, signedDelta32(this.lastAvTs, q[k].timestamp));
    return (
      span <= this.queueLengthMs / 2 && bytes <= this.maxQueueBytes / 2 && q.length - k <= this.maxQueueMessages / 2
    );
  }

  private call(name: 'onReadable' | 'onUnpublish' | 'onPublish'): void;
  private call(name: 'onClose', reason: ConsumerCloseReason): void;
  private call(name: keyof ConsumerListener, reason?: ConsumerCloseReason): void {
    const fn = this.listener[name];
    if (fn === undefined) return;
    try {
      if (name === 'onClose') (fn as NonNullable<ConsumerListener['onClose']>).call(this.listener, this, reason!);
      else (fn as (c: Consumer) => void).call(this.listener, this);
    } catch (error) {
      this.host.reportError(error, this);
      if (name !== 'onClose') this.close('listener_error');
    }
  }
}
