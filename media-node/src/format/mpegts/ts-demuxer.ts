import { ProtocolError } from '@runnel/shared';
import {
  PID_NULL,
  PID_PAT,
  STREAM_TYPE_AAC_ADTS,
  STREAM_TYPE_H264,
  STREAM_TYPE_HEVC,
  STREAM_TYPE_MPEG1_AUDIO,
  STREAM_TYPE_MPEG2_AUDIO,
  STREAM_TYPE_PRIVATE_PES,
  TS_PACKET_SIZE,
  TS_SYNC_BYTE,
} from './constants.ts';
import { decodePat, type Pat } from './pat.ts';
import { decodePes } from './pes.ts';
import { DESCRIPTOR_REGISTRATION, decodePmt, type Pmt, type PmtStream } from './pmt.ts';
import { MAX_PSI_SECTION_BYTES, psiSectionBytes } from './psi-section.ts';
import { decodeTsPacket, type TsPacket } from './ts-packet.ts';

/**
 * Largest PES we reassemble. A 4K HEVC keyframe at 50 Mbit/s is 2-3 MB;
 * 8 MiB leaves headroom while a PID that never starts a new unit (or lies
 * about one) cannot grow a reader's memory past this.
 */
export const MAX_PES_BYTES = 8 * 1024 * 1024;

/**
 * Most elementary streams we track from one PMT. Real programs carry a few
 * (video, audio, captions, SCTE-35); the cap bounds per-connection state
 * against a PMT that lists hundreds of PIDs.
 */
export const MAX_ES_PIDS = 16;

export type TsCodec = 'h264' | 'hevc' | 'aac' | 'mp3' | 'opus';

export interface TsPes {
  readonly pid: number;
  readonly streamType: number;
  /** Known codec of the stream, from its stream_type (and registration descriptor for Opus). */
  readonly codec: TsCodec | null;
  readonly streamId: number;
  /** 33-bit 90 kHz values as carried (see unwrap33). */
  readonly pts?: number;
  readonly dts?: number;
  /** random_access_indicator of the PES's first packet. */
  readonly randomAccess: boolean;
  /** The ES bytes (a view of the input when the PES fit one pushed chunk, else one copy). */
  readonly data: Uint8Array;
}

export type TsEvent =
  | { readonly kind: 'pat'; readonly pat: Pat }
  | { readonly kind: 'pmt'; readonly pid: number; readonly pmt: Pmt }
  | { readonly kind: 'pes'; readonly pes: TsPes };

/** What went wrong so far; a demuxer never throws on bad input, it counts and skips. */
export interface TsDemuxStats {
  packets: number;
  /** Times the sync byte was lost and searched for again, and the bytes skipped doing it. */
  resyncs: number;
  skippedBytes: number;
  /** Continuity counter jumps (the unit in progress on that PID is dropped). */
  continuityErrors: number;
  transportErrors: number;
  scrambledPackets: number;
  /** Adaptation fields whose length lies. */
  badPackets: number;
  /** PSI sections with a bad length or CRC, or not a PAT/PMT where one belongs. */
  badSections: number;
  /** PES packets with a bad header or length, over MAX_PES_BYTES, or cut by loss. */
  droppedPes: number;
}

interface EsState {
  readonly stream: PmtStream;
  readonly codec: TsCodec | null;
  parts: Uint8Array[];
  size: number;
  /** 6 + PES_packet_length once known and non-zero. */
  expected: number;
  randomAccess: boolean;
  dropping: boolean;
}

interface SectionState {
  /** The section being assembled (MAX_PSI_SECTION_BYTES until its length is known). */
  buf: Uint8Array | undefined;
  filled: number;
  /** Its total length once the 3-byte header is in; 0 before. */
  total: number;
  /** The last section accepted, to ignore repeats. */
  last: Uint8Array | undefined;
}

