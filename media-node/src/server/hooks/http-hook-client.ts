import type { Logger } from '../log/logger.ts';
import { judgeHookAnswer } from './hook-answer.ts';
import type { HookAnswer } from './hook-answer.ts';
import { buildHookBody } from './hook-body.ts';
import type { AdmissionAction, HookAction, HookIds, HookRequest, NotifyAction } from './hook-body.ts';
import { ALLOWED } from './hook-client.ts';
import type { HookClient, HookVerdict } from './hook-client.ts';

/**
 * Largest hook answer we read. A verdict is `0` or `{"code":0}`; a control
 * plane may add a `data` object (stream settings), still a few KiB. The bound
 * keeps a broken or hostile hook from making every pending admission buffer
 * an unbounded body; a larger answer is a failure (`auth_unavailable`).
 */
export const MAX_HOOK_ANSWER_BYTES = 64 * 1024;

/** The `hooks` section of the node config (camelCase, validated): URLs per event and the per-call timeout. */
export interface HooksConfig {
  readonly onConnect: readonly string[];
  readonly onClose: readonly string[];
  readonly onPublish: readonly string[];
  readonly onUnpublish: readonly string[];
  readonly onPlay: readonly string[];
  readonly onStop: readonly string[];
  readonly onDvr: readonly string[];
  readonly onHls: readonly string[];
  readonly timeoutMs: number;
}

export interface HttpHookClientOptions {
  readonly config: HooksConfig;
  readonly ids: HookIds;
  readonly log: Logger;
}

/**
 * SRS `http_hooks` over HTTP: a JSON POST per configured URL with SRS's body
 * (`hook-body.ts`), judged by SRS's accept rule (`hook-answer.ts`). Each call
 * has its own deadline (config `hooks.timeout_ms`, 3 s by default, instead of
 * SRS's 30 s client timeout that stalls an encoder) covering connect, headers
 * and body. Redirects are not followed (SRS's client does not either; a 3xx
 * is a failure). Only `fetch`: no child process, no shell, ever (bad-inputs
 * row 32), so names and queries are only ever JSON string values.
 */
export function createHttpHookClient(opts: HttpHookClientOptions): HookClient {
  const { config, ids, log } = opts;
  const urls: Readonly<Record<HookAction, readonly string[]>> = {
    on_connect: config.onConnect,
    on_close: config.onClose,
    on_publish: config.onPublish,
    on_unpublish: config.onUnpublish,
    on_play: config.onPlay,
    on_stop: config.onStop,
    on_dvr: config.onDvr,
    on_hls: config.onHls,
  };

  return {
    async admit(action: AdmissionAction, request: HookRequest): Promise<HookVerdict> {
      const list = urls[action];
      if (list.length === 0) return ALLOWED;
      const body = JSON.stringify(buildHookBody(action, ids, request));
      for (const url of list) {
        const answer = await postHook(url, body, config.timeoutMs);
        if (!answer.ok) return { ...answer, url: redactUrl(url) };
        log.debug('hook_ok', { action, client: request.clientId, url: redactUrl(url) });
      }
      return ALLOWED;
    },

    async notify(action: NotifyAction, request: HookRequest): Promise<void> {
      const list = urls[action];
      if (list.length === 0) return;
      const body = JSON.stringify(buildHookBody(action, ids, request));
      for (const url of list) {
        const answer = await postHook(url, body, config.timeoutMs);
        const fields = { action, client: request.clientId, url: redactUrl(url) };
        if (answer.ok) log.debug('hook_ok', fields);
        else log.warn('hook_failed', { ...fields, reason: answer.reason, detail: answer.detail });
      }
    },
  };
}

/** One POST, judged. Never throws: every failure is an `auth_unavailable` answer. */
export async function postHook(url: string, body: string, timeoutMs: number): Promise<HookAnswer> {
  try {
    const res = await fetch(url, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body,
      redirect: 'manual',
      signal: AbortSignal.timeout(timeoutMs),
    });
    if (res.status !== 200 && res.status !== 201) {
      await res.body?.cancel();
      return judgeHookAnswer(res.status, '');
    }
    const text = await readBounded(res, MAX_HOOK_ANSWER_BYTES);
    if (text === null) return { ok: false, reason: 'auth_unavailable', detail: `answer over ${MAX_HOOK_ANSWER_BYTES} bytes` };
    return judgeHookAnswer(res.status, text);
  } catch (error) {
    return { ok: false, reason: 'auth_unavailable', detail: describeFailure(error, timeoutMs) };
  }
}

/** The body as text, or null once it grows past `max` bytes (then the rest is not read). */
export async function readBounded(res: Response, max: number): Promise<string | null> {
  const declared = Number(res.headers.get('content-length') ?? '0');
  if (declared > max) {
    await res.body?.cancel();
    return null;
  }
  if (res.body === null) return '';
  const reader = res.body.getReader();
  const parts: Uint8Array[] = [];
  let total = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    total += value.byteLength;
    if (total > max) {
      await reader.cancel();
      return null;
    }
    parts.push(value);
  }
  const all = new Uint8Array(total);
  let off = 0;
  for (const p of parts) {
    all.set(p, off);
    off += p.byteLength;
  }
  return new TextDecoder().decode(all);
}

function describeFailure(error: unknown, timeoutMs: number): string {
  if (!(error instanceof Error)) return String(error);
  if (error.name === 'TimeoutError') return `timed out after ${timeoutMs} ms`;
  // undici reports network errors as TypeError('fetch failed') with the system error as its cause.
  const cause = (error as { cause?: unknown }).cause;
  if (cause instanceof Error) {
    const code = (cause as { code?: unknown }).code;
    return `request failed: ${typeof code === 'string' ? code : cause.message}`;
  }
  return `request failed: ${error.message}`;
}

/** A hook URL for logs: scheme, host and path; the query (often `?secret=...`) and credentials stay out. */
export function redactUrl(url: string): string {
  if (!URL.canParse(url)) return '(invalid url)';
  const u = new URL(url);
  return `${u.protocol}//${u.host}${u.pathname}`;
}
