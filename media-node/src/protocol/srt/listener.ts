import { randomBytes } from 'node:crypto';
import { ProtocolError } from '@runnel/shared';
import { SrtConnection } from './connection/connection.ts';
import { checkPassphrase, StreamCrypto, type KeyRefresh } from './crypto/stream-crypto.ts';
import { DEFAULT_LATENCY_MS, DEFAULT_MSS, PEER_IDLE_TIMEOUT_MS, RECV_BUFFER_PACKETS } from './limits.ts';
import { decodeHandshake, encodeHandshake, HS_EXT_FLAG, HS_MAGIC, HS_TYPE, HS_VERSION_4, HS_VERSION_5, type Handshake } from './packets/handshake.ts';
import { findExtension, type HsExtension } from './packets/hs-extensions.ts';
import { OUR_SRT_VERSION, SRT_FLAG, SRT_VERSION_HSV5, type SrtHsOptions } from './packets/hs-options.ts';
import { decodePacket, type SrtPacket } from './packets/packet.ts';
import { peerIpFromAddress } from './packets/peer-ip.ts';
import { rejectType, SRT_REJ } from './reject.ts';
import { parseStreamId, type SrtMode } from './stream-id.ts';
import { checkSynCookie, synCookie } from './syn-cookie.ts';

export interface PeerAddress {
  readonly address: string;
  readonly port: number;
}

export interface SrtListenerOptions {
  /** Local time (ms) the listener starts; its handshake timestamps count from here. */
  readonly now: number;
  /** Secret for SYN cookies; 32 random bytes when not given. */
  readonly cookieSecret?: Uint8Array;
  /** Latency we receive with (SRS `recvlatency`), ms; the caller may ask for more. Default 120. */
  readonly latencyMs?: number;
  /** Latency we propose for the caller's receiver (SRS `peerlatency`), ms. Default 120. */
  readonly peerLatencyMs?: number;
  /** App for stream ids without one (SRS `default_app`). Default "live". */
  readonly defaultApp?: string;
  /**
   * Callers must encrypt with this passphrase (SRS `passphrase`, 10-80
   * characters); without it, callers that encrypt are refused. Like libsrt's
   * default (SRTO_ENFORCEDENCRYPTION), a mismatch is always a refusal.
   */
  readonly passphrase?: string;
  /**
   * Check callers' keys after admission instead of at the conclusion: the
   * server learns a stream's passphrase from its hooks (a control plane's
   * per-stream passphrase), then calls `withKeys(request, passphrase)`
   * before `accept` (libsrt's listen callback setting SRTO_PASSPHRASE per
   * caller). `passphrase` is then the one used when the server has none.
   */
  readonly keysAfterAdmission?: boolean;
  /** Key length (16, 24, 32) announced in the induction answer (SRS `pbkeylen`); callers may pick their own when absent. */
  readonly keyLength?: number;
  /** When our sending side switches keys (SRTO_KMREFRESHRATE / SRTO_KMPREANNOUNCE); libsrt's defaults. */
  readonly keyRefresh?: KeyRefresh;
  readonly peerIdleTimeoutMs?: number;
  /** Random bytes for socket ids (tests inject a fixed source). */
  readonly random?: (n: number) => Uint8Array;
}

/** A caller that proved its address (cookie) and asked for a stream; answer with accept() or reject(). */
export interface SrtConnectRequest {
  /** Stable per caller socket: the server keys pending requests by it (callers repeat their conclusion every 250 ms). */
  readonly key: string;
  readonly peer: PeerAddress;
  readonly peerSocketId: number;
  readonly streamId: string;
  /** From the stream id, SRS convention (stream-id.ts). */
  readonly vhost: string | null;
  readonly app: string;
  readonly stream: string;
  readonly mode: SrtMode;
  readonly param: string;
  /** The caller's SRT version (0x00MMmmpp). */
  readonly srtVersion: number;
  /** Latency each side will receive with, after negotiation (ms). */
  readonly recvLatencyMs: number;
  readonly peerLatencyMs: number;
  readonly handshake: Handshake;
  /** Local time the conclusion arrived: with its timestamp, the TSBPD time base. */
  readonly arrivedAt: number;
  /** The caller's keys, when it encrypts (it then had our passphrase). */
  readonly crypto: StreamCrypto | null;
}

export type SrtListenerResult =
  /** The induction answer (cookie); nothing was allocated. */
  | { readonly kind: 'reply'; readonly bytes: Uint8Array }
  | { readonly kind: 'request'; readonly request: SrtConnectRequest }
  /** A proven caller we refuse on our own (bad stream id, encryption, version...). */
  | { readonly kind: 'reject'; readonly bytes: Uint8Array; readonly code: number; readonly reason: string }
  /** Not for the listener, malformed, or a forged/stale cookie: send nothing. */
  | { readonly kind: 'ignore'; readonly reason: string };

