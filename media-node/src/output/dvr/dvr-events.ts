import type { DvrFormat, DvrPlan } from './dvr-config.ts';

/** What the DVR recorder tells the server: finished files, log lines, counters. */

/** Why a file was closed. */
export type DvrCloseReason =
  /** Segment plan: the file reached dvr_duration (at a keyframe when waiting for one). */
  | 'duration'
  /** The publisher left (both plans close the file, as SRS does). */
  | 'unpublish'
  /** The recorder was ended (stream gone, node stopping). */
  | 'end'
  /** A sequence header changed (codec switch, new SPS/PPS or ASC): a new file takes the new configuration. */
  | 'codec_changed'
  /** Timestamps jumped (reset, 2^31 step): a new file keeps each one's timeline sane. */
  | 'timestamp_jump'
  /** The file reached its size or sample cap. */
  | 'limit'
  /** The store fell too far behind: the file was closed and frames dropped until it catches up. */
  | 'backlog';

/**
 * One finished recording, stored under `key`: the fields of SRS's `on_dvr`
 * hook body that the recorder knows (`vhost`, `app`, `stream`, `file`; the
 * server adds the client's `client_id`, `ip`, `tcUrl`, `param` and `cwd`),
 * plus what a control plane wants to index it without opening it.
 */
export interface DvrFileEvent {
  readonly action: 'on_dvr';
  readonly vhost: string;
  readonly app: string;
  readonly stream: string;
  /** The store key (SRS: the file path; the server makes it one for a local store). */
  readonly file: string;
  readonly format: DvrFormat;
  readonly plan: DvrPlan;
  /** Media duration, seconds (3 decimals). */
  readonly duration: number;
  readonly bytes: number;
  /** Wall clock of the file's first frame, ms since the epoch (the template's [timestamp]). */
  readonly startTime: number;
  readonly videoFrames: number;
  readonly audioFrames: number;
  readonly reason: DvrCloseReason;
}

/** How the server (hooks, the control-plane client) learns about finished files. */
export interface DvrListener {
  /** Called after the file is in the store. Must not throw (errors are counted and logged). */
  onDvr?(event: DvrFileEvent): void;
}

export type DvrLogFields = { readonly [key: string]: string | number | boolean | null | undefined | Error };

/** The part of the node's Logger the recorder uses. */
export interface DvrLog {
  warn(event: string, fields?: DvrLogFields): void;
}

export interface DvrStats {
  /** Files stored and announced. */
  files: number;
  /** Files closed, by reason (stored or not). */
  readonly closeReasons: Partial<Record<DvrCloseReason, number>>;
  /** Frames not recorded, by reason (no sequence header, wait for a keyframe, unsupported codec, backlog ...). */
  readonly droppedFrames: Record<string, number>;
  /** Files with no media, discarded. */
  emptyFiles: number;
  /** Spool or store operations that failed (the file stays in the spool when the store failed). */
  storeErrors: number;
  /** Bytes handed to the spool and not yet written. */
  pendingBytes: number;
  listenerErrors: number;
  internalErrors: number;
}
