import type { Clock } from './clock.ts';
import { Consumer } from './consumer.ts';
import type { ConsumerCloseReason, ConsumerHost, ConsumerOptions } from './consumer.ts';
import {
  FLV_CODED_FRAME,
  FLV_KEYFRAME,
  FLV_SEQUENCE_HEADER,
  audioCodecName,
  classifyAudio,
  classifyVideo,
  metadataBody,
  videoCodecName,
} from './flv-classify.ts';
import { GopCache } from './gop-cache.ts';
import type { MediaKind, MediaMessage } from './media-message.ts';
import { RateMeter } from './rate-meter.ts';
import { TimestampJitter } from './timestamp-jitter.ts';
import type { TimeJitter } from './timestamp-jitter.ts';

/**
 * One live stream of a node (SRS SrsLiveSource): at most one publisher, the
 * latest metadata and sequence headers, a GOP cache, any number of consumers.
 * Every pushed frame is classified, timestamp-corrected once, wrapped in one
 * MediaMessage and handed by reference to every consumer: O(consumers) per
 * frame, no per-consumer copy, so outputs can serialize each frame once.
 */

export interface PublisherInfo {
  /** Client id of the publishing connection (SRS `publish.cid`). */
  readonly clientId: string;
  /** 'rtmp' | 'srt' | 'rtc' | ... (informational). */
  readonly protocol?: string;
  /**
   * Whether this publish is recorded (a control plane's per-stream recording
   * setting, from the on_publish grant); absent: as the node's `dvr` config says.
   */
  readonly record?: boolean;
}

export type PublishRefusal = 'stream_busy';

export type PublishResult =
  | { readonly ok: true; readonly publisher: PublishHandle; readonly replaced: PublisherInfo | null }
  | { readonly ok: false; readonly code: PublishRefusal; readonly current: PublisherInfo };

export interface SourceOptions {
  /** SRS `play.time_jitter` (default 'full'). */
  readonly timeJitter?: TimeJitter;
  /** SRS `play.atc` (default off): on = absolute timestamps, no correction. */
  readonly atc?: boolean;
  /** SRS `play.gop_cache` (default on). */
  readonly gopCache?: boolean;
  /** SRS 5 `gop_cache_max_frames` (default 2500). */
  readonly gopCacheMaxFrames?: number;
  readonly gopCacheMaxBytes?: number;
  /** Receives errors thrown by consumer listeners (the consumer is closed). */
  readonly reportError?: (error: unknown, consumer: Consumer) => void;
  /**
   * Told when a publisher starts or stops, whatever its protocol: how the node
   * attaches per-stream outputs (HLS, DVR) once for every ingest. Called after
   * the source's own state changed; errors go to `reportError`-like logging of
   * the caller, never into the publisher.
   */
  readonly observer?: SourceObserver;
}

export interface SourceObserver {
  published?(source: Source): void;
  unpublished?(source: Source): void;
}

/** Codec descriptions for the SRS API (srs.md 2.4); the hub fills `codec`, the server the rest. */
export interface VideoInfo {
  codec: string;
  profile?: string;
  level?: string;
  width?: number;
  height?: number;
}

export interface AudioInfo {
  codec: string;
  sampleRate?: number;
  channels?: number;
  profile?: string;
}

export interface SourceStats {
  /** Coded video frames received (SRS `frames`). */
  frames: number;
  /** Payload bytes received from publishers (SRS `recv_bytes`). */
  recvBytes: number;
  /** Payload bytes taken by consumers (approximates SRS `send_bytes`). */
  sendBytes: number;
  /** Sequence headers that differed from the previous one of their kind. */
  sequenceHeaderChanges: number;
  /** Pushed messages dropped because they were empty. */
  emptyMessages: number;
}

/** A publisher's grip on its source; inert once unpublished or taken over. */
export class PublishHandle {
  readonly info: PublisherInfo;
  private readonly source: Source;
  private readonly session: number;

  constructor(source: Source, session: number, info: PublisherInfo) {
    this.source = source;
    this.session = session;
    this.info = info;
  }

  get active(): boolean {
    return this.source.currentSession === this.session;
  }

  /** Push an FLV tag body; returns the corrected message, or null if inactive or dropped. */
  push(kind: MediaKind, timestamp: number, payload: Uint8Array): MediaMessage | null {
    return this.active ? this.source.push(kind, timestamp, payload) : null;
  }

  /** Push a message from an ingest protocol; its flags are re-derived from the payload. */
  pushMessage(msg: MediaMessage): MediaMessage | null {
    return this.active ? this.source.pushMessage(msg) : null;
  }

  unpublish(): void {
    if (this.active) this.source.unpublish();
  }
}

function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