/**
 * The listening side of the SRT handshake (draft-sharabayko-srt 4.3.1), as a
 * pure function of datagrams: induction gets a SYN cookie and costs no state;
 * a conclusion with a valid cookie is checked (HSREQ, congestion control,
 * filters, groups, encryption, the stream id) and becomes a request the
 * server accepts or rejects. Rejections carry SRT reject codes.
 *
 * Version 4 callers (libsrt before 1.3.0, 2018) are refused with
 * SRT_REJ_VERSION. With a passphrase, callers must send key material that
 * unwraps with it (else SRT_REJ_BADSECRET); without one, callers that
 * encrypt are refused (SRT_REJ_UNSECURE), as libsrt does by default.
 */
export class SrtListener {
  private readonly opts: SrtListenerOptions;
  private readonly secret: Uint8Array;
  private readonly random: (n: number) => Uint8Array;
  private readonly startTime: number;

  constructor(opts: SrtListenerOptions) {
    if (opts.passphrase !== undefined) checkPassphrase(opts.passphrase);
    if (opts.keyLength !== undefined && ![16, 24, 32].includes(opts.keyLength)) throw new RangeError(`SRT key length ${opts.keyLength}`);
    this.opts = opts;
    this.random = opts.random ?? ((n) => new Uint8Array(randomBytes(n)));
    this.secret = opts.cookieSecret ?? this.random(32);
    this.startTime = opts.now;
  }

  private timestamp(now: number): number {
    return Math.max(0, Math.floor((now - this.startTime) * 1000)) % 0x1_0000_0000;
  }

  handle(datagram: Uint8Array, peer: PeerAddress, now: number): SrtListenerResult {
    let p: SrtPacket;
    try {
      p = decodePacket(datagram);
    } catch (e) {
      if (!(e instanceof ProtocolError)) throw e;
      return this.malformed(datagram, peer, now, e);
    }
    if (p.kind !== 'handshake') return { kind: 'ignore', reason: 'not_handshake' };
    if (p.destSocketId !== 0) return { kind: 'ignore', reason: 'not_for_listener' };
    if (p.type === HS_TYPE.induction) return this.induction(p, peer, now);
    if (p.type !== HS_TYPE.conclusion) return { kind: 'ignore', reason: 'rendezvous_unsupported' };
    if (!checkSynCookie(this.secret, peer.address, peer.port, now, p.synCookie)) return { kind: 'ignore', reason: 'bad_cookie' };
    return this.conclusion(p, peer, now);
  }

  /** A handshake whose extensions do not decode: refused if its cookie is good, else ignored. */
  private malformed(datagram: Uint8Array, peer: PeerAddress, now: number, e: ProtocolError): SrtListenerResult {
    let hs: Handshake;
    try {
      // The fixed part alone (16-byte header + 48-byte CIF) has no extensions to lie about.
      hs = decodeHandshake(datagram.subarray(0, 64));
    } catch {
      return { kind: 'ignore', reason: e.code };
    }
    if (hs.type !== HS_TYPE.conclusion || hs.destSocketId !== 0) return { kind: 'ignore', reason: e.code };
    if (!checkSynCookie(this.secret, peer.address, peer.port, now, hs.synCookie)) return { kind: 'ignore', reason: 'bad_cookie' };
    return this.refuse(hs, SRT_REJ.rogue, e.code, now);
  }

  private induction(hs: Handshake, peer: PeerAddress, now: number): SrtListenerResult {
    const bytes = encodeHandshake({
      ...hs,
      timestamp: this.timestamp(now),
      destSocketId: hs.socketId,
      version: HS_VERSION_5,
      encryptionField: this.opts.passphrase !== undefined && this.opts.keyLength !== undefined ? this.opts.keyLength / 8 : 0,
      extensionField: HS_MAGIC,
      synCookie: synCookie(this.secret, peer.address, peer.port, now),
      extensions: [],
    });
    return { kind: 'reply', bytes };
  }

