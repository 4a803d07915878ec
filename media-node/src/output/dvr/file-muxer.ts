import type { DvrFormat } from './dvr-config.ts';

/**
 * One recording file being written, FLV or MP4: bytes to append in order as
 * frames come, then at the end a tail to append and patches over bytes
 * already written (MP4 mdat size; FLV duration and filesize). Pure: the
 * recorder moves the bytes to the spool.
 */
export type MuxResult =
  /** `frame`: a coded audio/video frame (not a header, end-of-sequence or command message). */
  | { readonly kind: 'written'; readonly parts: readonly Uint8Array[]; readonly frame: boolean }
  | { readonly kind: 'skip' }
  | { readonly kind: 'drop'; readonly reason: string }
  | { readonly kind: 'restart'; readonly reason: 'codec_changed' };

export interface MuxFlags {
  readonly keyframe: boolean;
  readonly sequenceHeader: boolean;
}

export interface FilePatch {
  readonly offset: number;
  readonly bytes: Uint8Array;
}

export interface FileEnding {
  readonly tail: readonly Uint8Array[];
  readonly patches: readonly FilePatch[];
  readonly durationMs: number;
  readonly fileBytes: number;
}

export interface FileMuxer {
  /** Bytes of the file so far. */
  readonly bytes: number;
  /** A format cap (MP4 samples) is reached: close the file. */
  readonly full: boolean;
  /** No frame was written: the file is not worth keeping. */
  readonly empty: boolean;
  /** The last decode problem, for logs. */
  readonly lastError: unknown;
  /** The first bytes of the file. */
  header(): readonly Uint8Array[];
  /** One hub payload at `t` ms from the file's start. */
  push(kind: 'audio' | 'video', t: number, payload: Uint8Array, flags: MuxFlags): MuxResult;
  /** Ends the file; `endMs` = where the next file starts, when known. */
  finish(endMs?: number): FileEnding;
}

export interface FileMuxerInit {
  readonly format: DvrFormat;
  /** Wall clock of the file's start (MP4 creation_time). */
  readonly wallMs: number;
  readonly hasAudio: boolean;
  readonly hasVideo: boolean;
  /** onMetaData body for FLV files. */
  readonly metadata: Uint8Array | null;
  /** MP4 sample cap (default MAX_MP4_SAMPLES). */
  readonly maxSamples?: number;
}
