import { ProtocolError } from '@runnel/shared';
import type { AvcDecoderConfig } from '../../../codec/h264/avc-config.ts';
import { AVC_NALU, avcNaluType } from '../../../codec/h264/nalu-type.ts';
import { MAX_NALUS_PER_ACCESS_UNIT, joinAvcc } from '../../../codec/nalu/avcc.ts';
import { MAX_ACCESS_UNIT_BYTES } from '../limits.ts';
import { parseH264Payload } from './h264-payload.ts';

/** The RTP fields the depacketizer reads (an `RtpPacket` has them). */
export interface H264RtpInput {
  readonly sequenceNumber: number;
  readonly timestamp: number;
  readonly marker: boolean;
  readonly payload: Uint8Array;
}

/** One complete access unit, ready to become an FLV VIDEODATA body. */
export interface H264AccessUnit {
  /** RTP timestamp (90 kHz) of its packets. */
  readonly rtpTimestamp: number;
  /** 4-byte length-prefixed NAL units (ISO/IEC 14496-15 AVCC), SPS and PPS left out. */
  readonly avcc: Uint8Array;
  /** The NAL units, subarrays of `avcc`. */
  readonly nalus: readonly Uint8Array[];
  /** Contains an IDR slice. */
  readonly keyframe: boolean;
  /**
   * Set on the first access unit after SPS/PPS arrived that differ from the
   * previous ones (and on the first one emitted): the AVCDecoderConfigurationRecord
   * to send as a new sequence header before this frame.
   */
  readonly config?: AvcDecoderConfig;
}

export interface H264DepacketizerStats {
  packets: number;
  /** Packets missing by sequence number. */
  lostPackets: number;
  /** Packets older than the last one (reordered or duplicated): dropped, reordering is not done. */
  latePackets: number;
  malformedPackets: number;
  /** Packets with no payload (bandwidth-probe padding): counted, not an error. */
  paddingPackets: number;
  accessUnits: number;
  /** Times the sequence numbers jumped back for good (a sender restart) and were followed. */
  resyncs: number;
  /** Access units not emitted: broken by loss, malformed, oversized, or before the first decodable keyframe. */
  droppedAccessUnits: number;
  /** Code of the last ProtocolError a payload raised, for the log. */
  lastError?: string;
}

/**
 * Consecutive packets "older" than the newest seen after which we take the
 * sequence numbers as restarted. Reordering on real paths is a few packets;
 * 64 is about 1 s of a 500 kbit/s stream.
 */
const MAX_LATE_RUN = 64;

interface Pending {
  readonly ts: number;
  readonly nalus: Uint8Array[];
  bytes: number;
  broken: boolean;
}

interface Fragment {
  readonly header: number;
  readonly chunks: Uint8Array[];
  size: number;
}

/**
 * RFC 6184 depacketizer (packetization modes 0 and 1: single NAL unit, STAP-A,
 * FU-A) from RTP packets to AVCC access units for the hub.
 *
 * Loss handling: a sequence number gap, a malformed payload or a broken FU-A
 * marks the access unit in progress as broken; broken access units are
 * dropped, and so is everything after them until a keyframe arrives whole
 * (a decoder cannot use P-frames whose references are gone). Output starts at
 * the first whole keyframe for the same reason. Reordering is NOT done (a
 * jitter buffer is the caller's job if it wants one): a packet older than the
 * newest seen counts as late and is dropped, which for real loss means the
 * next keyframe; the publisher is expected to answer the PLI the caller sends
 * on `keyframeWanted`. A long run of late packets is taken as a sequence
 * restart and followed (`stats.resyncs`).
 *
 * An access unit ends at the marker bit, or when a packet of a new timestamp
 * arrives (senders that omit the marker). Payload views are kept until then,
 * so the caller must not reuse a packet's buffer before its access unit is
 * emitted (Node's dgram hands out a fresh buffer per datagram).
 *
 * @example
 * const d = new H264Depacketizer();
 * for (const au of d.push(rtp)) hub.publish(toFlvVideo(au));
 * if (d.keyframeWanted) sendPli();
 */
