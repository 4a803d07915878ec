/**
 * Just enough of an HTTP/1.1 client response reader for a streaming GET
 * (RFC 9112): the status line and headers, then the body either as is
 * (read until close) or through a chunked decoder (RFC 9112 7.1), which
 * Node-Media-Server's express responses use.
 *
 * The players need this instead of node:http because node:http keeps reading
 * from the kernel while paused until its own buffers are full (about a second
 * of this stream), so a server would never see a player that pauses; a raw
 * socket with `onread` stops reading the moment it is paused.
 */

/** Largest response head we wait for; a streaming server sends a few hundred bytes. */
export const MAX_HEAD_BYTES = 16 * 1024;
/** Longest chunk-size line (hex size + extensions); real servers send under 20 bytes. */
export const MAX_CHUNK_LINE_BYTES = 1024;

export interface ResponseHead {
  readonly status: number;
  /** Lower-cased header names; repeated headers joined with ", ". */
  readonly headers: ReadonlyMap<string, string>;
}

/** Parses the head once `\r\n\r\n` has arrived: returns the head and the body bytes after it, or undefined if incomplete. */
export function parseResponseHead(buf: Uint8Array): { head: ResponseHead; rest: Uint8Array } | undefined {
  const end = indexOfCrlfCrlf(buf);
  if (end < 0) {
    if (buf.length > MAX_HEAD_BYTES) throw new Error(`HTTP response head longer than ${MAX_HEAD_BYTES} bytes`);
    return undefined;
  }
  const lines = new TextDecoder('latin1').decode(buf.subarray(0, end)).split('\r\n');
  const m = /^HTTP\/1\.[01] (\d{3})/.exec(lines[0] ?? '');
  if (!m) throw new Error(`not an HTTP/1.x status line: ${JSON.stringify((lines[0] ?? '').slice(0, 80))}`);
  const headers = new Map<string, string>();
  for (const line of lines.slice(1)) {
    const colon = line.indexOf(':');
    if (colon <= 0) continue;
    const name = line.slice(0, colon).trim().toLowerCase();
    const value = line.slice(colon + 1).trim();
    headers.set(name, headers.has(name) ? `${headers.get(name)}, ${value}` : value);
  }
  return { head: { status: Number(m[1]), headers }, rest: buf.subarray(end + 4) };
}

export function isChunked(head: ResponseHead): boolean {
  return /(^|,)\s*chunked\s*$/i.test(head.headers.get('transfer-encoding') ?? '');
}

function indexOfCrlfCrlf(b: Uint8Array): number {
  for (let i = 0; i + 3 < b.length; i++) {
    if (b[i] === 13 && b[i + 1] === 10 && b[i + 2] === 13 && b[i + 3] === 10) return i;
  }
  return -1;
}

/**
 * Chunked transfer coding decoder, RFC 9112 7.1: `size[;ext] CRLF data CRLF`
 * repeated, ending with a zero size. `push` returns the body bytes as
 * subarrays of its input (no copy); a caller that keeps them must not reuse
 * the input buffer.
 */
export class ChunkedDecoder {
  private state: 'size' | 'data' | 'data-crlf' | 'done' = 'size';
  private line = '';
  private left = 0;

  get done(): boolean {
    return this.state === 'done';
  }

  push(bytes: Uint8Array): Uint8Array[] {
    const out: Uint8Array[] = [];
    let i = 0;
    while (i < bytes.length && this.state !== 'done') {
      if (this.state === 'data') {
        const n = Math.min(this.left, bytes.length - i);
        out.push(bytes.subarray(i, i + n));
        i += n;
        this.left -= n;
        if (this.left === 0) this.state = 'data-crlf';
      } else if (this.state === 'data-crlf') {
        // The CRLF after chunk data: 2 bytes that may be split across reads.
        const b = bytes[i++]!;
        if (b === 10) this.state = 'size';
        else if (b !== 13) throw new Error('chunked body: missing CRLF after chunk data');
      } else {
        const b = bytes[i++]!;
        if (b !== 10) {
          if (this.line.length >= MAX_CHUNK_LINE_BYTES) throw new Error(`chunk-size line longer than ${MAX_CHUNK_LINE_BYTES} bytes`);
          this.line += String.fromCharCode(b);
          continue;
        }
        const hexSize = this.line.replace(/\r$/, '').split(';')[0]!.trim();
        this.line = '';
        if (!/^[0-9a-fA-F]{1,8}$/.test(hexSize)) throw new Error(`bad chunk size ${JSON.stringify(hexSize.slice(0, 20))}`);
        this.left = parseInt(hexSize, 16);
        this.state = this.left === 0 ? 'done' : 'data';
      }
    }
    return out;
  }
}
