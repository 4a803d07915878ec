/**
 * A FIFO of received chunks for streaming demuxers. Reading `n` bytes that
 * lie inside one chunk returns a subarray of that chunk (no copy); only a
 * read that spans chunks copies, and then exactly `n` bytes, once. Waiting
 * for a large structure that arrives in many small chunks therefore costs
 * O(size), not O(size^2) as re-concatenating on every push would.
 *
 * Callers must not modify a chunk after pushing it: reads alias it.
 */
export class ByteQueue {
  private chunks: Uint8Array[] = [];
  private head = 0; // read offset into chunks[0]
  private total = 0;

  get length(): number {
    return this.total;
  }

  push(chunk: Uint8Array): void {
    if (chunk.length === 0) return;
    this.chunks.push(chunk);
    this.total += chunk.length;
  }

  /** Byte at `i` (0-based from the read position); caller checks `i < length`. */
  at(i: number): number {
    let idx = this.head + i;
    for (const c of this.chunks) {
      if (idx < c.length) return c[idx]!;
      idx -= c.length;
    }
    throw new RangeError('ByteQueue.at out of range');
  }

  /** The next `n` bytes without consuming them; caller checks `n <= length`. */
  peek(n: number): Uint8Array {
    const first = this.chunks[0];
    if (first && first.length - this.head >= n) return first.subarray(this.head, this.head + n);
    const out = new Uint8Array(n);
    let filled = 0;
    let start = this.head;
    for (const c of this.chunks) {
      const take = Math.min(c.length - start, n - filled);
      out.set(c.subarray(start, start + take), filled);
      filled += take;
      start = 0;
      if (filled === n) break;
    }
    if (filled < n) throw new RangeError('ByteQueue.peek past end');
    // Keep the merged copy so a later peek/take of the same bytes does not copy again.
    this.replaceFront(n, out);
    return out;
  }

  /** Consumes and returns the next `n` bytes. */
  take(n: number): Uint8Array {
    const out = this.peek(n);
    this.skip(n);
    return out;
  }

  skip(n: number): void {
    if (n > this.total) throw new RangeError('ByteQueue.skip past end');
    this.total -= n;
    let left = n;
    while (left > 0) {
      const c = this.chunks[0]!;
      const avail = c.length - this.head;
      if (left < avail) {
        this.head += left;
        return;
      }
      left -= avail;
      this.chunks.shift();
      this.head = 0;
    }
  }

  /** Replaces the first `n` unread bytes (spread over chunks) with `merged`. */
  private replaceFront(n: number, merged: Uint8Array): void {
    let left = n;
    let start = this.head;
    let drop = 0;
    let rest: Uint8Array | undefined;
    for (const c of this.chunks) {
      const avail = c.length - start;
      if (left < avail) {
        rest = c.subarray(start + left);
        drop++;
        break;
      }
      left -= avail;
      drop++;
      start = 0;
      if (left === 0) break;
    }
    this.chunks.splice(0, drop, ...(rest ? [merged, rest] : [merged]));
    this.head = 0;
  }
}