/**
 * A sans-IO MPEG-TS demuxer (ISO/IEC 13818-1): push bytes in any chunking,
 * get PAT/PMT changes and complete PES packets back. It resyncs on a lost
 * sync byte, checks continuity counters, reassembles PSI sections and PES
 * packets within fixed limits, and counts what it had to skip in `stats`.
 * Unbounded (video) PES end when the next one starts; `flush()` ends the
 * rest at end of input.
 */
export class TsDemuxer {
  readonly stats: TsDemuxStats = {
    packets: 0, resyncs: 0, skippedBytes: 0, continuityErrors: 0, transportErrors: 0,
    scrambledPackets: 0, badPackets: 0, badSections: 0, droppedPes: 0,
  };
  private pending: Uint8Array = new Uint8Array(0);
  private readonly cc = new Map<number, number>();
  private readonly sections = new Map<number, SectionState>();
  private pmtPids = new Set<number>();
  private readonly es = new Map<number, EsState>();
  private readonly maxPesBytes: number;
  private out: TsEvent[] = [];

  constructor(opts: { maxPesBytes?: number } = {}) {
    this.maxPesBytes = opts.maxPesBytes ?? MAX_PES_BYTES;
  }

  /** Pushed chunks must not be modified afterwards: PES data may alias them. */
  push(bytes: Uint8Array): TsEvent[] {
    const buf = bytes;
    let off = 0;
    if (this.pending.length > 0) {
      const need = TS_PACKET_SIZE - this.pending.length;
      if (bytes.length < need) {
        this.pending = concat(this.pending, bytes);
        return this.take();
      }
      this.packet(concat(this.pending, bytes.subarray(0, need)));
      this.pending = new Uint8Array(0);
      off = need;
    }
    while (off + TS_PACKET_SIZE <= buf.length) {
      // A sync byte counts only if the next packet (when already here) starts with one too.
      const next = off + TS_PACKET_SIZE;
      if (buf[off] !== TS_SYNC_BYTE || (next < buf.length && buf[next] !== TS_SYNC_BYTE)) {
        off = this.resync(buf, off);
        continue;
      }
      this.packet(buf.subarray(off, off + TS_PACKET_SIZE));
      off += TS_PACKET_SIZE;
    }
    if (off < buf.length) {
      const start = buf.indexOf(TS_SYNC_BYTE, off);
      if (start < 0) this.skipped(buf.length - off);
      else {
        if (start > off) this.skipped(start - off);
        this.pending = buf.slice(start);
      }
    }
    return this.take();
  }

  /** Ends every PES in progress (end of input); returns them. */
  flush(): TsEvent[] {
    for (const [pid, st] of this.es) this.finishPes(pid, st);
    return this.take();
  }

  private take(): TsEvent[] {
    const out = this.out;
    this.out = [];
    return out;
  }

  private skipped(n: number): void {
    this.stats.skippedBytes += n;
  }

  /** Next offset where a sync byte is followed by another one packet later (or the data ends). */
  private resync(buf: Uint8Array, off: number): number {
    this.stats.resyncs++;
    let i = off + 1;
    for (; i < buf.length; i++) {
      if (buf[i] === TS_SYNC_BYTE && (i + TS_PACKET_SIZE >= buf.length || buf[i + TS_PACKET_SIZE] === TS_SYNC_BYTE)) break;
    }
    this.skipped(i - off);
    return i;
  }

