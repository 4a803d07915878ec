import { z } from 'zod';

/**
 * The SRS `http_hooks` contract between a media node and the control plane
 * (srs.md section 3). The node POSTs SRS's own bodies (4.0 fields required,
 * the 5.0/6.0 additions optional, unknown fields ignored) to the control
 * plane's hook endpoint; the answer follows SRS's accept rule: HTTP 200 and
 * `{"code":0}` admits, any other `code` refuses. Runnel extends the answer
 * with `data` (what the node needs to run the stream) and a refusal with a
 * stable `reason`.
 *
 * Naming rules shared by both sides:
 * - `server_id` in every body is the node id the node registered with;
 * - a publisher's credential is the stream name: RTMP `rtmp://node/live/<stream_key>`,
 *   SRT `#!::r=live/<stream_key>,m=publish`, WHIP (Bearer token = stream key)
 *   reported as `stream: <stream_key>`;
 * - once admitted, the node publishes the stream under `app/playback_name`
 *   from the answer, so players (and logs, and HLS paths) never see the key.
 */

/** The app every Runnel publish and playback URL uses (SRS's default app). */
export const RUNNEL_APP = 'live';

/** SRS client ids are 8 characters; 64 leaves room for other nodes' ids without letting a body grow unbounded. */
const MAX_ID_CHARS = 64;
/** Stream keys and playback ids are well under 64; 256 allows SRS names written by hand. */
const MAX_NAME_CHARS = 256;
/** A query can carry a playback token (MAX_TOKEN_CHARS = 2048) plus a few other pairs. */
const MAX_PARAM_CHARS = 4096;
/** tcUrl/pageUrl/file paths; browsers cap URLs near 8 KiB, SRS's own are short. */
const MAX_URL_CHARS = 2048;

/** A DVR file longer than a week is a clock bug, not a recording (SRS segments plans close files every dvr_duration). */
const MAX_RECORDING_S = 7 * 24 * 3600;

const id = z.string().max(MAX_ID_CHARS);
const name = z.string().max(MAX_NAME_CHARS);
const long = z.string().max(MAX_URL_CHARS);

/** Fields of every hook body (SRS 4.0), plus SRS 6's `service_id`. */
const common = {
  server_id: id.min(1),
  service_id: id.optional(),
  client_id: id.min(1),
  ip: z.string().max(64),
  vhost: name,
  app: name,
};

/** Fields of the stream events (publish, unpublish, play, stop, dvr, hls). */
const streamEvent = {
  ...common,
  stream: name.min(1),
  param: z.string().max(MAX_PARAM_CHARS).default(''),
  tcUrl: long.optional(),
  pageUrl: long.optional(),
  stream_url: long.optional(),
  stream_id: id.optional(),
  /** Runnel extension: the ingest or delivery protocol (SRS has no such field). */
  protocol: z.enum(['rtmp', 'srt', 'webrtc', 'flv', 'hls']).optional(),
};

export const hookBodySchema = z.discriminatedUnion('action', [
  z.object({ action: z.literal('on_connect'), ...common, tcUrl: long.optional(), pageUrl: long.optional(), stream: name.optional(), param: z.string().max(MAX_PARAM_CHARS).optional() }),
  z.object({ action: z.literal('on_close'), ...common, send_bytes: z.number().int().min(0), recv_bytes: z.number().int().min(0) }),
  z.object({ action: z.literal('on_publish'), ...streamEvent }),
  z.object({
    action: z.literal('on_unpublish'),
    ...streamEvent,
    /** Runnel extension: bytes received from the publisher over the publish (SRS sends none). */
    recv_bytes: z.number().int().min(0).optional(),
  }),
  z.object({ action: z.literal('on_play'), ...streamEvent }),
  z.object({ action: z.literal('on_stop'), ...streamEvent }),
  z.object({
    action: z.literal('on_hls'),
    ...streamEvent,
    duration: z.number().min(0),
    file: long,
    url: long,
    m3u8: long,
    m3u8_url: long,
    seq_no: z.number().int().min(0),
  }),
  z.object({
    action: z.literal('on_dvr'),
    ...streamEvent,
    cwd: long,
    file: long,
    /** Runnel extensions (a media node sends them, SRS does not): where a recording in a bucket is served (a CDN URL), */
    url: long.optional(),
    /** its media duration in seconds, */
    duration: z.number().min(0).max(MAX_RECORDING_S).optional(),
    /** and its size in bytes. */
    bytes: z.number().int().min(0).max(Number.MAX_SAFE_INTEGER).optional(),
  }),
]);
export type HookBody = z.infer<typeof hookBodySchema>;
export type HookAction = HookBody['action'];

/** What a node needs to run an admitted publish. */
export const publishGrantSchema = z.object({
  live_stream_id: z.string(),
  tenant_id: z.string(),
  session_id: z.string(),
  app: z.string(),
  /** Publish under `app/playback_name` instead of the key. */
  playback_name: z.string(),
  playback_policy: z.enum(['public', 'signed']),
  recording: z.object({ mode: z.enum(['off', 'automatic']) }),
  reconnect_window_s: z.number().int(),
  /** SRT publishes only: the passphrase the caller must encrypt with (libsrt's 10-80 characters). */
  srt_passphrase: z.string().min(10).max(80).optional(),
});
export type PublishGrant = z.infer<typeof publishGrantSchema>;

/** What a node needs to serve an admitted player. */
export const playGrantSchema = z.object({
  live_stream_id: z.string(),
  tenant_id: z.string(),
  app: z.string(),
  playback_name: z.string(),
  playback_policy: z.enum(['public', 'signed']),
});
export type PlayGrant = z.infer<typeof playGrantSchema>;

export const hookAllowSchema = z.object({
  code: z.literal(0),
  data: z.union([publishGrantSchema, playGrantSchema]).optional(),
});
export type HookAllow = z.infer<typeof hookAllowSchema>;

/**
 * Why a hook refused, and the non-zero `code` SRS sees. Codes echo the HTTP
 * status a REST API would use; `reason` is the stable name to log and match.
 * A wrong and a rotated stream key are the same reason on purpose: the answer
 * must not tell a guesser that a key once existed.
 */
export const HOOK_DENY_CODES = {
  stream_key_invalid: 403,
  stream_disabled: 403,
  already_publishing: 409,
  playback_not_found: 404,
  playback_token_required: 401,
  playback_token_invalid: 403,
  node_not_registered: 412,
} as const;
export type HookDenyReason = keyof typeof HOOK_DENY_CODES;

export const hookDenySchema = z.object({
  code: z.number().int().refine((n) => n !== 0, 'a refusal has a non-zero code'),
  reason: z.enum(Object.keys(HOOK_DENY_CODES) as [HookDenyReason, ...HookDenyReason[]]),
  msg: z.string(),
});
export type HookDeny = z.infer<typeof hookDenySchema>;

export function hookDeny(reason: HookDenyReason, msg: string): HookDeny {
  return { code: HOOK_DENY_CODES[reason], reason, msg };
}
