import { MAX_HOOK_ANSWER_BYTES, readBounded } from '../hooks/http-hook-client.ts';

/** One answer of the control plane's `/internal` API: its status and body text, or why there was none. */
export type CpResponse = { readonly ok: true; readonly status: number; readonly text: string } | { readonly ok: false; readonly detail: string };

/**
 * POST a JSON body to the control plane with the node token as Bearer
 * (control-plane README, "Node API"). Never throws: a network error, a
 * timeout or an answer over MAX_HOOK_ANSWER_BYTES (the node API's answers are
 * a few KiB: a state and a short list of sessions) is `ok: false`.
 * Redirects are not followed: a node token must not travel elsewhere.
 */
export async function postControlPlane(url: string, token: string, body: unknown, timeoutMs: number): Promise<CpResponse> {
  try {
    const res = await fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
      body: JSON.stringify(body),
      redirect: 'manual',
      signal: AbortSignal.timeout(timeoutMs),
    });
    const text = await readBounded(res, MAX_HOOK_ANSWER_BYTES);
    if (text === null) return { ok: false, detail: `answer over ${MAX_HOOK_ANSWER_BYTES} bytes` };
    return { ok: true, status: res.status, text };
  } catch (error) {
    const e = error as Error;
    if (e.name === 'TimeoutError') return { ok: false, detail: `timed out after ${timeoutMs} ms` };
    const cause = (e as { cause?: { code?: unknown; message?: string } }).cause;
    return { ok: false, detail: `request failed: ${typeof cause?.code === 'string' ? cause.code : (cause?.message ?? e.message)}` };
  }
}

/** `https://cp.example.com/base/` + `internal/hooks` without a double slash. */
export function cpUrl(base: string, path: string): string {
  return `${base.replace(/\/+$/, '')}/${path}`;
}
