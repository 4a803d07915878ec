/**
 * Append-only typed arrays that double when full: the per-sample columns of
 * an MP4 sample table (sizes, timestamps, offsets) at 4-8 bytes per value,
 * instead of one JS object per sample.
 */
export class GrowableU32 {
  private data = new Uint32Array(256);
  length = 0;

  push(v: number): void {
    if (this.length === this.data.length) this.data = grow(this.data, new Uint32Array(this.data.length * 2));
    this.data[this.length++] = v;
  }

  at(i: number): number {
    return this.data[i]!;
  }

  set(i: number, v: number): void {
    this.data[i] = v;
  }

  view(): Uint32Array {
    return this.data.subarray(0, this.length);
  }
}

export class GrowableI32 {
  private data = new Int32Array(256);
  length = 0;

  push(v: number): void {
    if (this.length === this.data.length) this.data = grow(this.data, new Int32Array(this.data.length * 2));
    this.data[this.length++] = v;
  }

  at(i: number): number {
    return this.data[i]!;
  }
}

/** Float64 holds file offsets past 4 GiB exactly (up to 2^53). */
export class GrowableF64 {
  private data = new Float64Array(64);
  length = 0;

  push(v: number): void {
    if (this.length === this.data.length) this.data = grow(this.data, new Float64Array(this.data.length * 2));
    this.data[this.length++] = v;
  }

  at(i: number): number {
    return this.data[i]!;
  }
}

function grow<T extends Uint32Array | Int32Array | Float64Array>(from: T, to: T): T {
  to.set(from);
  return to;
}
