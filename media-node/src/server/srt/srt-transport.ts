import type { PlayerTransport } from '../delivery/transport.ts';

/** MPEG-TS packets per SRT message: 7 x 188 = 1316, what every SRT encoder and libsrt's tools send. */
export const TS_PACKETS_PER_MESSAGE = 7;
const TS_PACKET_BYTES = 188;

/**
 * Packets sent and not yet acknowledged before a player counts as backpressured:
 * 2048 x 1316 bytes is 2.7 MB, over 4 s of a 5 Mbit/s stream. Beyond it the
 * pump stops taking from the hub and the consumer's own bound (drop to the
 * next keyframe, then close as slow) decides, as for TCP players.
 */
export const SRT_PLAYER_HIGH_WATER_PACKETS = 2048;

/** What the transport needs of an SRT session (srt-endpoint.ts SrtSession). */
export interface SrtSendSide {
  send(payload: Uint8Array): void;
  readonly connection: { readonly maxPayload: number; readonly sendBuffered: number; readonly state: 'connected' | 'closed' };
}

/**
 * A player's transport over SRT: the pump's shared TS buffers cut into SRT
 * messages of whole TS packets (1316 bytes, fewer when the caller's MSS is
 * small). A message that lies inside one buffer is sent as a view of it (no
 * copy); only one that straddles two buffers is joined. What is left at the
 * end of a flush goes out at once, shorter: live data does not wait for more.
 * Backpressure is the connection's unacknowledged backlog; `poll()` (every
 * endpoint tick) releases a pump waiting for it to drain.
 */
export class SrtTransport implements PlayerTransport {
  private readonly session: SrtSendSide;
  private readonly messageBytes: number;
  private readonly parts: Uint8Array[] = [];
  private partBytes = 0;
  private waiters: (() => void)[] = [];

  constructor(session: SrtSendSide) {
    this.session = session;
    const packets = Math.min(TS_PACKETS_PER_MESSAGE, Math.floor(session.connection.maxPayload / TS_PACKET_BYTES));
    this.messageBytes = Math.max(1, packets) * TS_PACKET_BYTES;
  }

  writeAll(chunks: readonly Uint8Array[]): void {
    if (this.closed) return;
    const size = this.messageBytes;
    for (let c = 0; c < chunks.length; c++) {
      const chunk = chunks[c]!;
      let off = 0;
      while (off < chunk.length) {
        if (this.partBytes === 0 && chunk.length - off >= size) {
          this.session.send(chunk.subarray(off, off + size));
          off += size;
          continue;
        }
        const take = Math.min(size - this.partBytes, chunk.length - off);
        this.parts.push(chunk.subarray(off, off + take));
        this.partBytes += take;
        off += take;
        if (this.partBytes === size) this.sendParts();
      }
    }
    if (this.partBytes > 0) this.sendParts();
  }

  get backpressured(): boolean {
    return this.session.connection.sendBuffered > SRT_PLAYER_HIGH_WATER_PACKETS;
  }

  onceDrain(cb: () => void): void {
    this.waiters.push(cb);
  }

  /** Releases pumps waiting for the backlog to shrink (or for the end). */
  poll(): void {
    if (this.waiters.length === 0 || (this.backpressured && !this.closed)) return;
    const waiting = this.waiters;
    this.waiters = [];
    for (const cb of waiting) cb();
  }

  get closed(): boolean {
    return this.session.connection.state === 'closed';
  }

  private sendParts(): void {
    const parts = this.parts;
    if (parts.length === 1) this.session.send(parts[0]!);
    else {
      const joined = new Uint8Array(this.partBytes);
      let pos = 0;
      for (const p of parts) {
        joined.set(p, pos);
        pos += p.length;
      }
      this.session.send(joined);
    }
    parts.length = 0;
    this.partBytes = 0;
  }
}
