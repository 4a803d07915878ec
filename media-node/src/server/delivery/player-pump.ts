import type { Consumer } from '../../hub/consumer.ts';
import type { MediaMessage } from '../../hub/media-message.ts';
import type { PlayerTransport } from './transport.ts';

/**
 * Moves a consumer's messages to a player's transport with SRS's merged
 * writes: the first message after a flush arms one timer for `mw_latency`
 * (immediately in min-latency mode); when it fires, everything queued goes
 * out as one corked write of shared, already-serialized buffers. While the
 * transport is backpressured the pump stops taking, so the consumer's own
 * bound (drop to keyframe, then close as slow) decides what happens; the
 * publisher and other players never wait.
 *
 * `encode` returns the wire form of a message for this output format, built
 * once per message and cached in `msg.wire` (serialize once, write to many),
 * or null for a message this format does not carry.
 */
export type WireEncoder = (msg: MediaMessage) => Uint8Array | null;

export class PlayerPump {
  private readonly consumer: Consumer;
  private readonly transport: PlayerTransport;
  private readonly encode: WireEncoder;
  private readonly now: () => number;
  private timer: ReturnType<typeof setTimeout> | null = null;
  private waitingDrain = false;
  private stopped = false;
  /** Reused between flushes: no per-flush array allocation. */
  private readonly batch: MediaMessage[] = [];
  private readonly chunks: Uint8Array[] = [];
  /** Bytes written to the transport (SRS send_bytes of this client). */
  sentBytes = 0;

  constructor(consumer: Consumer, transport: PlayerTransport, encode: WireEncoder, now: () => number) {
    this.consumer = consumer;
    this.transport = transport;
    this.encode = encode;
    this.now = now;
  }

  /** Wire this to the consumer listener's onReadable. */
  readable(): void {
    this.schedule();
  }

  /** Write whatever is queued now (e.g. at join, to send the GOP cache at once). */
  flushNow(): void {
    this.clearTimer();
    this.flush();
  }

  stop(): void {
    this.stopped = true;
    this.clearTimer();
  }

  private schedule(): void {
    if (this.stopped || this.timer !== null || this.waitingDrain) return;
    const at = this.consumer.flushAt;
    if (at === Infinity) return;
    const delay = Math.max(0, at - this.now());
    this.timer = setTimeout(this.onTimer, delay);
  }

  private readonly onTimer = (): void => {
    this.timer = null;
    this.flush();
  };

  private flush(): void {
    if (this.stopped || this.transport.closed) return;
    if (this.transport.backpressured) {
      if (!this.waitingDrain) {
        this.waitingDrain = true;
        this.transport.onceDrain(this.onDrain);
      }
      return;
    }
    const n = this.consumer.takeInto(this.batch);
    if (n === 0) return;
    const chunks = this.chunks;
    chunks.length = 0;
    let bytes = 0;
    for (let i = 0; i < n; i++) {
      const wire = this.encode(this.batch[i]);
      if (wire === null) continue;
      chunks.push(wire);
      bytes += wire.length;
    }
    this.batch.length = 0;
    this.transport.writeAll(chunks);
    chunks.length = 0;
    this.sentBytes += bytes;
  }

  private readonly onDrain = (): void => {
    this.waitingDrain = false;
    this.flush();
    this.schedule();
  };

  private clearTimer(): void {
    if (this.timer !== null) {
      clearTimeout(this.timer);
      this.timer = null;
    }
  }
}
