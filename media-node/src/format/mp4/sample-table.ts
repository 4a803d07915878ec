import { ProtocolError } from '@runnel/shared';
import type { BoxWriter } from './box-writer.ts';
import { GrowableF64, GrowableI32, GrowableU32 } from './growable.ts';

/**
 * The sample table of one track (ISO/IEC 14496-12 8.5 `stbl`), built while
 * samples are written to `mdat` and encoded once at the end: decoding times
 * (`stts`), composition offsets (`ctts`), sync samples (`stss`), chunks
 * (`stsc` + `stco`/`co64`) and sizes (`stsz`). A chunk is a run of samples
 * of this track that lie back to back in the file; interleaved audio and
 * video make short chunks, which is what every live recorder writes.
 *
 * Memory: 12 bytes per sample (size, decode time, composition offset), 4 per
 * keyframe and 12 per chunk, in typed arrays that double when full.
 */
export class SampleTable {
  private readonly sizes = new GrowableU32();
  private readonly dts = new GrowableU32();
  private readonly cto = new GrowableI32();
  /** 0-based indexes of sync samples. */
  private readonly sync = new GrowableU32();
  /** Index of the first sample of each chunk, and the chunk's file offset. */
  private readonly chunkFirst = new GrowableU32();
  private readonly chunkOffset = new GrowableF64();
  private nextOffset = -1;
  private anyCto = false;
  private negativeCto = false;
  private dataBytes = 0;

  get count(): number {
    return this.sizes.length;
  }

  get syncCount(): number {
    return this.sync.length;
  }

  /** Bytes of sample data of this track. */
  get bytes(): number {
    return this.dataBytes;
  }

  get firstDts(): number {
    return this.dts.at(0);
  }

  get lastDts(): number {
    return this.dts.at(this.dts.length - 1);
  }

  /** Composition offset of the first sample (what an edit list skips so presentation starts at its first picture). */
  get firstCto(): number {
    return this.cto.at(0);
  }

  /**
   * Adds a sample stored at file `offset`. `dts` is in the track's timescale,
   * at least the previous one; `cto` (composition time minus decode time)
   * may be negative (ctts version 1).
   */
  add(dts: number, cto: number, size: number, keyframe: boolean, offset: number): void {
    const n = this.sizes.length;
    if (!Number.isInteger(dts) || dts < 0 || dts > 0xffffffff || (n > 0 && dts < this.lastDts)) {
      throw new ProtocolError('mp4_bad_dts', `decode time ${dts} after ${n > 0 ? this.lastDts : 'nothing'}`);
    }
    if (!Number.isInteger(cto) || cto < -0x80000000 || cto > 0x7fffffff) {
      throw new ProtocolError('mp4_bad_cto', `composition offset ${cto}`);
    }
    if (!Number.isInteger(size) || size < 0 || size > 0xffffffff) throw new ProtocolError('mp4_bad_size', `sample size ${size}`);
    if (offset !== this.nextOffset) {
      this.chunkFirst.push(n);
      this.chunkOffset.push(offset);
    }
    this.nextOffset = offset + size;
    this.sizes.push(size);
    this.dts.push(dts);
    this.cto.push(cto);
    if (cto !== 0) this.anyCto = true;
    if (cto < 0) this.negativeCto = true;
    if (keyframe) this.sync.push(n);
    this.dataBytes += size;
  }

  /** Sum of sample durations when the last one lasts `lastDuration`. */
  duration(lastDuration: number): number {
    return this.count === 0 ? 0 : this.lastDts - this.firstDts + lastDuration;
  }

  /** The decode-time step before the last sample (0 with fewer than two samples). */
  lastStep(): number {
    const n = this.count;
    return n < 2 ? 0 : this.dts.at(n - 1) - this.dts.at(n - 2);
  }

  /**
   * Writes stts, ctts (when any offset is not 0), stss (when `syncTable` and
   * not every sample is a sync sample), stsc, stsz and stco (co64 when an
   * offset passes 4 GiB), in the order of ISO/IEC 14496-12 8.5.1.
   */
  encode(w: BoxWriter, opts: { readonly lastDuration: number; readonly syncTable: boolean }): void {
    this.writeStts(w, opts.lastDuration);
    if (this.anyCto) this.writeCtts(w);
    if (opts.syncTable && this.sync.length < this.count) this.writeStss(w);
    this.writeStsc(w);
    this.writeStsz(w);
    this.writeChunkOffsets(w);
  }

