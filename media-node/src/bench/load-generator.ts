import { performance } from 'node:perf_hooks';
import type { GeneratorReport, GeneratorStatus, OpenRequest } from './generator-protocol.ts';
import { FlvPlayer } from './flv-player.ts';
import { ReadPacer } from './read-pacer.ts';
import { RtmpPlayer } from './rtmp-player.ts';
import type { PlayerEnv, SocketPlayer } from './socket-player.ts';
import { summarizeErrors, type ErrorSummary } from './player-errors.ts';

/** Ramp granularity: players are opened in batches this often. */
const RAMP_TICK_MS = 20;
/**
 * Players of one generator that may be connecting at once (opened, no frame
 * yet, no error). A server busy with its players accepts slowly; opening
 * faster than it accepts overflows its listen backlog (Node's is 511), the
 * kernel drops SYNs, and those players retry after 1, 3, 7... s, so the run
 * would measure a server still absorbing a connection storm. Bounding the
 * connects in flight keeps the ramp at what the server can take.
 */
export const RAMP_MAX_PENDING = 64;
/** Largest socket read we take in one go; 64 KiB is what libuv reads by default. */
const READ_BUFFER_BYTES = 64 * 1024;

/**
 * The players of one load-generator process. Cheap by construction: one
 * shared read buffer, one timer for the ramp and one for all 'real' players,
 * and per read only the FLV/RTMP framing is parsed, to get timestamps.
 */
export class LoadGenerator {
  private readonly players: SocketPlayer[] = [];
  private readonly env: PlayerEnv = {
    readBuffer: new Uint8Array(READ_BUFFER_BYTES),
    now: () => performance.now(),
  };
  private pacer: ReadPacer | undefined;
  private ramp: NodeJS.Timeout | undefined;

  /** Starts opening `req.count` players at `req.rampPerSecond`, at most RAMP_MAX_PENDING connecting at once; returns at once (poll `status`). */
  open(req: OpenRequest): void {
    if (this.ramp || this.players.length > 0) throw new Error('players already opened');
    if (req.style === 'real') {
      this.pacer = new ReadPacer(req.pauseMs);
      this.pacer.start();
    }
    const url = new URL(req.url);
    const perTick = Math.max(1, Math.round((req.rampPerSecond * RAMP_TICK_MS) / 1000));
    const pending = new Set<SocketPlayer>();
    const openBatch = (): void => {
      for (const p of pending) if (p.clock.started || p.error !== undefined) pending.delete(p);
      const n = Math.min(perTick, req.count - this.players.length, RAMP_MAX_PENDING - pending.size);
      for (let i = 0; i < n; i++) {
        const p = req.protocol === 'flv' ? new FlvPlayer(url, this.env) : new RtmpPlayer(url, this.env);
        this.players.push(p);
        pending.add(p);
        this.pacer?.add(p);
      }
      if (this.players.length >= req.count) {
        clearInterval(this.ramp);
      }
    };
    this.ramp = setInterval(openBatch, RAMP_TICK_MS);
    openBatch();
  }

  status(): GeneratorStatus {
    let open = 0;
    let playing = 0;
    for (const p of this.players) {
      if (p.open) open++;
      if (p.clock.started) playing++;
    }
    return { type: 'status', created: this.players.length, open, playing, ...this.errorSummary() };
  }

  mark(): void {
    for (const p of this.players) p.mark();
  }

  report(): GeneratorReport {
    const now = this.env.now();
    let windowBytes = 0;
    const lags = this.players.map((p) => {
      windowBytes += p.windowBytes;
      return p.lagAt(now);
    });
    return { type: 'report', lags, windowBytes, ...this.errorSummary() };
  }

  close(): void {
    clearInterval(this.ramp);
    this.pacer?.stop();
    for (const p of this.players) p.close();
  }

  private errorSummary(): ErrorSummary {
    return summarizeErrors(this.players.map((p) => p.error));
  }
}
