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

export type GeneratorRequest =
  | OpenRequest
  /** How far the ramp got. */
  | { readonly type: 'status' }
  /** Start of the measurement window. */
  | { readonly type: 'mark' }
  /** End of the window: every player's result. */
  | { readonly type: 'report' };

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

export type GeneratorReply = GeneratorStatus | GeneratorReport | { readonly type: 'ok' } | { readonly type: 'error'; readonly message: string };

export interface Envelope<T> {
  readonly id: number;
  readonly body: T;
}
