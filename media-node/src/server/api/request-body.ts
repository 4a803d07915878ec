import type { IncomingMessage } from 'node:http';

/**
 * Largest request body the API reads. The v1 endpoints take no body at all;
 * the limit is sized for the WebRTC signalling bodies that will share this
 * server (an SDP offer with many candidates is ~10-20 KB).
 */
export const MAX_API_BODY_BYTES = 64 * 1024;

/**
 * Reads the body, keeping at most `limit` bytes in memory; 'too_large' as
 * soon as the declared or received size passes the limit (the rest is not
 * read: the caller answers 413 and closes the connection).
 */
export function readBody(req: IncomingMessage, limit = MAX_API_BODY_BYTES): Promise<Uint8Array | 'too_large'> {
  const declared = Number(req.headers['content-length'] ?? 0);
  if (declared > limit) return Promise.resolve('too_large');
  return new Promise((resolve, reject) => {
    const parts: Buffer[] = [];
    let size = 0;
    const onData = (chunk: Buffer) => {
      size += chunk.length;
      if (size > limit) {
        cleanup();
        resolve('too_large');
        return;
      }
      parts.push(chunk);
    };
    const onEnd = () => {
      cleanup();
      resolve(Buffer.concat(parts));
    };
    const onError = (e: Error) => {
      cleanup();
      reject(e);
    };
    const cleanup = () => {
      req.off('data', onData);
      req.off('end', onEnd);
      req.off('error', onError);
    };
    req.on('data', onData);
    req.on('end', onEnd);
    req.on('error', onError);
  });
}
