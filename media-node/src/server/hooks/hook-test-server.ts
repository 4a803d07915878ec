import { createServer } from 'node:http';
import type { IncomingMessage, ServerResponse } from 'node:http';

/**
 * A real HTTP hook endpoint for tests (unit and e2e): records every request
 * and answers what `reply` says, optionally late (to test timeouts). Listens
 * on a free loopback port.
 */

export interface ReceivedHook {
  readonly method: string;
  /** Path and query of the request. */
  readonly path: string;
  readonly contentType: string;
  readonly raw: string;
  /** The parsed JSON body, or null if it was not a JSON object. */
  readonly body: Readonly<Record<string, unknown>> | null;
  /** Wall-clock ms when the request arrived. */
  readonly at: number;
}

export interface HookTestReply {
  readonly status?: number;
  /** Default `0`. */
  readonly body?: string;
  /** Answer after this many ms (a hook that times out). */
  readonly delayMs?: number;
  readonly headers?: Readonly<Record<string, string>>;
}

export interface HookTestServer {
  readonly port: number;
  url(path: string): string;
  readonly received: readonly ReceivedHook[];
  /** `action` of every received body, in order. */
  actions(): string[];
  /** Forget what was received. */
  clear(): void;
  /** What to answer; replace it at will. Default: 200 `0`. */
  reply: (hook: ReceivedHook) => HookTestReply;
  close(): Promise<void>;
}

/** Bodies we bother to keep; hook bodies are a few hundred bytes. */
const MAX_TEST_BODY_BYTES = 1024 * 1024;

export async function startHookTestServer(reply: (hook: ReceivedHook) => HookTestReply = () => ({})): Promise<HookTestServer> {
  const received: ReceivedHook[] = [];
  const timers = new Set<NodeJS.Timeout>();
  const state = { reply };
  const server = createServer((req, res) => {
    const at = Date.now();
    void readBody(req).then((raw) => {
      const hook: ReceivedHook = {
        method: req.method ?? '',
        path: req.url ?? '',
        contentType: req.headers['content-type'] ?? '',
        raw,
        body: parseObject(raw),
        at,
      };
      received.push(hook);
      answer(res, state.reply(hook), timers);
    }, () => res.destroy());
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const addr = server.address();
  const port = typeof addr === 'object' && addr !== null ? addr.port : 0;
  return {
    port,
    url: (path) => `http://127.0.0.1:${port}${path}`,
    received,
    actions: () => received.map((h) => String(h.body?.action ?? '')),
    clear: () => {
      received.length = 0;
    },
    get reply() {
      return state.reply;
    },
    set reply(fn) {
      state.reply = fn;
    },
    close() {
      for (const t of timers) clearTimeout(t);
      timers.clear();
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      server.closeAllConnections();
      return closed;
    },
  };
}

function answer(res: ServerResponse, r: HookTestReply, timers: Set<NodeJS.Timeout>): void {
  const send = (): void => {
    if (res.destroyed) return;
    const body = r.body ?? '0';
    res.writeHead(r.status ?? 200, { 'Content-Type': 'application/json', ...r.headers });
    res.end(body);
  };
  if (r.delayMs === undefined) return send();
  const t = setTimeout(() => {
    timers.delete(t);
    send();
  }, r.delayMs);
  timers.add(t);
}

async function readBody(req: IncomingMessage): Promise<string> {
  const parts: Buffer[] = [];
  let total = 0;
  for await (const chunk of req as AsyncIterable<Buffer>) {
    total += chunk.length;
    if (total <= MAX_TEST_BODY_BYTES) parts.push(chunk);
  }
  return Buffer.concat(parts).toString('utf8');
}

function parseObject(raw: string): Record<string, unknown> | null {
  try {
    const v: unknown = JSON.parse(raw);
    return v !== null && typeof v === 'object' && !Array.isArray(v) ? (v as Record<string, unknown>) : null;
  } catch {
    return null;
  }
}