  /** 8.6.1.2 TimeToSampleBox: runs of equal sample durations. */
  private writeStts(w: BoxWriter, lastDuration: number): void {
    const n = this.count;
    const runs: number[] = [];
    let runDelta = -1;
    let runCount = 0;
    for (let i = 0; i < n; i++) {
      const delta = i + 1 < n ? this.dts.at(i + 1) - this.dts.at(i) : lastDuration;
      if (delta === runDelta) {
        runCount++;
        continue;
      }
      if (runCount > 0) runs.push(runCount, runDelta);
      runDelta = delta;
      runCount = 1;
    }
    if (runCount > 0) runs.push(runCount, runDelta);
    w.fullBox('stts', 0, 0, () => {
      w.u32(runs.length / 2);
      for (const v of runs) w.u32(v);
    });
  }

  /** 8.6.1.3 CompositionOffsetBox: version 1 (signed offsets) only when one is negative. */
  private writeCtts(w: BoxWriter): void {
    const runs: number[] = [];
    let runCount = 0;
    let runValue = 0;
    for (let i = 0; i < this.count; i++) {
      const v = this.cto.at(i);
      if (runCount > 0 && v === runValue) {
        runCount++;
        continue;
      }
      if (runCount > 0) runs.push(runCount, runValue);
      runValue = v;
      runCount = 1;
    }
    if (runCount > 0) runs.push(runCount, runValue);
    w.fullBox('ctts', this.negativeCto ? 1 : 0, 0, () => {
      w.u32(runs.length / 2);
      for (let i = 0; i < runs.length; i += 2) {
        w.u32(runs[i]!);
        if (this.negativeCto) w.i32(runs[i + 1]!);
        else w.u32(runs[i + 1]!);
      }
    });
  }

  /** 8.6.2 SyncSampleBox: 1-based sample numbers. */
  private writeStss(w: BoxWriter): void {
    w.fullBox('stss', 0, 0, () => {
      w.u32(this.sync.length);
      for (let i = 0; i < this.sync.length; i++) w.u32(this.sync.at(i) + 1);
    });
  }

  /** 8.7.4 SampleToChunkBox: one entry where samples-per-chunk changes; one sample description. */
  private writeStsc(w: BoxWriter): void {
    const chunks = this.chunkFirst.length;
    const entries: number[] = [];
    let last = -1;
    for (let c = 0; c < chunks; c++) {
      const end = c + 1 < chunks ? this.chunkFirst.at(c + 1) : this.count;
      const perChunk = end - this.chunkFirst.at(c);
      if (perChunk !== last) entries.push(c + 1, perChunk);
      last = perChunk;
    }
    w.fullBox('stsc', 0, 0, () => {
      w.u32(entries.length / 2);
      for (let i = 0; i < entries.length; i += 2) {
        w.u32(entries[i]!);
        w.u32(entries[i + 1]!);
        w.u32(1);
      }
    });
  }

  /** 8.7.3.2 SampleSizeBox: a single sample_size when every sample has it, else the table. */
  private writeStsz(w: BoxWriter): void {
    const n = this.count;
    const sizes = this.sizes.view();
    const same = n > 0 && sizes.every((s) => s === sizes[0]);
    w.fullBox('stsz', 0, 0, () => {
      w.u32(same ? sizes[0]! : 0);
      w.u32(n);
      if (!same) for (let i = 0; i < n; i++) w.u32(sizes[i]!);
    });
  }

  /** 8.7.5 ChunkOffsetBox / ChunkLargeOffsetBox. */
  private writeChunkOffsets(w: BoxWriter): void {
    const chunks = this.chunkOffset.length;
    const large = chunks > 0 && this.chunkOffset.at(chunks - 1) > 0xffffffff;
    w.fullBox(large ? 'co64' : 'stco', 0, 0, () => {
      w.u32(chunks);
      for (let c = 0; c < chunks; c++) {
        if (large) w.u64(this.chunkOffset.at(c));
        else w.u32(this.chunkOffset.at(c));
      }
    });
  }
}