  private packet(raw: Uint8Array): void {
    this.stats.packets++;
    let p: TsPacket;
    try {
      p = decodeTsPacket(raw);
    } catch (e) {
      if (!(e instanceof ProtocolError)) throw e;
      this.stats.badPackets++;
      return;
    }
    if (p.transportError) {
      this.stats.transportErrors++;
      this.lose(p.pid);
      return;
    }
    if (p.pid === PID_NULL) return;
    if (p.scrambling !== 0) {
      this.stats.scrambledPackets++;
      return;
    }
    if (!p.hasPayload) return;
    // 2.4.3.3: the counter increments per packet with payload; one duplicate may be sent.
    const last = this.cc.get(p.pid);
    this.cc.set(p.pid, p.continuityCounter);
    if (last !== undefined && !p.adaptation?.discontinuity) {
      if (p.continuityCounter === last) return;
      if (p.continuityCounter !== ((last + 1) & 0x0f)) {
        this.stats.continuityErrors++;
        this.lose(p.pid);
      }
    }
    if (p.pid === PID_PAT || this.pmtPids.has(p.pid)) this.sectionData(p);
    else {
      const st = this.es.get(p.pid);
      if (st) this.pesData(p, st);
    }
  }

  /** Loss on a PID: whatever unit was being assembled there is unusable. */
  private lose(pid: number): void {
    const st = this.es.get(pid);
    if (st && st.size > 0) {
      this.stats.droppedPes++;
      reset(st, true);
    }
    const sec = this.sections.get(pid);
    if (sec) sec.buf = undefined;
  }

  private sectionData(p: TsPacket): void {
    let st = this.sections.get(p.pid);
    if (!st) this.sections.set(p.pid, (st = { buf: undefined, filled: 0, total: 0, last: undefined }));
    let data = p.payload;
    if (!p.payloadUnitStart) {
      if (st.buf) this.appendSection(p.pid, st, data);
      return;
    }
    const pointer = data[0] ?? 0;
    if (1 + pointer > data.length) {
      this.stats.badSections++;
      st.buf = undefined;
      return;
    }
    if (st.buf) {
      this.appendSection(p.pid, st, data.subarray(1, 1 + pointer));
      if (st.buf) this.stats.badSections++; // the new unit began before the old section was complete
      st.buf = undefined;
    }
    data = data.subarray(1 + pointer);
    // 2.4.4.2: several sections may follow each other; 0xFF after one is stuffing to the end.
    while (data.length > 0 && data[0] !== 0xff) {
      st.buf = new Uint8Array(MAX_PSI_SECTION_BYTES);
      st.filled = 0;
      st.total = 0;
      data = this.appendSection(p.pid, st, data);
      if (st.buf) return; // continues in the next packet
    }
  }

  /** Adds bytes to the section in progress; returns the bytes left over after it completed. */
  private appendSection(pid: number, st: SectionState, data: Uint8Array): Uint8Array {
    const buf = st.buf!;
    if (st.total === 0) {
      const n = Math.min(3 - st.filled, data.length);
      buf.set(data.subarray(0, n), st.filled);
      st.filled += n;
      data = data.subarray(n);
      if (st.filled < 3) return data;
      try {
        st.total = psiSectionBytes(buf);
      } catch {
        this.stats.badSections++;
        st.buf = undefined;
        return new Uint8Array(0); // a lying length: nothing after it in this packet can be trusted
      }
    }
    const n = Math.min(st.total - st.filled, data.length);
    buf.set(data.subarray(0, n), st.filled);
    st.filled += n;
    if (st.filled === st.total) {
      st.buf = undefined;
      this.section(pid, st, buf.subarray(0, st.total));
    }
    return data.subarray(n);
  }

  private section(pid: number, st: SectionState, bytes: Uint8Array): void {
    if (st.last && equal(st.last, bytes)) return; // the same table again (sent every segment)
    try {
      if (pid === PID_PAT) {
        const pat = decodePat(bytes);
        this.pmtPids = new Set(pat.programs.filter((x) => x.programNumber !== 0).map((x) => x.pid));
        this.out.push({ kind: 'pat', pat });
      } else {
        const pmt = decodePmt(bytes);
        this.applyPmt(pmt);
        this.out.push({ kind: 'pmt', pid, pmt });
      }
      st.last = bytes.slice();
    } catch (e) {
      if (!(e instanceof ProtocolError)) throw e;
      this.stats.badSections++;
    }
  }

