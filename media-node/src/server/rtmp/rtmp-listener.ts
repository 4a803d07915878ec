import { createServer } from 'node:net';
import type { Server } from 'node:net';
import { listen } from '../listen.ts';
import { RtmpConnection } from './rtmp-connection.ts';
import type { RtmpDeps } from './rtmp-deps.ts';

/** How often connections check their deadlines (handshake, publish timeouts): SRS-scale timeouts are seconds. */
const TICK_MS = 500;

export interface RtmpListener {
  readonly port: number;
  readonly connections: number;
  /** Stop accepting and close every connection. */
  close(): Promise<void>;
}

export async function startRtmpListener(deps: Omit<RtmpDeps, 'onClosed'>, host: string, port: number): Promise<RtmpListener> {
  const conns = new Map<string, RtmpConnection>();
  const full: RtmpDeps = { ...deps, onClosed: (c) => conns.delete(c.id) };
  const server: Server = createServer((socket) => {
    try {
      const conn = new RtmpConnection(socket, full);
      conns.set(conn.id, conn);
    } catch (error) {
      deps.log.error('rtmp_accept_failed', { error: error as Error });
      socket.destroy();
    }
  });
  server.on('error', (error) => deps.log.error('rtmp_listener_error', { error }));
  const bound = await listen(server, 'rtmp', host, port, '--rtmp-port or listen.rtmp');
  const ticker = setInterval(() => {
    const now = deps.now();
    for (const c of conns.values()) c.tick(now);
  }, TICK_MS);
  ticker.unref();
  return {
    port: bound,
    get connections() {
      return conns.size;
    },
    close() {
      clearInterval(ticker);
      const done = new Promise<void>((resolve) => server.close(() => resolve()));
      for (const c of [...conns.values()]) c.stop();
      return done;
    },
  };
}
