import type { PlayProtocol, ReadStyle } from './bench-options.ts';

/**
 * The messages between the benchmark and its load-generator processes (Node
 * IPC, JSON). Every request carries an id and gets exactly one reply with the
 * same id.
 */
export interface OpenRequest {
  readonly type: 'open';
  readonly protocol: PlayProtocol;
  /** rtmp://... or http://....flv */
  readonly url: string;
  readonly count: number;
  readonly style: ReadStyle;
  readonly pauseMs: number;
  readonly rampPerSecond: number;
}

export interface GeneratorStatus {
  readonly type: 'status';
  /** Players created so far (the ramp is done when this equals the count asked for). */
  readonly created: number;
  readonly open: number;
  /** Players that received at least one frame. */
  readonly playing: number;
  /** The most common failure and how many players had it. */
  readonly topError: string | undefined;
  readonly errors: number;
}

export interface GeneratorReport {
  readonly type: 'report';
  /** Per player: lag in ms at the end of the window, or null if it never got a frame or is closed. */
  readonly lags: readonly (number | null)[];
  readonly windowBytes: number;
  readonly errors: number;
  readonly topError: string | undefined;
}

export interface Envelope<T> {
  readonly id: number;
  readonly body: T;
}

/**
 * What one kind of load generator speaks (the fan-out bench's FLV/RTMP players,
 * SRT players, WHEP players): the same four requests, its own open request,
 * status and report. GeneratorClient and serveGenerator are written once over it.
 */
export interface GeneratorKind {
  readonly open: { readonly type: 'open' };
  readonly status: { readonly type: 'status' };
  readonly report: { readonly type: 'report' };
}

/** The fan-out bench's generator (RTMP / HTTP-FLV players). */
export interface FlvGeneratorKind extends GeneratorKind {
  readonly open: OpenRequest;
  readonly status: GeneratorStatus;
  readonly report: GeneratorReport;
}

export type RequestOf<K extends GeneratorKind> = K['open'] | { readonly type: 'status' } | { readonly type: 'mark' } | { readonly type: 'report' };
export type ReplyOf<K extends GeneratorKind> = K['status'] | K['report'] | { readonly type: 'ok' } | { readonly type: 'error'; readonly message: string };