  private applyPmt(pmt: Pmt): void {
    const keep = new Set(pmt.streams.slice(0, MAX_ES_PIDS).map((s) => s.pid));
    for (const [pid, st] of this.es) {
      if (!keep.has(pid)) {
        this.finishPes(pid, st);
        this.es.delete(pid);
      }
    }
    for (const stream of pmt.streams.slice(0, MAX_ES_PIDS)) {
      const old = this.es.get(stream.pid);
      if (old && old.stream.streamType === stream.streamType) continue;
      if (old) this.finishPes(stream.pid, old);
      this.es.set(stream.pid, {
        stream, codec: codecOf(stream), parts: [], size: 0, expected: 0, randomAccess: false, dropping: false,
      });
    }
  }

  private pesData(p: TsPacket, st: EsState): void {
    if (p.payloadUnitStart) {
      this.finishPes(p.pid, st);
      st.dropping = false;
      st.randomAccess = p.adaptation?.randomAccess ?? false;
    } else if (st.size === 0) {
      return; // joined mid-PES, or dropping: wait for the next unit start
    }
    if (st.dropping) return;
    st.parts.push(p.payload);
    st.size += p.payload.length;
    if (st.expected === 0 && st.size >= 6) {
      const head = st.parts[0]!.length >= 6 ? st.parts[0]! : concatAll(st.parts, st.size);
      const len = (head[4]! << 8) | head[5]!;
      if (len > 0) st.expected = 6 + len;
    }
    if (st.size > this.maxPesBytes) {
      this.stats.droppedPes++;
      reset(st, true);
      return;
    }
    if (st.expected > 0 && st.size >= st.expected) this.finishPes(p.pid, st);
  }

  private finishPes(pid: number, st: EsState): void {
    if (st.size === 0) return;
    const whole = st.parts.length === 1 ? st.parts[0]! : concatAll(st.parts, st.size);
    const randomAccess = st.randomAccess;
    reset(st, false);
    try {
      const pes = decodePes(whole);
      this.out.push({
        kind: 'pes',
        pes: {
          pid, streamType: st.stream.streamType, codec: st.codec, streamId: pes.streamId,
          ...(pes.pts !== undefined ? { pts: pes.pts } : {}),
          ...(pes.dts !== undefined ? { dts: pes.dts } : {}),
          randomAccess, data: pes.payload,
        },
      });
    } catch (e) {
      if (!(e instanceof ProtocolError)) throw e;
      this.stats.droppedPes++;
    }
  }
}

function reset(st: EsState, dropping: boolean): void {
  st.parts = [];
  st.size = 0;
  st.expected = 0;
  st.dropping = dropping;
}

export function codecOf(s: PmtStream): TsCodec | null {
  switch (s.streamType) {
    case STREAM_TYPE_H264:
      return 'h264';
    case STREAM_TYPE_HEVC:
      return 'hevc';
    case STREAM_TYPE_AAC_ADTS:
      return 'aac';
    case STREAM_TYPE_MPEG1_AUDIO:
    case STREAM_TYPE_MPEG2_AUDIO:
      return 'mp3';
    case STREAM_TYPE_PRIVATE_PES: {
      const reg = s.descriptors.find((d) => d.tag === DESCRIPTOR_REGISTRATION);
      return reg && String.fromCharCode(...reg.data.subarray(0, 4)) === 'Opus' ? 'opus' : null;
    }
    default:
      return null;
  }
}

function concat(a: Uint8Array, b: Uint8Array): Uint8Array {
  const out = new Uint8Array(a.length + b.length);
  out.set(a, 0);
  out.set(b, a.length);
  return out;
}

function concatAll(parts: readonly Uint8Array[], size: number): Uint8Array {
  const out = new Uint8Array(size);
  let off = 0;
  for (const p of parts) {
    out.set(p, off);
    off += p.length;
  }
  return out;
}

function equal(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}
