import { performance } from 'node:perf_hooks';
import { SrtLoadPlayer, type SrtPlayerWindow } from './srt-load-player.ts';
import type { GeneratorKind } from './generator-protocol.ts';
import { summarizeErrors, type ErrorSummary } from './player-errors.ts';

/**
 * The messages between `runnel bench srt` and its SRT load-generator
 * processes (Node IPC, JSON), in the shape of generator-protocol.ts: every
 * request carries an id and gets exactly one reply with the same id.
 */
export interface SrtOpenRequest {
  readonly type: 'open';
  readonly host: string;
  readonly port: number;
  /** `#!::r=live/bench,m=request` */
  readonly streamId: string;
  readonly count: number;
  readonly latencyMs: number;
  readonly rampPerSecond: number;
}


export interface SrtGeneratorStatus {
  readonly type: 'status';
  readonly created: number;
  readonly playing: number;
  readonly errors: number;
  readonly topError: string | undefined;
}

export interface SrtGeneratorReport {
  readonly type: 'report';
  readonly players: readonly SrtPlayerWindow[];
  readonly errors: number;
  readonly topError: string | undefined;
}

/** What this generator speaks (generator-protocol.ts): GeneratorClient<SrtGeneratorKind> and serveGenerator use it. */
export interface SrtGeneratorKind extends GeneratorKind {
  readonly open: SrtOpenRequest;
  readonly status: SrtGeneratorStatus;
  readonly report: SrtGeneratorReport;
}

/** Ramp granularity: players are opened in batches this often. */
const RAMP_TICK_MS = 20;
/**
 * Players of one generator that may be in the handshake at once. The node
 * admits SRT callers through hooks before accepting them and counts those
 * waiting against `srt.max_connections`; a storm of handshakes would measure
 * admission, not playing (the same bound as the fan-out bench's RAMP_MAX_PENDING).
 */
export const SRT_RAMP_MAX_PENDING = 64;
/**
 * How often every player's connection is ticked: the engine sends a full ACK
 * every 10 ms (draft-sharabayko-srt 4.10: SYN interval) and NAKs and
 * keepalives on coarser timers, so 10 ms keeps a player as prompt as libsrt.
 */
export const SRT_TICK_MS = 10;

/** The SRT players of one load-generator process: one timer ticks them all. */
export class SrtLoadGenerator {
  private readonly players: SrtLoadPlayer[] = [];
  private ramp: NodeJS.Timeout | undefined;
  private readonly ticker: NodeJS.Timeout;

  constructor() {
    this.ticker = setInterval(() => {
      const now = performance.now();
      for (const p of this.players) p.tick(now);
    }, SRT_TICK_MS);
  }

  /** Starts opening `req.count` players at `req.rampPerSecond`, at most SRT_RAMP_MAX_PENDING in the handshake at once; returns at once. */
  open(req: SrtOpenRequest): void {
    if (this.ramp || this.players.length > 0) throw new Error('players already opened');
    const perTick = Math.max(1, Math.round((req.rampPerSecond * RAMP_TICK_MS) / 1000));
    const openBatch = (): void => {
      let pending = 0;
      for (const p of this.players) if (p.pending || (p.open && !p.playing)) pending++;
      const n = Math.min(perTick, req.count - this.players.length, SRT_RAMP_MAX_PENDING - pending);
      for (let i = 0; i < n; i++) this.players.push(new SrtLoadPlayer(req.host, req.port, req.streamId, req.latencyMs));
      if (this.players.length >= req.count) clearInterval(this.ramp);
    };
    this.ramp = setInterval(openBatch, RAMP_TICK_MS);
    openBatch();
  }

  status(): SrtGeneratorStatus {
    let playing = 0;
    for (const p of this.players) if (p.playing) playing++;
    return { type: 'status', created: this.players.length, playing, ...this.errorSummary() };
  }

  mark(): void {
    for (const p of this.players) p.mark();
  }

  report(): SrtGeneratorReport {
    return { type: 'report', players: this.players.map((p) => p.window()), ...this.errorSummary() };
  }

  close(): void {
    clearInterval(this.ramp);
    clearInterval(this.ticker);
    for (const p of this.players) p.close();
  }

  private errorSummary(): ErrorSummary {
    return summarizeErrors(this.players.map((p) => p.error));
  }
}