export class H264Depacketizer {
  readonly stats: H264DepacketizerStats = {
    packets: 0, lostPackets: 0, latePackets: 0, malformedPackets: 0, paddingPackets: 0, accessUnits: 0, droppedAccessUnits: 0, resyncs: 0,
  };
  private lastSeq: number | undefined;
  private lateRun = 0;
  private cur: Pending | undefined;
  private frag: Fragment | undefined;
  private waitKeyframe = true;
  private sps: Uint8Array | undefined;
  private pps: Uint8Array | undefined;
  private configDirty = false;

  /**
   * `parameterSets`: SPS/PPS known before any packet, e.g. from the SDP's
   * sprop-parameter-sets (RFC 6184 8.1), for senders that do not repeat them
   * in band. In-band ones replace them when they differ.
   */
  constructor(options: { readonly parameterSets?: readonly Uint8Array[] } = {}) {
    for (const nal of options.parameterSets ?? []) {
      if (nal.length === 0) continue;
      const type = avcNaluType(nal);
      if (type === AVC_NALU.SPS) this.setParam('sps', nal);
      else if (type === AVC_NALU.PPS) this.setParam('pps', nal);
    }
  }

  /** True while output is held back until a keyframe: the moment to send PLI/FIR upstream. */
  get keyframeWanted(): boolean {
    return this.waitKeyframe;
  }

  /** Feeds one packet; returns the access units it completed (usually 0 or 1). */
  push(p: H264RtpInput): H264AccessUnit[] {
    this.stats.packets++;
    const seq = p.sequenceNumber & 0xffff;
    let lost = false;
    if (this.lastSeq !== undefined) {
      const ahead = (seq - this.lastSeq) & 0xffff;
      if (ahead === 0 || ahead >= 0x8000) {
        this.stats.latePackets++;
        // A long run of "old" packets is a sender that restarted its sequence
        // numbers, not reordering: follow it rather than drop it forever.
        if (++this.lateRun <= MAX_LATE_RUN) return [];
        this.stats.resyncs++;
        this.breakCurrent();
        this.lastSeq = undefined;
        return this.push(p);
      }
      if (ahead > 1) {
        this.stats.lostPackets += ahead - 1;
        lost = true;
      }
    }
    this.lastSeq = seq;
    this.lateRun = 0;
    if (p.payload.length === 0) {
      // Padding only (RFC 3550 5.1 P bit): libwebrtc sends these on the media
      // sequence space to probe bandwidth. They carry no video, only their number.
      this.stats.paddingPackets++;
      if (lost) this.breakCurrent();
      return [];
    }
    const out: H264AccessUnit[] = [];
    // The missing packets may be the tail of the unit in progress (if its
    // marker was among them) or the head of the next one: both are broken.
    if (lost) this.breakCurrent();
    if (this.cur && this.cur.ts !== p.timestamp) this.flush(out);
    const cur = (this.cur ??= { ts: p.timestamp, nalus: [], bytes: 0, broken: false });
    if (lost) cur.broken = true;
    try {
      this.take(cur, p.payload);
    } catch (e) {
      if (!(e instanceof ProtocolError)) throw e;
      this.stats.malformedPackets++;
      this.stats.lastError = e.code;
      this.breakCurrent();
    }
    if (p.marker) this.flush(out);
    return out;
  }

  private breakCurrent(): void {
    if (this.cur) this.cur.broken = true;
    this.frag = undefined;
    this.waitKeyframe = true;
  }