  private conclusion(hs: Handshake, peer: PeerAddress, now: number): SrtListenerResult {
    if (hs.version === HS_VERSION_4) return this.refuse(hs, SRT_REJ.version, 'hsv4_unsupported', now);
    if (hs.version !== HS_VERSION_5) return this.refuse(hs, SRT_REJ.version, 'hs_version', now);
    // libsrt CHandShake::valid(): an MSS below 32 bytes or a flow window below 2 packets is rogue.
    if (hs.mss < 32 || hs.flowWindow < 2) return this.refuse(hs, SRT_REJ.rogue, 'hs_fields', now);
    const hsreq = findExtension(hs.extensions, 'hsreq');
    if ((hs.extensionField & HS_EXT_FLAG.hsreq) === 0 || !hsreq) return this.refuse(hs, SRT_REJ.rogue, 'no_hsreq', now);
    const o = hsreq.options;
    if (o.srtVersion < SRT_VERSION_HSV5) return this.refuse(hs, SRT_REJ.rogue, 'srt_version', now);
    if (o.flags & SRT_FLAG.stream) return this.refuse(hs, SRT_REJ.messageApi, 'stream_api', now);
    const refusal = this.checkExtensions(hs.extensions);
    if (refusal) return this.refuse(hs, refusal.code, refusal.reason, now);

    const crypto = this.opts.keysAfterAdmission ? null : this.keys(hs, this.opts.passphrase);
    if (!(crypto === null || crypto instanceof StreamCrypto)) return this.refuse(hs, crypto.code, crypto.reason, now);

    const sid = findExtension(hs.extensions, 'sid')?.streamId ?? '';
    const parsed = parseStreamId(sid, this.opts.defaultApp === undefined ? {} : { defaultApp: this.opts.defaultApp });
    if (!parsed.ok) return this.refuse(hs, parsed.code, parsed.reason, now);

    const ourLatency = this.opts.latencyMs ?? DEFAULT_LATENCY_MS;
    const ourPeerLatency = this.opts.peerLatencyMs ?? DEFAULT_LATENCY_MS;
    const request: SrtConnectRequest = {
      key: `${peer.address}|${peer.port}|${hs.socketId}`,
      peer,
      peerSocketId: hs.socketId,
      streamId: sid,
      vhost: parsed.vhost,
      app: parsed.app,
      stream: parsed.stream,
      mode: parsed.mode,
      param: parsed.param,
      srtVersion: o.srtVersion,
      // HSv5: the caller's SND field is what it proposes for our receiver, RCV its own (libsrt processSrtMsg_HSREQ).
      recvLatencyMs: o.flags & SRT_FLAG.tsbpdSnd ? Math.max(ourLatency, o.sendLatencyMs) : 0,
      peerLatencyMs: o.flags & SRT_FLAG.tsbpdRcv ? Math.max(ourPeerLatency, o.recvLatencyMs) : 0,
      handshake: hs,
      arrivedAt: now,
      crypto,
    };
    return { kind: 'request', request };
  }

  /**
   * With `keysAfterAdmission`: the caller's key material checked against the
   * passphrase admission chose for it (undefined = the listener's own, if
   * any). The request with its keys, or the refusal to send (`reject`).
   */
  withKeys(request: SrtConnectRequest, passphrase: string | undefined): { ok: true; request: SrtConnectRequest } | { ok: false; code: number; reason: string } {
    const chosen = passphrase ?? this.opts.passphrase;
    if (chosen !== undefined) checkPassphrase(chosen);
    const crypto = this.keys(request.handshake, chosen);
    if (crypto === null || crypto instanceof StreamCrypto) return { ok: true, request: { ...request, crypto } };
    return { ok: false, ...crypto };
  }

  /**
   * The caller's KMREQ against a passphrase (libsrt interpretSrtHandshake
   * with enforced encryption): keys, no encryption (null), or a refusal.
   */
  private keys(hs: Handshake, passphrase: string | undefined): StreamCrypto | null | { code: number; reason: string } {
    const announced = (hs.extensionField & HS_EXT_FLAG.kmreq) !== 0;
    const kmreq = findExtension(hs.extensions, 'kmreq');
    if (announced && !kmreq) return { code: SRT_REJ.rogue, reason: 'kmreq_missing' };
    if (!announced || !kmreq) return passphrase === undefined ? null : { code: SRT_REJ.unsecure, reason: 'passphrase_required' };
    if (passphrase === undefined) return { code: SRT_REJ.unsecure, reason: 'passphrase_unexpected' };
    const crypto = StreamCrypto.accept(passphrase, kmreq.km, this.random, this.opts.keyRefresh);
    if (crypto === 'bad_secret') return { code: SRT_REJ.badSecret, reason: 'bad_passphrase' };
    if (crypto === 'cipher_unsupported') return { code: SRT_REJ.unsecure, reason: 'cipher_unsupported' };
    return crypto;
  }

  private checkExtensions(list: readonly HsExtension[]): { code: number; reason: string } | null {
    let congestion = 0;
    for (const e of list) {
      if (e.type === 'filter') return { code: SRT_REJ.filter, reason: 'packet_filter_unsupported' };
      if (e.type === 'other' && e.code === 8) return { code: SRT_REJ.group, reason: 'groups_unsupported' };
      if (e.type === 'congestion') {
        if (++congestion > 1) return { code: SRT_REJ.rogue, reason: 'congestion_repeated' };
        if (e.name !== 'live') return { code: SRT_REJ.congestion, reason: 'congestion_not_live' };
      }
    }
    return null;
  }

