import { sleep } from './ffmpeg.ts';

/** Calls `f` every 100 ms until it gives a value (not undefined); throws naming `what` after `timeoutMs`. */
export async function pollFor<T>(what: string, timeoutMs: number, f: () => Promise<T | undefined>): Promise<T> {
  const deadline = performance.now() + timeoutMs;
  for (;;) {
    const v = await f();
    if (v !== undefined) return v;
    if (performance.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(100);
  }
}

/** The first `ms` of a live (endless) HTTP response body, such as an HTTP-FLV stream. */
export async function fetchFor(url: string, ms: number): Promise<Buffer> {
  const ac = new AbortController();
  const timer = setTimeout(() => ac.abort(), ms);
  const chunks: Uint8Array[] = [];
  try {
    const res = await fetch(url, { signal: ac.signal });
    for await (const c of res.body!) chunks.push(c as Uint8Array);
  } catch (error) {
    if (!ac.signal.aborted) throw error;
  } finally {
    clearTimeout(timer);
  }
  return Buffer.concat(chunks);
}
