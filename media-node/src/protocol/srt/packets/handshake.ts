import { ByteReader, ProtocolError } from '@runnel/shared';
import { CONTROL_TYPE, encodeControl, expectType, readControlHeader, type ControlFields } from './control-header.ts';
import { swapWords } from './config-string.ts';
import { decodeHsExtensions, encodeHsExtensions, type HsExtension } from './hs-extensions.ts';
import { PEER_IP_BYTES } from './peer-ip.ts';

/** Handshake versions (draft-sharabayko-srt 4.3): UDT-style v4 and SRT's v5. */
export const HS_VERSION_4 = 4;
export const HS_VERSION_5 = 5;

/**
 * Handshake Type field (draft-sharabayko-srt 3.2.1, Table 4). Values of 1000
 * and up are rejections: 1000 + the SRT_REJ_* reason (see reject.ts).
 */
export const HS_TYPE = { waveahand: 0, induction: 1, conclusion: -1, agreement: -2 } as const;

/** Offset of rejection codes in the Handshake Type field (libsrt `URQ_FAILURE_TYPES`). */
export const HS_REJECT_BASE = 1000;

/** Extension Field bits of a v5 conclusion (draft-sharabayko-srt 3.2.1, Table 5). */
export const HS_EXT_FLAG = { hsreq: 0x1, kmreq: 0x2, config: 0x4 } as const;

/** Extension Field of a v5 listener's induction answer: "SRT" magic 0x4A17. */
export const HS_MAGIC = 0x4a17;

/** In a v4 handshake the Encryption+Extension fields are one word, the UDT socket type: DGRAM. */
export const UDT_DGRAM = 2;

/** The handshake's Control Information Field without extensions: 48 bytes. */
export const HS_CIF_SIZE = 48;

/** Handshake control packet (draft-sharabayko-srt 3.2.1). */
export interface Handshake extends ControlFields {
  readonly kind: 'handshake';
  readonly version: number;
  /** v5: the advertised key length / 8 (2, 3, 4) or 0. */
  readonly encryptionField: number;
  /** v5: HS_EXT_FLAG bits, or HS_MAGIC in induction; v4: UDT_DGRAM. */
  readonly extensionField: number;
  readonly initialSeq: number;
  /** Maximum transmission unit in bytes, UDP/IP headers included (1500). */
  readonly mss: number;
  /** Packets the sender of this handshake can receive in flight. */
  readonly flowWindow: number;
  /** Signed: HS_TYPE or HS_REJECT_BASE + reason. */
  readonly type: number;
  readonly socketId: number;
  readonly synCookie: number;
  /** 16 bytes, network order (see peer-ip.ts). */
  readonly peerIp: Uint8Array;
  readonly extensions: readonly HsExtension[];
}

/**
 * Decodes a handshake. Extension blocks are parsed for version 5 only (a v4
 * peer carries its SRT options in user-defined packets); a block whose length
 * runs past the datagram is a ProtocolError.
 */
export function decodeHandshake(datagram: Uint8Array): Handshake {
  const r = new ByteReader(datagram);
  const h = readControlHeader(r);
  expectType(h, CONTROL_TYPE.handshake, 'handshake');
  if (r.remaining < HS_CIF_SIZE) throw new ProtocolError('srt_truncated', `handshake CIF of ${r.remaining} bytes`);
  const version = r.u32();
  const encryptionField = r.u16();
  const extensionField = r.u16();
  const initialSeq = r.u32();
  if (initialSeq & 0x80000000) throw new ProtocolError('srt_bad_seq', 'handshake initial sequence with the top bit set');
  const mss = r.u32();
  const flowWindow = r.u32();
  const type = r.i32();
  const socketId = r.u32();
  const synCookie = r.u32();
  const peerIp = swapWords(r.bytes(PEER_IP_BYTES));
  const extensions = version === HS_VERSION_5 && r.remaining > 0 ? decodeHsExtensions(r.rest()) : [];
  return {
    kind: 'handshake',
    timestamp: h.timestamp,
    destSocketId: h.destSocketId,
    version,
    encryptionField,
    extensionField,
    initialSeq,
    mss,
    flowWindow,
    type,
    socketId,
    synCookie,
    peerIp,
    extensions,
  };
}

export function encodeHandshake(p: Omit<Handshake, 'kind'>): Uint8Array {
  const ext = encodeHsExtensions(p.extensions);
  const cif = new Uint8Array(HS_CIF_SIZE + ext.length);
  const v = new DataView(cif.buffer);
  v.setUint32(0, p.version >>> 0);
  v.setUint16(4, p.encryptionField);
  v.setUint16(6, p.extensionField);
  v.setUint32(8, p.initialSeq >>> 0);
  v.setUint32(12, p.mss >>> 0);
  v.setUint32(16, p.flowWindow >>> 0);
  v.setInt32(20, p.type);
  v.setUint32(24, p.socketId >>> 0);
  v.setUint32(28, p.synCookie >>> 0);
  cif.set(swapWords(p.peerIp), 32);
  cif.set(ext, HS_CIF_SIZE);
  return encodeControl(CONTROL_TYPE.handshake, 0, 0, p, cif);
}
