import { FlvToTs } from '../../format/remux/flv-to-ts.ts';
import type { Consumer } from '../../hub/consumer.ts';
import type { MediaMessage } from '../../hub/media-message.ts';
import type { Source } from '../../hub/source.ts';

/**
 * Serialize-once MPEG-TS for a source's HTTP-TS players. A TS stream is
 * stateful (parameter sets, continuity counters), so one remuxer per source
 * sees every message in order: this tap is a hub consumer that remuxes each
 * message the moment it is queued (synchronously, inside the source's
 * fan-out) and caches the packets in `msg.wire.ts`. Players then write those
 * shared buffers; their own flushes come later, on timers, so the bytes are
 * always there. The tap exists while the source has TS players.
 */
export class TsTap {
  private readonly remux = new FlvToTs();
  private readonly consumer: Consumer;
  private players = 0;
  private readonly onIdle: () => void;

  constructor(source: Source, onIdle: () => void) {
    this.onIdle = onIdle;
    this.consumer = source.addConsumer({
      minLatency: true,
      listener: {
        onReadable: () => this.drain(),
        // A new publish session: forget the old codec configuration (counters carry on).
        onPublish: () => this.remux.reset(),
      },
    });
    // The join burst (metadata, sequence headers, GOP cache) does not signal.
    this.drain();
  }

  /** PAT + PMT for a player starting now (empty before any track is known). */
  attach(): Uint8Array {
    this.players++;
    return this.remux.tables();
  }

  detach(): void {
    this.players--;
    if (this.players <= 0) {
      this.consumer.close();
      this.onIdle();
    }
  }

  private drain(): void {
    for (const m of this.consumer.take()) {
      // Overwriting is safe: a message meets a second tap only when an earlier
      // tap of this source ended with its last player, so nobody reads the old
      // bytes, and the new ones carry this tap's continuity counters.
      const bytes = this.remux.push(m.kind, m.timestamp, m.payload);
      m.wire.ts = bytes === null ? [] : [bytes];
    }
  }
}

/** One tap per source with TS players (HTTP-TS and SRT players of a source share it). */
const taps = new WeakMap<Source, TsTap>();

/** The source's TS tap, created with its first TS player; it goes when its last player detaches. */
export function tsTapFor(source: Source): TsTap {
  let tap = taps.get(source);
  if (tap === undefined) {
    tap = new TsTap(source, () => taps.delete(source));
    taps.set(source, tap);
  }
  return tap;
}

/** The shared TS bytes of a message, or null for messages TS does not carry (headers, metadata). */
export function tsWire(msg: MediaMessage): Uint8Array | null {
  const w = msg.wire.ts;
  return w === undefined || w.length === 0 ? null : w[0];
}
