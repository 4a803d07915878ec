import { hookAllowSchema, publishGrantSchema } from '@runnel/shared/hook-api';
import { judgeHookAnswer } from '../hooks/hook-answer.ts';
import { buildHookBody } from '../hooks/hook-body.ts';
import type { AdmissionAction, HookAction, HookBody, HookIds, HookRequest, NotifyAction } from '../hooks/hook-body.ts';
import type { HookClient, HookVerdict } from '../hooks/hook-client.ts';
import type { Logger } from '../log/logger.ts';
import { cpUrl, postControlPlane } from './cp-request.ts';

/**
 * A playback name the node will publish under: it becomes a source key, a
 * URL path segment and an HLS directory, so only URL- and file-safe
 * characters, at most 64 (the control plane's ids are far shorter).
 */
const PLAYBACK_NAME = /^[A-Za-z0-9_-]{1,64}$/;

/**
 * Waits before retrying a notification the control plane did not answer
 * (on_unpublish lost = a session the control plane still thinks is live
 * until the node's next beat). Three tries over ~2 s ride out a restart of
 * the control plane's process; longer would hold back this connection's later
 * notifications, which go out in order behind it.
 */
const NOTIFY_RETRY_DELAYS_MS = [500, 1500] as const;

/** tcUrl schemes (SRS: `rtmp://`, `srt://`, `webrtc://`) and the session protocol each names (shared/src/hook-api.ts `protocol`). */
const PROTOCOL_OF_SCHEME: Readonly<Record<string, 'rtmp' | 'srt' | 'webrtc'>> = { rtmp: 'rtmp', rtmps: 'rtmp', srt: 'srt', webrtc: 'webrtc' };
/** Actions whose control-plane body has the `protocol` field (the stream events; on_connect/on_close have no stream). */
const WITH_PROTOCOL: ReadonlySet<HookAction> = new Set<HookAction>(['on_publish', 'on_unpublish', 'on_play', 'on_stop', 'on_hls', 'on_dvr']);

/**
 * The SRS body plus Runnel's `protocol` extension, read from the tcUrl's
 * scheme, so the control plane records each session's protocol (local
 * `hooks` URLs keep SRS's exact bodies). Absent when the scheme is unknown.
 */
export function cpHookBody(action: HookAction, ids: HookIds, request: HookRequest): HookBody {
  const body = buildHookBody(action, ids, request);
  const scheme = /^([a-z]+):\/\//i.exec(request.tcUrl)?.[1].toLowerCase();
  const protocol = scheme === undefined ? undefined : PROTOCOL_OF_SCHEME[scheme];
  return protocol === undefined || !WITH_PROTOCOL.has(action) ? body : { ...body, protocol };
}

export interface CpHookClientOptions {
  /** The control plane's base URL (`control_plane.url`). */
  readonly url: string;
  readonly token: string;
  /** `server_id` is the node id the node registered with (shared/src/hook-api.ts). */
  readonly ids: HookIds;
  /** Per call (`hooks.timeout_ms`): admission fails closed when it passes. */
  readonly timeoutMs: number;
  readonly log: Logger;
}

/**
 * The SRS hooks sent to the control plane's one hook endpoint
 * (`POST /internal/hooks`, Bearer node token), judged by SRS's accept rule
 * like any hook (fails closed: no answer, a timeout or a malformed one
 * refuses with `auth_unavailable`; notifications are retried). An admitted `on_publish` carries the
 * stream's playback name: the verdict renames the stream to it, so the key a
 * publisher sent is never a stream name players, logs or HLS paths see.
 */
export function createCpHookClient(opts: CpHookClientOptions): HookClient {
  const endpoint = cpUrl(opts.url, 'internal/hooks');
  const where = cpUrl(new URL(opts.url).origin, 'internal/hooks');
  return {
    async admit(action: AdmissionAction, request: HookRequest): Promise<HookVerdict> {
      const res = await postControlPlane(endpoint, opts.token, cpHookBody(action, opts.ids, request), opts.timeoutMs);
      if (!res.ok) return { ok: false, reason: 'auth_unavailable', detail: res.detail, url: where };
      const answer = judgeHookAnswer(res.status, res.text);
      if (!answer.ok) return { ...answer, url: where };
      if (action !== 'on_publish') return { ok: true };
      const allow = hookAllowSchema.safeParse(JSON.parse(res.text));
      const grant = allow.success ? allow.data.data : undefined;
      const name = grant?.playback_name;
      if (name === undefined || !PLAYBACK_NAME.test(name)) {
        return { ok: false, reason: 'auth_unavailable', detail: 'on_publish admitted without a usable data.playback_name', url: where };
      }
      // A publish grant also says how to run the stream: the SRT caller's passphrase, whether to record.
      const publish = publishGrantSchema.safeParse(grant);
      if (!publish.success) return { ok: true, streamName: name };
      const { srt_passphrase: srtPassphrase, recording } = publish.data;
      return { ok: true, streamName: name, record: recording.mode === 'automatic', ...(srtPassphrase === undefined ? {} : { srtPassphrase }) };
    },

    async notify(action: NotifyAction, request: HookRequest): Promise<void> {
      const body = cpHookBody(action, opts.ids, request);
      const fields = { action, client: request.clientId, url: where };
      for (let attempt = 0; ; attempt++) {
        const res = await postControlPlane(endpoint, opts.token, body, opts.timeoutMs);
        const answer = res.ok ? judgeHookAnswer(res.status, res.text) : { ok: false as const, reason: 'auth_unavailable' as const, detail: res.detail };
        if (answer.ok) return opts.log.debug('hook_ok', fields);
        // Only a missing answer is worth another try; a clean refusal would be refused again.
        const retry = answer.reason === 'auth_unavailable' && attempt < NOTIFY_RETRY_DELAYS_MS.length;
        opts.log.warn('hook_failed', { ...fields, reason: answer.reason, detail: answer.detail, retry });
        if (!retry) return;
        await new Promise((r) => setTimeout(r, NOTIFY_RETRY_DELAYS_MS[attempt]));
      }
    },
  };
}

/**
 * The control plane first, then the node's own `hooks` URLs: both must admit,
 * both hear every notification. The control plane's rename is kept; the
 * local hooks see the request as the client sent it.
 */
export function chainHookClients(first: HookClient, then: HookClient): HookClient {
  return {
    async admit(action, request) {
      const a = await first.admit(action, request);
      if (!a.ok) return a;
      const b = await then.admit(action, request);
      return b.ok ? a : b;
    },
    async notify(action, request) {
      await first.notify(action, request);
      await then.notify(action, request);
    },
  };
}
