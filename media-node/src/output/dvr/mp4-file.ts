import { FlvToMp4 } from '../../format/mp4/flv-to-mp4.ts';
import type { FileEnding, FileMuxer, FileMuxerInit, MuxResult } from './file-muxer.ts';

/** FlvToMp4 in the recorder's shape: the tail is the moov, the patch the real mdat header. */
export class Mp4File implements FileMuxer {
  private readonly mp4: FlvToMp4;

  constructor(init: FileMuxerInit) {
    this.mp4 = new FlvToMp4({ creationTimeMs: init.wallMs, maxSamples: init.maxSamples });
  }

  get bytes(): number {
    return this.mp4.bytes;
  }

  get full(): boolean {
    return this.mp4.full;
  }

  get empty(): boolean {
    return this.mp4.empty;
  }

  get lastError(): unknown {
    return this.mp4.lastError;
  }

  header(): readonly Uint8Array[] {
    return [this.mp4.header()];
  }

  push(kind: 'audio' | 'video', t: number, payload: Uint8Array): MuxResult {
    const r = this.mp4.push(kind, t, payload);
    return r.kind === 'sample' ? { kind: 'written', parts: r.parts, frame: true } : r;
  }

  finish(endMs?: number): FileEnding {
    const e = this.mp4.finish(endMs);
    return { tail: [e.moov], patches: [{ offset: e.mdatHeaderOffset, bytes: e.mdatHeader }], durationMs: e.durationMs, fileBytes: e.fileBytes };
  }
}
