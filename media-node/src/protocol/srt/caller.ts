import { randomBytes } from 'node:crypto';
import { ProtocolError } from '@runnel/shared';
import { SrtConnection } from './connection/connection.ts';
import { checkPassphrase, StreamCrypto, type KeyRefresh } from './crypto/stream-crypto.ts';
import { KM_STATE } from './packets/hs-extensions.ts';
import { CONNECT_TIMEOUT_MS, DEFAULT_LATENCY_MS, DEFAULT_MSS, HANDSHAKE_RETRY_MS, PEER_IDLE_TIMEOUT_MS, RECV_BUFFER_PACKETS } from './limits.ts';
import { encodeHandshake, HS_EXT_FLAG, HS_MAGIC, HS_TYPE, HS_VERSION_4, HS_VERSION_5, UDT_DGRAM, type Handshake } from './packets/handshake.ts';
import { findExtension, type HsExtension } from './packets/hs-extensions.ts';
import { OUR_SRT_VERSION, SRT_FLAG } from './packets/hs-options.ts';
import { decodePacket, type SrtPacket } from './packets/packet.ts';
import { peerIpFromAddress, PEER_IP_BYTES } from './packets/peer-ip.ts';
import { rejectCodeOf, SRT_REJ } from './reject.ts';

export interface SrtCallerOptions {
  readonly now: number;
  /** Sent in the SID extension (e.g. `#!::r=live/cam,m=publish`). */
  readonly streamId?: string;
  /** Latency we receive with, ms. Default 120. */
  readonly latencyMs?: number;
  /** Latency we propose for the listener's receiver, ms. Default 0 (the listener's own applies), as libsrt. */
  readonly peerLatencyMs?: number;
  /** The listener's IP, for the handshake's Peer IP field (informational). */
  readonly peerAddress?: string;
  readonly connectTimeoutMs?: number;
  readonly peerIdleTimeoutMs?: number;
  /** Encrypt with this passphrase (10-80 characters). */
  readonly passphrase?: string;
  /** AES key length 16, 24 or 32; default what the listener announces, else 16 (libsrt). */
  readonly keyLength?: number;
  /** When our sending side switches keys (SRTO_KMREFRESHRATE / SRTO_KMPREANNOUNCE); libsrt's defaults. */
  readonly keyRefresh?: KeyRefresh;
  /** Random bytes for the socket id, initial sequence number and keys. */
  readonly random?: (n: number) => Uint8Array;
}

export type SrtCallerOutput =
  | { readonly kind: 'send'; readonly bytes: Uint8Array }
  | { readonly kind: 'connected'; readonly connection: SrtConnection }
  /** Always last. `rejectCode` when the listener refused (SRT_REJ_* / SRT_REJX_*). */
  | { readonly kind: 'failed'; readonly reason: 'rejected' | 'timeout' | 'unsupported_listener'; readonly rejectCode?: number };

/**
 * The calling side of the SRT handshake (draft-sharabayko-srt 4.3.1.1):
 * induction (version 4 request, as libsrt sends it), then a version 5
 * conclusion with HSREQ and the stream id, resent every 250 ms until the
 * listener answers or 3 s pass. Produces the SrtConnection on success.
 */
export class SrtCaller {
  readonly socketId: number;
  private readonly opts: SrtCallerOptions;
  private readonly isn: number;
  private readonly startTime: number;
  private readonly random: (n: number) => Uint8Array;
  private crypto: StreamCrypto | null = null;
  private current: Uint8Array | null = null;
  private lastSentAt = -Infinity;
  private done = false;

  constructor(opts: SrtCallerOptions) {
    if (opts.passphrase !== undefined) checkPassphrase(opts.passphrase);
    this.opts = opts;
    const random = opts.random ?? ((n: number) => new Uint8Array(randomBytes(n)));
    this.random = random;
    const b = random(8);
    const v = new DataView(b.buffer, b.byteOffset, 8);
    this.socketId = (v.getUint32(0) & 0x3fffffff) || 1;
    this.isn = v.getUint32(4) & 0x7fffffff;
    this.startTime = opts.now;
  }

  private timestamp(now: number): number {
    return Math.max(0, Math.floor((now - this.startTime) * 1000)) % 0x1_0000_0000;
  }

  private base(now: number): Omit<Handshake, 'kind' | 'version' | 'extensionField' | 'type' | 'synCookie' | 'extensions'> {
    return {
      timestamp: this.timestamp(now),
      destSocketId: 0,
      encryptionField: 0,
      initialSeq: this.isn,
      mss: DEFAULT_MSS,
      flowWindow: RECV_BUFFER_PACKETS,
      socketId: this.socketId,
      peerIp: this.opts.peerAddress ? peerIpFromAddress(this.opts.peerAddress) : new Uint8Array(PEER_IP_BYTES),
    };
  }

  /** The induction request. */
  start(now: number): SrtCallerOutput[] {
    const bytes = encodeHandshake({ ...this.base(now), version: HS_VERSION_4, extensionField: UDT_DGRAM, type: HS_TYPE.induction, synCookie: 0, extensions: [] });
    return this.transmit(bytes, now);
  }

