import type { Socket } from 'node:net';
import type { WebSocket } from 'ws';
import { StreamTransport } from './transport.ts';
import type { PlayerTransport } from './transport.ts';

/** RFC 6455 5.2: FIN + binary opcode. */
const FIN_BINARY = 0x82;

/** The header of one unmasked (server-to-client) binary frame of `length` bytes (RFC 6455 5.2). */
export function binaryFrameHeader(length: number): Uint8Array {
  if (length < 126) return Uint8Array.of(FIN_BINARY, length);
  if (length < 0x10000) return Uint8Array.of(FIN_BINARY, 126, length >>> 8, length & 0xff);
  const h = new Uint8Array(10);
  h[0] = FIN_BINARY;
  h[1] = 127;
  new DataView(h.buffer).setBigUint64(2, BigInt(length));
  return h;
}

/**
 * WS-FLV without a copy per player: each merged flush goes out as ONE binary
 * WebSocket message whose payload is the shared frame buffers, written after
 * a small frame header straight to the upgraded socket in one corked write.
 * `ws` still owns the handshake and reads what the player sends (close, ping);
 * its own frames (pong, close) are whole writes too, so frames never interleave.
 */
export class WsFrameTransport implements PlayerTransport {
  private readonly ws: WebSocket;
  private readonly socket: Socket;
  private readonly inner: StreamTransport;
  private readonly parts: Uint8Array[] = [];

  constructor(ws: WebSocket) {
    this.ws = ws;
    // ws 8 keeps the upgraded socket in `_socket` for the life of the connection.
    this.socket = (ws as unknown as { _socket: Socket })._socket;
    this.inner = new StreamTransport(this.socket);
  }

  writeAll(chunks: readonly Uint8Array[]): void {
    if (this.closed) return;
    let n = 0;
    for (let i = 0; i < chunks.length; i++) n += chunks[i].length;
    if (n === 0) return;
    const parts = this.parts;
    parts.length = 0;
    parts.push(binaryFrameHeader(n));
    for (let i = 0; i < chunks.length; i++) parts.push(chunks[i]);
    this.inner.writeAll(parts);
    parts.length = 0;
  }

  get backpressured(): boolean {
    return this.inner.backpressured;
  }

  onceDrain(cb: () => void): void {
    this.inner.onceDrain(cb);
  }

  get closed(): boolean {
    return this.ws.readyState !== 1 || this.inner.closed;
  }
}
