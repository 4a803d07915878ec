import type { Outbox } from './outbox.ts';
import type { RtmpServerEvent } from './server-events.ts';

export type NetStreamState = 'idle' | 'publish-pending' | 'publishing' | 'play-pending' | 'playing';

/** One NetStream of a server connection (created by `createStream`). */
export interface NetStream {
  readonly id: number;
  state: NetStreamState;
  name: string;
  param: string;
  lastMediaAt: number;
}

/**
 * The NetStreams of one server connection: allocation by lowest free id,
 * which one publishes, and since when none is active (the identify
 * deadline of `RtmpServerSession.tick` counts from there).
 */
export class NetStreams {
  private readonly byId = new Map<number, NetStream>();
  /** Since when no stream has been publishing or playing (pending included). */
  private idle: number;

  constructor(now: number) {
    this.idle = now;
  }

  get size(): number {
    return this.byId.size;
  }

  get idleSince(): number {
    return this.idle;
  }

  get(id: number): NetStream | undefined {
    return this.byId.get(id);
  }

  values(): IterableIterator<NetStream> {
    return this.byId.values();
  }

  /** A new idle stream on the lowest free id: players share one chunked form per stream id. */
  create(): number {
    let id = 1;
    while (this.byId.has(id)) id++;
    this.byId.set(id, { id, state: 'idle', name: '', param: '', lastMediaAt: 0 });
    return id;
  }

  delete(id: number): void {
    this.byId.delete(id);
  }

  /** The stream `id` if it is in `state`. */
  inState(id: number, state: NetStreamState): NetStream | null {
    const s = this.byId.get(id);
    return s && s.state === state ? s : null;
  }

  /** The publishing stream for a message stream id; a single publisher also owns stray ids (SRS ignores them). */
  publisherOf(streamId: number): NetStream | null {
    const exact = this.byId.get(streamId);
    if (exact) return exact.state === 'publishing' ? exact : null;
    let only: NetStream | null = null;
    for (const s of this.byId.values()) {
      if (s.state !== 'publishing') continue;
      if (only) return null;
      only = s;
    }
    return only;
  }

  /** The stream publishing (or about to) under `name`. */
  publishingNamed(name: string | null): NetStream | undefined {
    for (const s of this.byId.values()) {
      if (s.name === name && (s.state === 'publishing' || s.state === 'publish-pending')) return s;
    }
    return undefined;
  }

  hasActive(): boolean {
    for (const s of this.byId.values()) if (s.state !== 'idle') return true;
    return false;
  }

  /** Ends publishing/playing on a stream, emitting the matching event; the stream stays allocated. */
  stop(s: NetStream, out: Outbox<RtmpServerEvent>, now: number): void {
    if (s.state === 'publishing' || s.state === 'publish-pending') {
      out.emit({ kind: 'unpublish', streamId: s.id, streamName: s.name });
    } else if (s.state === 'playing' || s.state === 'play-pending') {
      out.emit({ kind: 'play-stop', streamId: s.id, streamName: s.name });
    }
    const wasActive = s.state !== 'idle';
    s.state = 'idle';
    // the publish/play deadline starts again when the last stream ends
    if (wasActive && !this.hasActive()) this.idle = now;
  }

  /** Stops every stream (the connection is closing). */
  stopAll(out: Outbox<RtmpServerEvent>, now: number): void {
    for (const s of this.byId.values()) this.stop(s, out, now);
  }
}