  receive(datagram: Uint8Array, now: number): SrtCallerOutput[] {
    if (this.done) return [];
    let p: SrtPacket;
    try {
      p = decodePacket(datagram);
    } catch (e) {
      if (e instanceof ProtocolError) return [];
      throw e;
    }
    if (p.kind !== 'handshake' || p.destSocketId !== this.socketId) return [];
    const rejected = rejectCodeOf(p.type);
    if (rejected !== null) return this.fail('rejected', rejected);
    if (p.type === HS_TYPE.induction) {
      if (p.version !== HS_VERSION_5 || p.extensionField !== HS_MAGIC) return this.fail('unsupported_listener');
      if (this.opts.passphrase !== undefined && this.crypto === null) {
        const announced = p.encryptionField * 8;
        const keyLength = this.opts.keyLength ?? ([16, 24, 32].includes(announced) ? announced : 16);
        this.crypto = StreamCrypto.create(this.opts.passphrase, keyLength, this.random, this.opts.keyRefresh);
      }
      return this.transmit(this.conclusion(p.synCookie, now), now);
    }
    if (p.type === HS_TYPE.conclusion && this.current !== null) return this.connected(p, now);
    return [];
  }

  /** Resends the current handshake every 250 ms; fails after the connect timeout. */
  tick(now: number): SrtCallerOutput[] {
    if (this.done || this.current === null) return [];
    if (now - this.startTime >= (this.opts.connectTimeoutMs ?? CONNECT_TIMEOUT_MS)) return this.fail('timeout');
    if (now - this.lastSentAt >= HANDSHAKE_RETRY_MS) return this.transmit(this.current, now);
    return [];
  }

  private conclusion(cookie: number, now: number): Uint8Array {
    const flags = SRT_FLAG.tsbpdSnd | SRT_FLAG.tsbpdRcv | SRT_FLAG.tlpktDrop | SRT_FLAG.periodicNak | SRT_FLAG.rexmitFlag;
    const extensions: HsExtension[] = [
      {
        type: 'hsreq',
        options: { srtVersion: OUR_SRT_VERSION, flags, recvLatencyMs: this.opts.latencyMs ?? DEFAULT_LATENCY_MS, sendLatencyMs: this.opts.peerLatencyMs ?? 0 },
      },
    ];
    if (this.opts.streamId) extensions.push({ type: 'sid', streamId: this.opts.streamId });
    if (this.crypto) extensions.push({ type: 'kmreq', km: this.crypto.keyMaterial });
    const extensionField = HS_EXT_FLAG.hsreq | (this.opts.streamId ? HS_EXT_FLAG.config : 0) | (this.crypto ? HS_EXT_FLAG.kmreq : 0);
    const encryptionField = this.crypto ? this.crypto.keyLength / 8 : 0;
    return encodeHandshake({ ...this.base(now), version: HS_VERSION_5, encryptionField, extensionField, type: HS_TYPE.conclusion, synCookie: cookie, extensions });
  }

  private connected(hs: Handshake, now: number): SrtCallerOutput[] {
    const hsrsp = findExtension(hs.extensions, 'hsrsp');
    if (hs.version !== HS_VERSION_5 || !hsrsp) return this.fail('unsupported_listener');
    const o = hsrsp.options;
    if (this.crypto) {
      // The listener echoes our key material, or says why it cannot use it.
      const kmrsp = findExtension(hs.extensions, 'kmrsp');
      if (!kmrsp || !('km' in kmrsp)) {
        const bad = kmrsp && 'state' in kmrsp && kmrsp.state === KM_STATE.badSecret;
        return this.fail('rejected', bad ? SRT_REJ.badSecret : SRT_REJ.unsecure);
      }
    }
    this.done = true;
    const connection = new SrtConnection({
      now,
      startTime: this.startTime,
      localSocketId: this.socketId,
      peerSocketId: hs.socketId,
      sendIsn: this.isn,
      recvIsn: hs.initialSeq,
      peerFlowWindow: hs.flowWindow,
      peerStartTime: now - hs.timestamp / 1000,
      mss: Math.min(DEFAULT_MSS, hs.mss),
      // HSRSP: SND is the latency the listener will send to us with (our receiver), RCV its own (libsrt processSrtMsg_HSRSP).
      recvTsbpd: (o.flags & SRT_FLAG.tsbpdSnd) !== 0,
      recvLatencyMs: o.sendLatencyMs,
      sendLatencyMs: o.flags & SRT_FLAG.tsbpdRcv ? o.recvLatencyMs : 0,
      tooLateDrop: (o.flags & SRT_FLAG.tlpktDrop) !== 0,
      periodicNak: true,
      peerRexmitFlag: (o.flags & SRT_FLAG.rexmitFlag) !== 0,
      ...(this.crypto ? { crypto: this.crypto } : {}),
      peerIdleTimeoutMs: this.opts.peerIdleTimeoutMs ?? PEER_IDLE_TIMEOUT_MS,
    });
    return [{ kind: 'connected', connection }];
  }

  private transmit(bytes: Uint8Array, now: number): SrtCallerOutput[] {
    this.current = bytes;
    this.lastSentAt = now;
    return [{ kind: 'send', bytes }];
  }

  private fail(reason: 'rejected' | 'timeout' | 'unsupported_listener', rejectCode?: number): SrtCallerOutput[] {
    this.done = true;
    return [rejectCode === undefined ? { kind: 'failed', reason } : { kind: 'failed', reason, rejectCode }];
  }
}