export class Source {
  /** SRS stat id ('vid-xxxxxxx'). */
  readonly id: string;
  /** `vhost/app/stream`. */
  readonly key: string;
  readonly vhost: string;
  readonly app: string;
  readonly stream: string;
  readonly info: { video: VideoInfo | null; audio: AudioInfo | null } = { video: null, audio: null };
  readonly stats: SourceStats = { frames: 0, recvBytes: 0, sendBytes: 0, sequenceHeaderChanges: 0, emptyMessages: 0 };
  readonly gop: GopCache;
  readonly gopCacheEnabled: boolean;
  readonly timeJitter: TimeJitter;
  readonly atc: boolean;

  private readonly clock: Clock;
  private readonly jitter: TimestampJitter;
  private readonly recv: RateMeter;
  private readonly send: RateMeter;
  private readonly host: ConsumerHost;
  private readonly reportError: (error: unknown, consumer: Consumer) => void;
  private readonly observer: SourceObserver;
  /** Copy-on-write: fan-out iterates a snapshot, so (de)attaching during a push is safe. */
  private consumerList: readonly Consumer[] = [];
  private publisherInfo: PublisherInfo | null = null;
  private session = 0;
  private pendingDiscontinuity = false;
  private meta: MediaMessage | null = null;
  private vsh: MediaMessage | null = null;
  private ash: MediaMessage | null = null;
  private publishStart: number | null = null;
  private idleFrom: number;

  constructor(
    ids: { id: string; vhost: string; app: string; stream: string },
    clock: Clock,
    options: SourceOptions = {},
  ) {
    this.id = ids.id;
    this.vhost = ids.vhost;
    this.app = ids.app;
    this.stream = ids.stream;
    this.key = `${ids.vhost}/${ids.app}/${ids.stream}`;
    this.clock = clock;
    this.timeJitter = options.timeJitter ?? 'full';
    this.atc = options.atc ?? false;
    this.jitter = new TimestampJitter(this.atc ? 'off' : this.timeJitter);
    this.gopCacheEnabled = options.gopCache ?? true;
    this.gop = new GopCache({ maxFrames: options.gopCacheMaxFrames, maxBytes: options.gopCacheMaxBytes });
    const now = clock.now();
    this.recv = new RateMeter(now);
    this.send = new RateMeter(now);
    this.idleFrom = now;
    this.reportError = options.reportError ?? (() => {});
    this.observer = options.observer ?? {};
    this.host = {
      detach: (c) => this.detach(c),
      countSent: (bytes) => {
        this.stats.sendBytes += bytes;
        this.send.add(bytes, this.clock.now());
      },
      reportError: (error, c) => this.reportError(error, c),
    };
  }

  get publisher(): PublisherInfo | null {
    return this.publisherInfo;
  }

  get publishing(): boolean {
    return this.publisherInfo !== null;
  }

  /** Clock time of the current publish, or null. */
  get publishedAt(): number | null {
    return this.publishStart;
  }

  /** @internal Increments on every publish; a PublishHandle is active while it matches. */
  get currentSession(): number {
    return this.publisherInfo === null ? -1 : this.session;
  }

  get metadata(): MediaMessage | null {
    return this.meta;
  }

  get videoSequenceHeader(): MediaMessage | null {
    return this.vsh;
  }

  get audioSequenceHeader(): MediaMessage | null {
    return this.ash;
  }

  get consumers(): readonly Consumer[] {
    return this.consumerList;
  }

  /** No publisher and no consumers: the registry may drop it. */
  get idle(): boolean {
    return this.publisherInfo === null && this.consumerList.length === 0;
  }

  /** Clock time since which the source is idle (meaningless while not idle). */
  get idleSince(): number {
    return this.idleFrom;
  }

  /** SRS `kbps.recv_30s` / `kbps.send_30s`. */
  kbps(now: number = this.clock.now()): { recv30s: number; send30s: number } {
    return { recv30s: this.recv.kbps(now), send30s: this.send.kbps(now) };
  }

  /**
   * Start publishing. A live source refuses a second publisher with
   * 'stream_busy' (SRS ERROR_SYSTEM_STREAM_BUSY; bad-inputs row 35) and the
   * first keeps flowing, unless `takeover` is set: then the current publisher
   * is unpublished (its handle goes inert) and reported in `replaced`.
   */
  publish(info: PublisherInfo, options: { takeover?: boolean } = {}): PublishResult {
    let replaced: PublisherInfo | null = null;
    if (this.publisherInfo !== null) {
      if (!options.takeover) return { ok: false, code: 'stream_busy', current: this.publisherInfo };
      replaced = this.publisherInfo;
      this.unpublish();
    }
    this.pendingDiscontinuity = this.session > 0;
    this.session++;
    this.publisherInfo = info;
    this.publishStart = this.clock.now();
    this.jitter.newSession();
    for (const c of this.consumerList) c.notifyPublish();
    this.observer.published?.(this);
    return { ok: true, publisher: new PublishHandle(this, this.session, info), replaced };
  }

