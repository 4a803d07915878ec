import type { ServerResponse } from 'node:http';
import type { Socket } from 'node:net';

/**
 * Start a live HTTP response whose body is the raw socket: status and headers
 * go out now, then the body is delimited by closing the connection (HTTP/1.1
 * allows it with `Connection: close`), not chunked. Players then get each
 * merged flush as one writev of the shared frame buffers, without Node's
 * per-write chunk framing (measured: 5x the CPU of RTMP for the same bytes).
 * Returns null if the socket is already gone.
 */
export function openRawHttpBody(res: ServerResponse, contentType: string): Socket | null {
  // Removing both length headers is how Node is told "neither chunked nor a length": the close ends the body.
  res.removeHeader('Content-Length');
  res.removeHeader('Transfer-Encoding');
  res.writeHead(200, { 'Content-Type': contentType, 'Cache-Control': 'no-cache, no-store', Connection: 'close' });
  res.flushHeaders();
  const socket = res.socket;
  if (socket === null || socket.destroyed) return null;
  socket.setNoDelay(true);
  return socket;
}
