import { startWhepLoadClient, type WhepLoadClient, type WhepLoadCounters } from '../protocol/rtc/whep-load-client.ts';
import type { RtcPlayerWindow } from './rtc-play-summary.ts';
import type { GeneratorKind } from './generator-protocol.ts';
import { summarizeErrors, type ErrorSummary } from './player-errors.ts';

/**
 * The messages between `runnel bench rtc` and its WHEP load-generator
 * processes (Node IPC, JSON), in the shape of generator-protocol.ts: every
 * request carries an id and gets exactly one reply with the same id.
 */
export interface RtcOpenRequest {
  readonly type: 'open';
  /** http://127.0.0.1:Q/rtc/v1/whep/?app=live&stream=bench */
  readonly url: string;
  readonly count: number;
  readonly audio: boolean;
  readonly rampPerSecond: number;
}


export interface RtcGeneratorStatus {
  readonly type: 'status';
  readonly created: number;
  /** Connected and received at least one video frame. */
  readonly playing: number;
  readonly errors: number;
  readonly topError: string | undefined;
}

export interface RtcGeneratorReport {
  readonly type: 'report';
  readonly players: readonly RtcPlayerWindow[];
  readonly errors: number;
  readonly topError: string | undefined;
}

/** What this generator speaks (generator-protocol.ts): GeneratorClient<RtcGeneratorKind> and serveGenerator use it. */
export interface RtcGeneratorKind extends GeneratorKind {
  readonly open: RtcOpenRequest;
  readonly status: RtcGeneratorStatus;
  readonly report: RtcGeneratorReport;
}

/** Ramp granularity: players are opened in batches this often. */
const RAMP_TICK_MS = 20;
/**
 * Players of one generator between POSTing the offer and their first video
 * frame. The node makes peer connections one at a time (werift's port
 * probing, protocol/rtc README) and a DTLS handshake costs both sides
 * milliseconds of CPU, so a deeper queue only measures the handshake storm.
 */
export const RTC_RAMP_MAX_PENDING = 8;
/** An answer slower than this is an error (the node's own connect timeout is 15 s). */
const EXCHANGE_TIMEOUT_MS = 15_000;
/** The largest SDP answer read: the node's answers are a few KiB. */
const MAX_ANSWER_BYTES = 64 * 1024;

/** POSTs an SDP offer to a WHEP endpoint (RFC 9725 4.2) and returns the answer. */
async function exchangeWhep(url: string, offer: string): Promise<string> {
  const res = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/sdp' }, body: offer, signal: AbortSignal.timeout(EXCHANGE_TIMEOUT_MS) });
  const text = await res.text();
  if (res.status !== 201) throw new Error(`WHEP ${res.status}: ${text.slice(0, 200)}`);
  if (text.length > MAX_ANSWER_BYTES) throw new Error(`WHEP answer of ${text.length} bytes`);
  return text;
}

const zero = (): Omit<RtcPlayerWindow, 'open'> => ({ videoPackets: 0, videoBytes: 0, videoFrames: 0, audioPackets: 0, audioBytes: 0, duplicates: 0 });

function snapshot(c: WhepLoadCounters): Omit<RtcPlayerWindow, 'open'> {
  return { videoPackets: c.video.packets, videoBytes: c.video.bytes, videoFrames: c.video.frames, audioPackets: c.audio.packets, audioBytes: c.audio.bytes, duplicates: c.video.duplicates + c.audio.duplicates };
}

/** One WHEP player: its client once the answer is in, or the error that stopped it. */
class RtcLoadPlayer {
  client: WhepLoadClient | undefined;
  error: string | undefined;
  private marked = zero();
  private closed = false;

  constructor(url: string, audio: boolean) {
    startWhepLoadClient({ address: '127.0.0.1', audio, exchange: (offer) => exchangeWhep(url, offer) }).then(
      (c) => {
        if (this.closed) void c.close();
        else this.client = c;
      },
      (e: unknown) => (this.error = e instanceof Error ? e.message : String(e)),
    );
  }

  get playing(): boolean {
    return this.client !== undefined && this.client.state() === 'connected' && this.client.counters.video.frames > 0;
  }

  get pending(): boolean {
    return this.error === undefined && !this.playing && (this.client === undefined || this.client.state() === 'connecting' || this.client.state() === 'connected');
  }

  mark(): void {
    this.marked = this.client ? snapshot(this.client.counters) : zero();
  }

  window(): RtcPlayerWindow {
    const now = this.client ? snapshot(this.client.counters) : zero();
    const m = this.marked;
    return {
      open: this.client?.state() === 'connected',
      videoPackets: now.videoPackets - m.videoPackets,
      videoBytes: now.videoBytes - m.videoBytes,
      videoFrames: now.videoFrames - m.videoFrames,
      audioPackets: now.audioPackets - m.audioPackets,
      audioBytes: now.audioBytes - m.audioBytes,
      duplicates: now.duplicates - m.duplicates,
    };
  }

  close(): void {
    this.closed = true;
    void this.client?.close();
  }
}

/** The WHEP players of one load-generator process. */
export class RtcLoadGenerator {
  private readonly players: RtcLoadPlayer[] = [];
  private ramp: NodeJS.Timeout | undefined;

  /** Starts opening `req.count` players at `req.rampPerSecond`, at most RTC_RAMP_MAX_PENDING connecting at once; returns at once. */
  open(req: RtcOpenRequest): void {
    if (this.ramp || this.players.length > 0) throw new Error('players already opened');
    const perTick = Math.max(1, Math.round((req.rampPerSecond * RAMP_TICK_MS) / 1000));
    const openBatch = (): void => {
      let pending = 0;
      for (const p of this.players) if (p.pending) pending++;
      const n = Math.min(perTick, req.count - this.players.length, RTC_RAMP_MAX_PENDING - pending);
      for (let i = 0; i < n; i++) this.players.push(new RtcLoadPlayer(req.url, req.audio));
      if (this.players.length >= req.count) clearInterval(this.ramp);
    };
    this.ramp = setInterval(openBatch, RAMP_TICK_MS);
    openBatch();
  }

  status(): RtcGeneratorStatus {
    let playing = 0;
    for (const p of this.players) if (p.playing) playing++;
    return { type: 'status', created: this.players.length, playing, ...this.errorSummary() };
  }

  mark(): void {
    for (const p of this.players) p.mark();
  }

  report(): RtcGeneratorReport {
    return { type: 'report', players: this.players.map((p) => p.window()), ...this.errorSummary() };
  }

  close(): void {
    clearInterval(this.ramp);
    for (const p of this.players) p.close();
  }

  private errorSummary(): ErrorSummary {
    return summarizeErrors(this.players.map((p) => p.error ?? (p.client?.state() === 'failed' ? 'ICE/DTLS failed' : undefined)));
  }
}
