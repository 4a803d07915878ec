import { connect } from 'node:net';

/** What a client transport reports. Never called synchronously from `dial`. */
export interface TransportHandlers {
  /** The connection is open: bytes may be written. */
  onOpen(): void;
  onData(bytes: Uint8Array): void;
  /** Always called exactly once, last; `error` when it failed (refused, reset, ...). */
  onClose(error: Error | null): void;
}

/** One outgoing byte stream, the narrow part of a socket the RTMP client uses. */
export interface ClientTransport {
  /** Queues the parts in order, as one write where the transport can. */
  write(parts: readonly Uint8Array[]): void;
  /** Bytes queued and not yet handed to the kernel (backpressure). */
  readonly bufferedBytes: number;
  /** Sends what is queued, then closes; forcibly after `graceMs`. */
  end(graceMs: number): void;
  /** Closes at once, dropping what is queued. */
  destroy(): void;
  /** Resolves when the transport is closed (after onClose). */
  readonly closed: Promise<void>;
}

export type Dialer = (host: string, port: number, handlers: TransportHandlers) => ClientTransport;

/** The real one: TCP via node:net, Nagle off (RTMP control messages are small and latency-bound). */
export const tcpDialer: Dialer = (host, port, handlers) => {
  const socket = connect({ host, port });
  socket.setNoDelay(true);
  let error: Error | null = null;
  let grace: ReturnType<typeof setTimeout> | undefined;
  socket.on('connect', () => handlers.onOpen());
  socket.on('data', (b: Buffer) => handlers.onData(b));
  // 'error' is always followed by 'close' (node:net), which reports it.
  socket.on('error', (e) => {
    error = e;
  });
  const closed = new Promise<void>((resolve) => {
    socket.on('close', () => {
      clearTimeout(grace);
      handlers.onClose(error);
      resolve();
    });
  });
  return {
    write(parts) {
      if (socket.destroyed || socket.writableEnded) return;
      socket.cork();
      for (const p of parts) socket.write(p);
      socket.uncork();
    },
    get bufferedBytes() {
      return socket.writableLength;
    },
    end(graceMs) {
      if (socket.destroyed) return;
      socket.end();
      grace = setTimeout(() => socket.destroy(), graceMs);
      grace.unref();
    },
    destroy() {
      socket.destroy();
    },
    closed,
  };
};