  private take(cur: Pending, payload: Uint8Array): void {
    const parsed = parseH264Payload(payload);
    if (parsed.kind === 'nalus') {
      if (this.frag) throw new ProtocolError('h264_rtp_fu_unfinished', 'NAL unit inside an unfinished FU-A');
      for (const nal of parsed.nalus) this.add(cur, nal);
      return;
    }
    if (parsed.start) {
      if (this.frag) throw new ProtocolError('h264_rtp_fu_unfinished', 'FU-A start inside an unfinished FU-A');
      this.frag = { header: parsed.nalHeader, chunks: [], size: 1 };
    }
    const frag = this.frag;
    if (!frag) throw new ProtocolError('h264_rtp_fu_no_start', 'FU-A fragment without its start');
    if (frag.header !== parsed.nalHeader) throw new ProtocolError('h264_rtp_fu_header', 'FU-A fragments of different NAL headers');
    frag.size += parsed.data.length;
    if (cur.bytes + frag.size > MAX_ACCESS_UNIT_BYTES) throw new ProtocolError('h264_rtp_au_too_large', `access unit over ${MAX_ACCESS_UNIT_BYTES} bytes`);
    frag.chunks.push(parsed.data);
    if (!parsed.end) return;
    this.frag = undefined;
    const nal = new Uint8Array(frag.size);
    nal[0] = frag.header;
    let pos = 1;
    for (const c of frag.chunks) {
      nal.set(c, pos);
      pos += c.length;
    }
    this.add(cur, nal);
  }

  private add(cur: Pending, nal: Uint8Array): void {
    cur.bytes += 4 + nal.length;
    if (cur.bytes > MAX_ACCESS_UNIT_BYTES) throw new ProtocolError('h264_rtp_au_too_large', `access unit over ${MAX_ACCESS_UNIT_BYTES} bytes`);
    if (cur.nalus.length >= MAX_NALUS_PER_ACCESS_UNIT) throw new ProtocolError('too_many_nalus', `more than ${MAX_NALUS_PER_ACCESS_UNIT} NAL units`);
    cur.nalus.push(nal);
  }

  private flush(out: H264AccessUnit[]): void {
    const cur = this.cur;
    this.cur = undefined;
    if (!cur) return;
    if (this.frag) {
      // The access unit ended inside an FU-A: its end was lost.
      this.frag = undefined;
      cur.broken = true;
    }
    if (cur.broken) {
      this.drop();
      return;
    }
    const rest: Uint8Array[] = [];
    let keyframe = false;
    for (const nal of cur.nalus) {
      const type = avcNaluType(nal);
      if (type === AVC_NALU.SPS) this.setParam('sps', nal);
      else if (type === AVC_NALU.PPS) this.setParam('pps', nal);
      else {
        if (type === AVC_NALU.IDR) keyframe = true;
        rest.push(nal);
      }
    }
    if (rest.length === 0) return; // parameter sets only: they ride on the next frame
    const config = this.config();
    if (this.waitKeyframe && !(keyframe && config)) {
      this.drop();
      return;
    }
    this.waitKeyframe = false;
    const avcc = joinAvcc(rest, 4);
    const nalus: Uint8Array[] = [];
    let pos = 0;
    for (const nal of rest) {
      nalus.push(avcc.subarray(pos + 4, pos + 4 + nal.length));
      pos += 4 + nal.length;
    }
    const fresh = this.configDirty && config;
    if (fresh) this.configDirty = false;
    this.stats.accessUnits++;
    out.push({ rtpTimestamp: cur.ts, avcc, nalus, keyframe, ...(fresh ? { config } : {}) });
  }

  private drop(): void {
    this.stats.droppedAccessUnits++;
    this.waitKeyframe = true;
  }

  private setParam(which: 'sps' | 'pps', nal: Uint8Array): void {
    const old = this[which];
    if (old && old.length === nal.length && old.every((b, i) => b === nal[i])) return;
    // A copy: parameter sets outlive the packet they came in.
    this[which] = nal.slice();
    this.configDirty = true;
  }

  /** ISO/IEC 14496-15 5.3.3.1: profile, compatibility and level are SPS bytes 1-3. */
  private config(): AvcDecoderConfig | undefined {
    const sps = this.sps;
    const pps = this.pps;
    if (!sps || !pps || sps.length < 4) return undefined;
    return { profile: sps[1]!, compatibility: sps[2]!, level: sps[3]!, lengthSize: 4, sps: [sps], pps: [pps] };
  }
}
