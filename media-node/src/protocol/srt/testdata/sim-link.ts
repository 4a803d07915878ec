/**
 * Test helper: two SRT endpoints on a simulated network with a simulated
 * clock. Our caller and listener shake hands through it, then the two
 * connections exchange datagrams with a configurable one-way delay and a
 * per-datagram drop decision. Everything is deterministic and runs in
 * microseconds of real time.
 */
import { SrtCaller, type SrtCallerOptions } from '../caller.ts';
import type { SrtConnection, SrtConnectionOutput } from '../connection/connection.ts';
import { SrtListener, type SrtConnectRequest, type SrtListenerOptions } from '../listener.ts';

export type Side = 'caller' | 'listener';

export interface SimOptions {
  /** One-way delay, ms. */
  readonly delayMs?: number;
  /** Return true to lose this datagram (sent by `from`). */
  readonly drop?: (bytes: Uint8Array, from: Side) => boolean;
  /** The caller's clock runs this much faster than the listener's (1.001 = +1000 ppm). */
  readonly callerClockRate?: number;
  readonly caller?: Partial<SrtCallerOptions>;
  readonly listener?: Partial<SrtListenerOptions>;
}

interface InFlight {
  readonly at: number;
  readonly to: Side;
  readonly bytes: Uint8Array;
}

/** Deterministic random bytes (xorshift), so socket ids and cookies repeat. */
export function seededRandom(seed = 1): (n: number) => Uint8Array {
  let x = seed >>> 0 || 1;
  return (n) => {
    const out = new Uint8Array(n);
    for (let i = 0; i < n; i++) {
      x ^= x << 13;
      x ^= x >>> 17;
      x ^= x << 5;
      out[i] = x & 0xff;
    }
    return out;
  };
}

export class SimLink {
  now = 1000;
  readonly delayMs: number;
  caller!: SrtConnection;
  listener!: SrtConnection;
  request!: SrtConnectRequest;
  /** Data each side received, in order. */
  readonly received: Record<Side, Uint8Array[]> = { caller: [], listener: [] };
  readonly closed: Record<Side, string | null> = { caller: null, listener: null };
  /** Every datagram put on the wire, by sender. */
  readonly sent: Record<Side, Uint8Array[]> = { caller: [], listener: [] };
  private readonly queue: InFlight[] = [];
  private readonly opts: SimOptions;

  private readonly t0 = 1000;

  constructor(opts: SimOptions = {}) {
    this.opts = opts;
    this.delayMs = opts.delayMs ?? 5;
  }

  /** What `side`'s clock reads now. */
  clock(side: Side): number {
    return side === 'caller' ? this.t0 + (this.now - this.t0) * (this.opts.callerClockRate ?? 1) : this.now;
  }

  /** Runs the handshake (our caller against our listener) over the simulated network. */
  connect(): this {
    const random = seededRandom(7);
    const caller = new SrtCaller({ now: this.clock('caller'), streamId: '#!::r=live/sim,m=publish', random, ...this.opts.caller });
    const listener = new SrtListener({ now: this.now, random, cookieSecret: new Uint8Array(32).fill(9), ...this.opts.listener });
    const peer = { address: '10.0.0.1', port: 5000 };
    let toListener = caller.start(this.clock('caller')).flatMap((o) => (o.kind === 'send' ? [o.bytes] : []));
    for (let round = 0; round < 4 && !this.caller; round++) {
      this.now += this.delayMs;
      const toCaller: Uint8Array[] = [];
      for (const b of toListener) {
        const r = listener.handle(b, peer, this.now);
        if (r.kind === 'reply') toCaller.push(r.bytes);
        else if (r.kind === 'request') {
          this.request = r.request;
          const { connection, bytes } = listener.accept(r.request, this.now);
          this.listener = connection;
          toCaller.push(bytes);
        } else throw new Error(`listener ${r.kind}: ${r.reason}`);
      }
      this.now += this.delayMs;
      toListener = [];
      for (const b of toCaller) {
        for (const o of caller.receive(b, this.clock('caller'))) {
          if (o.kind === 'send') toListener.push(o.bytes);
          else if (o.kind === 'connected') this.caller = o.connection;
          else throw new Error(`caller failed: ${o.reason}`);
        }
      }
    }
    if (!this.caller || !this.listener) throw new Error('handshake did not complete');
    return this;
  }

  conn(side: Side): SrtConnection {
    return side === 'caller' ? this.caller : this.listener;
  }

  /** Applies outputs of `side`'s connection: datagrams go on the wire, data is collected. */
  apply(side: Side, outs: readonly SrtConnectionOutput[]): void {
    const other: Side = side === 'caller' ? 'listener' : 'caller';
    for (const o of outs) {
      if (o.kind === 'send') {
        this.sent[side].push(o.bytes);
        if (!this.opts.drop?.(o.bytes, side)) this.queue.push({ at: this.now + this.delayMs, to: other, bytes: o.bytes });
      } else if (o.kind === 'data') this.received[side].push(o.payload);
      else this.closed[side] = o.reason;
    }
  }

  send(side: Side, payload: Uint8Array): void {
    this.apply(side, this.conn(side).send(payload, this.clock(side)));
  }

  /** Injects a datagram as if it arrived at `side` now. */
  inject(side: Side, bytes: Uint8Array): void {
    this.apply(side, this.conn(side).receive(bytes, this.clock(side)));
  }

  /** Advances the clock in 1 ms steps: deliveries due, then both ticks. */
  run(ms: number, each?: (now: number) => void): void {
    const end = this.now + ms;
    while (this.now < end) {
      this.now += 1;
      this.queue.sort((a, b) => a.at - b.at);
      while (this.queue.length > 0 && this.queue[0]!.at <= this.now) {
        const d = this.queue.shift()!;
        this.apply(d.to, this.conn(d.to).receive(d.bytes, this.clock(d.to)));
      }
      each?.(this.now);
      this.apply('caller', this.caller.tick(this.clock('caller')));
      this.apply('listener', this.listener.tick(this.clock('listener')));
    }
  }
}
