import { createSocket, type Socket } from 'node:dgram';
import { performance } from 'node:perf_hooks';
import { SrtCaller } from '../protocol/srt/caller.ts';
import type { SrtConnection, SrtConnectionOutput } from '../protocol/srt/connection/connection.ts';

/** Time the shutdown datagram gets to leave before the socket closes. */
const SHUTDOWN_FLUSH_MS = 20;

/** What one SRT player saw during the measurement window (since `mark`). */
export interface SrtPlayerWindow {
  /** MPEG-TS payload bytes delivered (after TSBPD) in the window. */
  readonly bytes: number;
  /** Packets its receiver reported lost (retransmission may have recovered them) in the window. */
  readonly lost: number;
  /** Packets its receiver gave up on (too late, or dropped by the sender) in the window: media it never got. */
  readonly dropped: number;
  /** Connected and not closed at the end of the window. */
  readonly open: boolean;
}

interface Counters {
  readonly bytes: number;
  readonly lost: number;
  readonly dropped: number;
}

/**
 * A minimal SRT player for load: one UDP socket, the repo's sans-IO caller
 * (`#!::r=app/stream,m=request`), then its SrtConnection, which acknowledges
 * (ACK, ACKACK, NAK) as libsrt does; delivered payloads are only counted.
 * The generator drives `tick` for all its players from one timer.
 */
export class SrtLoadPlayer {
  error: string | undefined;
  private readonly socket: Socket;
  private readonly host: string;
  private readonly port: number;
  private caller: SrtCaller | undefined;
  private connection: SrtConnection | undefined;
  private closedReason: string | undefined;
  private delivered = 0;
  private marked: Counters = { bytes: 0, lost: 0, dropped: 0 };

  constructor(host: string, port: number, streamId: string, latencyMs: number) {
    this.host = host;
    this.port = port;
    this.socket = createSocket('udp4');
    this.socket.on('error', (e) => {
      this.error ??= e.message;
    });
    this.socket.on('message', (m: Buffer) => this.receive(new Uint8Array(m.buffer, m.byteOffset, m.byteLength), performance.now()));
    this.socket.bind(0, host, () => {
      if (this.closedReason !== undefined) return;
      const now = performance.now();
      this.caller = new SrtCaller({ now, streamId, latencyMs, peerAddress: host });
      this.callerOutputs(this.caller.start(now));
    });
  }

  /** Received at least one payload. */
  get playing(): boolean {
    return this.delivered > 0;
  }

  /** Connected and not closed. */
  get open(): boolean {
    return this.connection !== undefined && this.closedReason === undefined;
  }

  /** Still connecting (no connection, no error yet). */
  get pending(): boolean {
    return this.connection === undefined && this.error === undefined && this.closedReason === undefined;
  }

  tick(now: number): void {
    if (this.closedReason !== undefined) return;
    if (this.connection) this.outputs(this.connection.tick(now));
    else if (this.caller) this.callerOutputs(this.caller.tick(now));
  }

  mark(): void {
    this.marked = this.counters();
  }

  window(): SrtPlayerWindow {
    const c = this.counters();
    return { bytes: c.bytes - this.marked.bytes, lost: c.lost - this.marked.lost, dropped: c.dropped - this.marked.dropped, open: this.open };
  }

  close(): void {
    if (this.closedReason === undefined && this.connection) this.outputs(this.connection.close(performance.now()));
    this.closedReason ??= 'closed';
    // Closing at once could cancel the shutdown datagram still in libuv's queue.
    setTimeout(() => this.socket.close(), SHUTDOWN_FLUSH_MS).unref();
  }

  private counters(): Counters {
    const rx = this.connection?.stats.receiver;
    return { bytes: this.delivered, lost: rx?.lost ?? 0, dropped: rx?.dropped ?? 0 };
  }

  private receive(datagram: Uint8Array, now: number): void {
    if (this.closedReason !== undefined) return;
    if (this.connection) this.outputs(this.connection.receive(datagram, now));
    else if (this.caller) this.callerOutputs(this.caller.receive(datagram, now));
  }

  private callerOutputs(outs: ReturnType<SrtCaller['receive']>): void {
    for (const o of outs) {
      if (o.kind === 'send') this.send(o.bytes);
      else if (o.kind === 'connected') this.connection = o.connection;
      else {
        this.error ??= `connect ${o.reason}${o.rejectCode === undefined ? '' : ` (code ${o.rejectCode})`}`;
        this.closedReason = o.reason;
      }
    }
  }

  private outputs(outs: readonly SrtConnectionOutput[]): void {
    for (const o of outs) {
      if (o.kind === 'send') this.send(o.bytes);
      else if (o.kind === 'data') this.delivered += o.payload.byteLength;
      else {
        this.closedReason = o.reason;
        this.error ??= this.delivered > 0 ? `closed: ${o.reason}` : `closed before any data: ${o.reason}`;
      }
    }
  }

  private send(bytes: Uint8Array): void {
    this.socket.send(bytes, this.port, this.host);
  }
}
