/**
 * The node's own counters for the benchmark's streams, from its
 * SRS-compatible API (`GET /api/v1/streams`, shared/reference/srs.md 6):
 * bytes received per stream tell whether each publisher is still sending in
 * real time (a node that cannot keep up stops reading, TCP pushes back and
 * ffmpeg -re falls behind its clock), with or without HLS.
 */

export interface StreamCounters {
  readonly app: string;
  readonly name: string;
  /** Bytes received from the publisher since the stream started. */
  readonly recvBytes: number;
  readonly publishing: boolean;
}

/** Largest reply read: the bench asks for at most MAX_STREAMS streams of about 1 KB of JSON each. */
export const MAX_API_REPLY_CHARS = 4 * 1024 * 1024;

/** The streams of a `/api/v1/streams` reply; throws an Error naming what is wrong with it. */
export function parseStreamsReply(text: string): StreamCounters[] {
  if (text.length > MAX_API_REPLY_CHARS) throw new Error(`streams reply longer than ${MAX_API_REPLY_CHARS} characters`);
  const body: unknown = JSON.parse(text);
  if (!isObject(body) || body.code !== 0 || !Array.isArray(body.streams)) throw new Error('not an SRS streams reply (code 0 with a streams list)');
  return body.streams.map((s: unknown, i) => {
    if (!isObject(s) || typeof s.app !== 'string' || typeof s.name !== 'string' || typeof s.recv_bytes !== 'number' || !isObject(s.publish)) {
      throw new Error(`streams[${i}] lacks app, name, recv_bytes or publish`);
    }
    return { app: s.app, name: s.name, recvBytes: s.recv_bytes, publishing: s.publish.active === true };
  });
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/**
 * Ingest rate of each named stream between two replies, Mbit/s. A stream
 * missing from either reply, or whose counter went down (it was published
 * again in between), gets 0: it did not receive the window's media.
 */
export function ingestMbps(before: readonly StreamCounters[], after: readonly StreamCounters[], names: readonly string[], wallMs: number): number[] {
  const key = (s: Pick<StreamCounters, 'app' | 'name'>): string => `${s.app}/${s.name}`;
  const b = new Map(before.map((s) => [key(s), s]));
  const a = new Map(after.map((s) => [key(s), s]));
  return names.map((n) => {
    const s0 = b.get(n);
    const s1 = a.get(n);
    if (!s0 || !s1 || !s1.publishing || s1.recvBytes < s0.recvBytes || wallMs <= 0) return 0;
    return ((s1.recvBytes - s0.recvBytes) * 8) / (wallMs * 1000);
  });
}
