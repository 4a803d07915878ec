import { createServer } from 'node:http';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/** A client gets this long to send its request headers (Node's default is 60 s; API calls are tiny). */
export const API_HEADERS_TIMEOUT_MS = 10_000;
/** And this long for the whole request. */
export const API_REQUEST_TIMEOUT_MS = 30_000;
/** On stop, requests still running after this are cut. */
export const API_CLOSE_GRACE_MS = 1_000;

export interface ApiServer {
  /** The bound port (the real one when 0 was asked). */
  readonly port: number;
  readonly host: string;
  /** Stops accepting, lets running requests finish for API_CLOSE_GRACE_MS, then closes what is left. */
  close(): Promise<void>;
}

export interface ApiServerOptions {
  readonly host: string;
  /** 0 = a free port. */
  readonly port: number;
  readonly handler: (req: IncomingMessage, res: ServerResponse) => void;
}

/** Thrown when the port cannot be bound; the message says what to change. */
export class ListenError extends Error {
  readonly errno: string | undefined;

  constructor(message: string, errno: string | undefined) {
    super(message);
    this.name = 'ListenError';
    this.errno = errno;
  }
}

export function startApiServer(opts: ApiServerOptions): Promise<ApiServer> {
  const server = createServer({ headersTimeout: API_HEADERS_TIMEOUT_MS, requestTimeout: API_REQUEST_TIMEOUT_MS }, opts.handler);
  return new Promise((resolve, reject) => {
    const onError = (e: NodeJS.ErrnoException) => {
      const why = e.code === 'EADDRINUSE' ? 'the port is in use (is another server running?)' : e.code === 'EACCES' ? 'permission denied' : e.message;
      reject(new ListenError(`api: cannot listen on ${opts.host}:${opts.port}: ${why}; choose another with --api-port or listen.api`, e.code));
    };
    server.once('error', onError);
    server.listen(opts.port, opts.host, () => {
      server.off('error', onError);
      const port = (server.address() as AddressInfo).port;
      resolve({
        port,
        host: opts.host,
        close: () =>
          new Promise<void>((done) => {
            const timer = setTimeout(() => server.closeAllConnections(), API_CLOSE_GRACE_MS);
            timer.unref();
            server.close(() => {
              clearTimeout(timer);
              done();
            });
            server.closeIdleConnections();
          }),
      });
    });
  });
}