  /**
   * Stop publishing: the GOP cache, metadata and sequence headers are dropped
   * (SRS on_unpublish); consumers are told and stay attached for a republish.
   */
  unpublish(): void {
    if (this.publisherInfo === null) return;
    this.publisherInfo = null;
    this.publishStart = null;
    this.gop.clear();
    this.meta = null;
    this.vsh = null;
    this.ash = null;
    this.info.video = null;
    this.info.audio = null;
    if (this.consumerList.length === 0) this.idleFrom = this.clock.now();
    for (const c of this.consumerList) c.notifyUnpublish();
    this.observer.unpublished?.(this);
  }

  /**
   * Push one FLV tag body of the current publisher. Classifies it, corrects
   * its timestamp, updates caches and stats, fans it out. Returns the shared
   * message, or null if nothing is publishing or the payload is empty.
   * Connections should push through their PublishHandle, which goes inert
   * when they are taken over or unpublished.
   */
  push(kind: MediaKind, timestamp: number, payload: Uint8Array): MediaMessage | null {
    if (this.publisherInfo === null) return null;
    if (payload.length === 0) {
      this.stats.emptyMessages++;
      return null;
    }
    const now = this.clock.now();
    this.stats.recvBytes += payload.length;
    this.recv.add(payload.length, now);
    let flags = 0;
    let body = payload;
    if (kind === 'video') {
      flags = classifyVideo(payload);
      if (flags & FLV_CODED_FRAME) this.stats.frames++;
    } else if (kind === 'audio') {
      flags = classifyAudio(payload);
    } else {
      const meta = metadataBody(payload);
      if (meta !== null) {
        flags = FLV_SEQUENCE_HEADER;
        body = meta;
      }
    }
    const sequenceHeader = (flags & FLV_SEQUENCE_HEADER) !== 0;
    // A republish breaks the timeline at its first audio/video message.
    let discontinuity = false;
    if (kind !== 'data' && this.pendingDiscontinuity) {
      discontinuity = true;
      this.pendingDiscontinuity = false;
    }
    if (sequenceHeader && kind !== 'data' && this.headerChanged(kind, body)) discontinuity = true;
    const msg: MediaMessage = {
      kind,
      timestamp: this.jitter.correct(kind, timestamp),
      payload: body,
      keyframe: (flags & FLV_KEYFRAME) !== 0,
      sequenceHeader,
      discontinuity,
      wire: {},
    };
    if (sequenceHeader) this.storeHeader(msg);
    else if (this.gopCacheEnabled && kind !== 'data') this.gop.add(msg);
    const list = this.consumerList;
    for (let i = 0; i < list.length; i++) list[i].enqueue(msg, now);
    return msg;
  }

  /** push() for a message built by an ingest protocol; its flags are re-derived from the payload. */
  pushMessage(msg: MediaMessage): MediaMessage | null {
    return this.push(msg.kind, msg.timestamp, msg.payload);
  }

  /** Attach a reader. It starts with metadata, sequence headers and the GOP cache queued. */
  addConsumer(options: ConsumerOptions = {}): Consumer {
    const c = new Consumer(this.host, options);
    const burst: MediaMessage[] = [];
    if (this.meta !== null) burst.push(this.meta);
    if (this.vsh !== null) burst.push(this.vsh);
    if (this.ash !== null) burst.push(this.ash);
    const gop = (options.gopCache ?? true) && this.gopCacheEnabled ? this.gop.messages : [];
    for (const m of gop) burst.push(m);
    c.prime(burst, gop.length !== 0, this.clock.now());
    this.consumerList = [...this.consumerList, c];
    return c;
  }

  /** Close every consumer (stream kicked, source removed). */
  closeConsumers(reason: ConsumerCloseReason = 'source_closed'): void {
    for (const c of this.consumerList) c.close(reason);
  }

  private detach(c: Consumer): void {
    const i = this.consumerList.indexOf(c);
    if (i < 0) return;
    this.consumerList = this.consumerList.filter((x) => x !== c);
    if (this.idle) this.idleFrom = this.clock.now();
  }

  private headerChanged(kind: MediaKind, body: Uint8Array): boolean {
    const prev = kind === 'video' ? this.vsh : this.ash;
    if (prev === null || sameBytes(prev.payload, body)) return false;
    this.stats.sequenceHeaderChanges++;
    return true;
  }

  private storeHeader(msg: MediaMessage): void {
    if (msg.kind === 'data') {
      this.meta = msg;
    } else if (msg.kind === 'video') {
      // Cached frames were coded against the previous configuration.
      if (msg.discontinuity) this.gop.clear();
      this.vsh = msg;
      const codec = videoCodecName(msg.payload);
      if (codec !== null && this.info.video?.codec !== codec) this.info.video = { codec };
    } else {
      this.ash = msg;
      const codec = audioCodecName(msg.payload);
      if (codec !== null && this.info.audio?.codec !== codec) this.info.audio = { codec };
    }
  }
}