  private refuse(hs: Handshake, code: number, reason: string, now: number): SrtListenerResult {
    return { kind: 'reject', bytes: this.rejection(hs, code, now), code, reason };
  }

  /** Handshake answer carrying `HS_REJECT_BASE + code`, without extensions (as libsrt). */
  private rejection(hs: Handshake, code: number, now: number): Uint8Array {
    return encodeHandshake({ ...hs, timestamp: this.timestamp(now), destSocketId: hs.socketId, type: rejectType(code), extensions: [] });
  }

  /** Refuses a request (e.g. the publish hook said no): the caller sees `code`. */
  reject(request: SrtConnectRequest, code: number, now: number): Uint8Array {
    return this.rejection(request.handshake, code, now);
  }

  /**
   * Accepts a request: the connection, and the conclusion answer to send
   * (the connection sends it again if the caller repeats its conclusion).
   * `socketId` must be unique on this listener's socket; random by default.
   */
  accept(request: SrtConnectRequest, now: number, socketId = this.newSocketId()): { connection: SrtConnection; bytes: Uint8Array } {
    const hs = request.handshake;
    const o = findExtension(hs.extensions, 'hsreq')!.options;
    const recvTsbpd = (o.flags & SRT_FLAG.tsbpdSnd) !== 0;
    const peerTsbpd = (o.flags & SRT_FLAG.tsbpdRcv) !== 0;
    const tooLateDrop = (o.flags & SRT_FLAG.tlpktDrop) !== 0;
    const rexmit = (o.flags & SRT_FLAG.rexmitFlag) !== 0;
    const flags =
      (recvTsbpd ? SRT_FLAG.tsbpdRcv : 0) |
      (peerTsbpd ? SRT_FLAG.tsbpdSnd : 0) |
      (tooLateDrop ? SRT_FLAG.tlpktDrop : 0) |
      SRT_FLAG.periodicNak |
      (rexmit ? SRT_FLAG.rexmitFlag : 0);
    const hsrsp: SrtHsOptions = { srtVersion: OUR_SRT_VERSION, flags, recvLatencyMs: request.recvLatencyMs, sendLatencyMs: request.peerLatencyMs };
    const connectionStart = now;
    const bytes = encodeHandshake({
      timestamp: 0,
      destSocketId: hs.socketId,
      version: HS_VERSION_5,
      encryptionField: 0,
      extensionField: HS_EXT_FLAG.hsreq | (request.crypto ? HS_EXT_FLAG.kmreq : 0),
      initialSeq: hs.initialSeq,
      mss: Math.min(DEFAULT_MSS, hs.mss),
      flowWindow: RECV_BUFFER_PACKETS,
      type: HS_TYPE.conclusion,
      socketId,
      synCookie: hs.synCookie,
      peerIp: peerIpFromAddress(request.peer.address),
      // KMRSP: the caller's key material echoed says its keys are in use (both directions, HSv5).
      extensions: request.crypto ? [{ type: 'hsrsp', options: hsrsp }, { type: 'kmrsp', km: request.crypto.keyMaterial }] : [{ type: 'hsrsp', options: hsrsp }],
    });
    const connection = new SrtConnection({
      now: connectionStart,
      localSocketId: socketId,
      peerSocketId: hs.socketId,
      // libsrt's listener takes the caller's ISN for both directions (acceptAndRespond).
      sendIsn: hs.initialSeq,
      recvIsn: hs.initialSeq,
      peerFlowWindow: hs.flowWindow,
      peerStartTime: request.arrivedAt - hs.timestamp / 1000,
      recvTsbpd,
      recvLatencyMs: request.recvLatencyMs,
      sendLatencyMs: request.peerLatencyMs,
      tooLateDrop,
      periodicNak: true,
      peerRexmitFlag: rexmit,
      handshakeReply: bytes,
      mss: Math.min(DEFAULT_MSS, hs.mss),
      ...(request.crypto ? { crypto: request.crypto } : {}),
      peerIdleTimeoutMs: this.opts.peerIdleTimeoutMs ?? PEER_IDLE_TIMEOUT_MS,
    });
    return { connection, bytes };
  }

  /** A random socket id: 30 bits, never 0 (libsrt keeps bit 30 for groups). */
  newSocketId(): number {
    for (;;) {
      const b = this.random(4);
      const id = (((b[0]! << 24) | (b[1]! << 16) | (b[2]! << 8) | b[3]!) >>> 0) & 0x3fffffff;
      if (id !== 0) return id;
    }
  }
}
