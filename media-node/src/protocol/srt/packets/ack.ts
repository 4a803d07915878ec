import { ByteReader, ProtocolError } from '@runnel/shared';
import { CONTROL_TYPE, encodeControl, expectType, readControlHeader, type ControlFields } from './control-header.ts';

/**
 * ACK (draft-sharabayko-srt 3.2.4). Three shapes, told apart by CIF length:
 * - light (4 bytes): only the acknowledged sequence, ACK number 0; libsrt
 *   sends it every 64 packets between full ACKs;
 * - small (16 bytes): + RTT, RTT variance, available buffer;
 * - full (24, 28 or 32 bytes): + packet receiving rate, estimated link
 *   capacity, and from SRT 1.0.1 the receiving rate in bytes/s (28 bytes, what
 *   libsrt 1.5 sends); the 32-byte form of SRT 1.0.2 adds a sending rate.
 */
export interface Ack extends ControlFields {
  readonly kind: 'ack';
  readonly shape: 'light' | 'small' | 'full';
  /** Full ACKs are numbered from 1 (for ACKACK); light ACKs carry 0. */
  readonly ackNumber: number;
  /** First sequence number NOT yet received: everything before it arrived. */
  readonly lastAckedSeq: number;
  /** Smoothed RTT and its variance, microseconds (small and full). */
  readonly rttUs?: number;
  readonly rttVarUs?: number;
  /** Free space in the receiver buffer, packets (small and full). */
  readonly availableBuffer?: number;
  /** Packets per second received (full). */
  readonly packetRate?: number;
  /** Estimated link capacity, packets per second (full). */
  readonly linkCapacity?: number;
  /** Bytes per second received (full, 28+ bytes). */
  readonly receiveRateBytes?: number;
}

export function decodeAck(datagram: Uint8Array): Ack {
  const r = new ByteReader(datagram);
  const h = readControlHeader(r);
  expectType(h, CONTROL_TYPE.ack, 'ACK');
  const len = r.remaining;
  if (len !== 4 && len !== 16 && len !== 24 && len !== 28 && len !== 32) {
    throw new ProtocolError('srt_ack_length', `ACK CIF of ${len} bytes`);
  }
  const base = { kind: 'ack' as const, ackNumber: h.typeSpecific, timestamp: h.timestamp, destSocketId: h.destSocketId };
  const lastAckedSeq = r.u32();
  if (lastAckedSeq & 0x80000000) throw new ProtocolError('srt_bad_seq', `ACK of sequence 0x${lastAckedSeq.toString(16)}`);
  if (len === 4) return { ...base, shape: 'light', lastAckedSeq };
  const rttUs = r.u32();
  const rttVarUs = r.u32();
  const availableBuffer = r.u32();
  if (len === 16) return { ...base, shape: 'small', lastAckedSeq, rttUs, rttVarUs, availableBuffer };
  const packetRate = r.u32();
  const linkCapacity = r.u32();
  const full = { ...base, shape: 'full' as const, lastAckedSeq, rttUs, rttVarUs, availableBuffer, packetRate, linkCapacity };
  return len >= 28 ? { ...full, receiveRateBytes: r.u32() } : full;
}

export function encodeAck(p: Omit<Ack, 'kind'>): Uint8Array {
  const fields = [p.lastAckedSeq];
  if (p.shape !== 'light') fields.push(p.rttUs ?? 0, p.rttVarUs ?? 0, p.availableBuffer ?? 0);
  if (p.shape === 'full') {
    fields.push(p.packetRate ?? 0, p.linkCapacity ?? 0);
    if (p.receiveRateBytes !== undefined) fields.push(p.receiveRateBytes);
  }
  const cif = new Uint8Array(fields.length * 4);
  const v = new DataView(cif.buffer);
  fields.forEach((f, i) => v.setUint32(i * 4, f >>> 0));
  return encodeControl(CONTROL_TYPE.ack, 0, p.ackNumber, p, cif);
}
