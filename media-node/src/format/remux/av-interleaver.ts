/**
 * Longest span a track waits for the other: MPEG-TS muxers batch audio into
 * PES packets of up to ~0.7 s (FFmpeg's max_delay), so video may arrive that
 * far ahead of the audio that belongs before it. A track silent for longer
 * than this (audio that stopped) no longer holds the other back.
 */
export const MAX_INTERLEAVE_SPAN_MS = 1000;

interface Queued<T> {
  readonly at: number;
  readonly item: T;
}

/**
 * Puts the audio and video of a demuxed stream back in decode-time order
 * (SRS's `mix_correct`): a message leaves once the other track, if the
 * program has one, has reached its time, or once it has waited
 * MAX_INTERLEAVE_SPAN_MS. The live hub and its players assume one timeline
 * that does not go back; MPEG-TS does not promise that across PIDs. Each
 * track's own order is kept (FIFO), so this only merges.
 */
export class AvInterleaver<T> {
  private readonly queues = { audio: [] as Queued<T>[], video: [] as Queued<T>[] };
  private readonly heads = { audio: 0, video: 0 };
  private expected = { audio: false, video: false };

  /** Which tracks the program has (from its PMT): only those are waited for. */
  expect(tracks: { readonly audio: boolean; readonly video: boolean }): void {
    this.expected = { ...tracks };
  }

  /** Queue one message at `at` (ms, unwrapped); what may leave now is appended to `out`. */
  push(kind: 'audio' | 'video', at: number, item: T, out: T[]): void {
    this.queues[kind].push({ at, item });
    this.release(out, false);
  }

  /** End of input: everything, in order. */
  flush(out: T[]): void {
    this.release(out, true);
  }

  private release(out: T[], all: boolean): void {
    for (;;) {
      const a = this.peek('audio');
      const v = this.peek('video');
      if (a === undefined && v === undefined) return;
      let kind: 'audio' | 'video';
      if (a !== undefined && v !== undefined) kind = a.at <= v.at ? 'audio' : 'video';
      else {
        kind = a !== undefined ? 'audio' : 'video';
        const other = kind === 'audio' ? 'video' : 'audio';
        if (!all && this.expected[other] && this.span(kind) <= MAX_INTERLEAVE_SPAN_MS) return;
      }
      out.push(this.take(kind));
    }
  }

  private peek(kind: 'audio' | 'video'): Queued<T> | undefined {
    return this.queues[kind][this.heads[kind]];
  }

  private span(kind: 'audio' | 'video'): number {
    const q = this.queues[kind];
    return q[q.length - 1]!.at - q[this.heads[kind]]!.at;
  }

  private take(kind: 'audio' | 'video'): T {
    const q = this.queues[kind];
    const item = q[this.heads[kind]++]!.item;
    // Compact now and then instead of shifting every time.
    if (this.heads[kind] === q.length) {
      q.length = 0;
      this.heads[kind] = 0;
    } else if (this.heads[kind] >= 256) {
      q.splice(0, this.heads[kind]);
      this.heads[kind] = 0;
    }
    return item;
  }
}
