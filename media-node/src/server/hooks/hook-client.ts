import type { HookFailReason } from './hook-answer.ts';
import type { AdmissionAction, HookRequest, NotifyAction } from './hook-body.ts';

/** The outcome of an admission hook: allowed, or refused with a reason code and what went wrong. */
export type HookVerdict =
  | {
      readonly ok: true;
      /**
       * Publish under this stream name instead of the one the client sent (a
       * control plane admits `live/<stream_key>` as `live/<playback_name>`, so
       * players never see the key). Absent: the client's name.
       */
      readonly streamName?: string;
      /** SRT publish: the passphrase this caller must have encrypted with (a control plane's per-stream passphrase). */
      readonly srtPassphrase?: string;
      /** Publish: record it or not (a control plane's per-stream recording mode); absent: the node's `dvr` config decides. */
      readonly record?: boolean;
    }
  | {
      readonly ok: false;
      readonly reason: HookFailReason;
      /** Human detail: `status 500`, `code 1`, `timed out after 3000 ms`. */
      readonly detail: string;
      /** The hook that failed, without its query (which may hold a secret). */
      readonly url: string;
    };

export const ALLOWED: HookVerdict = { ok: true };

/**
 * What a connection handler needs from SRS-style HTTP hooks. Both methods
 * never reject: a broken hook is an answer (a refusal, or a log line), not
 * an exception in a socket handler.
 */
export interface HookClient {
  /**
   * on_connect / on_publish / on_play: calls each configured URL in order and
   * stops at the first that does not accept. No URLs configured = allowed.
   * Fails closed: a timeout or a garbage answer refuses (`auth_unavailable`).
   */
  admit(action: AdmissionAction, request: HookRequest): Promise<HookVerdict>;
  /**
   * on_unpublish / on_stop / on_close / on_dvr / on_hls: calls each configured URL in order;
   * failures are logged and otherwise ignored. Resolves when all were tried.
   */
  notify(action: NotifyAction, request: HookRequest): Promise<void>;
}
