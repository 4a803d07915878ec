import type { Writable } from 'node:stream';

/**
 * Where a player's bytes go: a TCP socket (RTMP, and the raw body of HTTP-FLV
 * and HTTP-TS) or a WebSocket (WS-FLV, `ws-frame-transport.ts`). The pump writes one flush at a time and
 * stops taking from its consumer while the transport is backpressured, so a
 * player that does not read costs its own bounded queue, nothing else.
 */
export interface PlayerTransport {
  /** Write one merged flush. The same buffers go to every player: never mutate them. */
  writeAll(chunks: readonly Uint8Array[]): void;
  /** More than the high-water mark is waiting in the kernel/user-space send buffers. */
  readonly backpressured: boolean;
  /** Call `cb` once when the transport has drained (or closed). */
  onceDrain(cb: () => void): void;
  readonly closed: boolean;
}

/**
 * Bytes allowed to wait in a player's user-space send buffer before the pump
 * stops taking from the hub: ~5 s of a 2 Mb/s stream. Beyond this the hub's
 * queue bound (queue_length, drop to keyframe) takes over.
 */
export const PLAYER_HIGH_WATER_BYTES = 1024 * 1024;

/** A node stream (net.Socket, http.ServerResponse). Writes are corked so one flush is one writev. */
export class StreamTransport implements PlayerTransport {
  private readonly stream: Writable;

  constructor(stream: Writable) {
    this.stream = stream;
  }

  writeAll(chunks: readonly Uint8Array[]): void {
    const s = this.stream;
    if (s.destroyed || s.writableEnded) return;
    s.cork();
    for (let i = 0; i < chunks.length; i++) s.write(chunks[i]);
    s.uncork();
  }

  get backpressured(): boolean {
    return this.stream.writableLength > PLAYER_HIGH_WATER_BYTES;
  }

  onceDrain(cb: () => void): void {
    const s = this.stream;
    const done = (): void => {
      s.off('drain', done);
      s.off('close', done);
      cb();
    };
    s.on('drain', done);
    s.on('close', done);
  }

  get closed(): boolean {
    return this.stream.destroyed || this.stream.writableEnded;
  }
}
