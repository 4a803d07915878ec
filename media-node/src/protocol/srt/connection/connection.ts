import { ProtocolError } from '@runnel/shared';
import {
  DEFAULT_MSS,
  KEEPALIVE_INTERVAL_MS,
  MAX_PAYLOAD_BYTES,
  MIN_NAK_INTERVAL_MS,
  PEER_IDLE_TIMEOUT_MS,
  RECV_BUFFER_PACKETS,
  SEND_BUFFER_PACKETS,
} from '../limits.ts';
import { encodeAck } from '../packets/ack.ts';
import { encodeAckAck } from '../packets/ackack.ts';
import { HEADER_SIZE } from '../packets/control-header.ts';
import { encodeDropRequest, DROP_ANY_MESSAGE } from '../packets/drop-request.ts';
import { HS_TYPE } from '../packets/handshake.ts';
import { encodeKeepalive } from '../packets/keepalive.ts';
import { encodeNak } from '../packets/nak.ts';
import { decodePacket, type SrtPacket } from '../packets/packet.ts';
import { encodeShutdown } from '../packets/shutdown.ts';
import type { StreamCrypto } from '../crypto/stream-crypto.ts';
import { KM_STATE } from '../packets/hs-extensions.ts';
import { decodeKeyMaterial, encodeKeyMaterial, type KeyMaterial } from '../packets/key-material.ts';
import { encodeUserDefined, USER_SUBTYPE } from '../packets/user-defined.ts';
import { Receiver, type ReceiverAction, type ReceiverStats } from './receiver.ts';
import { RttEstimator } from './rtt.ts';
import { Sender, type SenderAction, type SenderStats } from './sender.ts';

/** A key announcement is sent at most this many times (libsrt SRT_MAX_KMRETRY). */
const KM_MAX_RETRIES = 10;

/** What a handshake settled; the listener and the caller build these. */
export interface SrtConnectionOptions {
  /** Local time (ms) the connection is created. */
  readonly now: number;
  /**
   * Local time (ms) our packet timestamps count from (default `now`). A caller
   * passes the time its handshake clock started: the listener derived our
   * time base from the conclusion's timestamp.
   */
  readonly startTime?: number;
  readonly localSocketId: number;
  readonly peerSocketId: number;
  /** Sequence number of our first data packet. */
  readonly sendIsn: number;
  /** Sequence number of the peer's first data packet. */
  readonly recvIsn: number;
  /** Packets the peer can receive in flight (its handshake's flow window). */
  readonly peerFlowWindow: number;
  /** Local time (ms) at which the peer's timestamp 0 was: arrival of its handshake minus the handshake's timestamp. */
  readonly peerStartTime: number;
  /** We receive with TSBPD at this latency (ms). */
  readonly recvTsbpd: boolean;
  readonly recvLatencyMs: number;
  /** The peer receives with this latency (ms): our too-late drop threshold. */
  readonly sendLatencyMs: number;
  /** Too-late packet drop on both sides (TLPKTDROP negotiated). */
  readonly tooLateDrop: boolean;
  /** We send periodic NAK reports. */
  readonly periodicNak: boolean;
  /** The peer understands the R flag. */
  readonly peerRexmitFlag: boolean;
  /** Listener only: our conclusion answer, sent again when the caller repeats its conclusion. */
  readonly handshakeReply?: Uint8Array;
  readonly peerIdleTimeoutMs?: number;
  /** The smaller MSS of both handshakes (bytes, IP/UDP headers included); default 1500. */
  readonly mss?: number;
  /** Keys when the stream is encrypted (a passphrase on both sides). */
  readonly crypto?: StreamCrypto;
  readonly recvBufferPackets?: number;
  readonly sendBufferPackets?: number;
}

export type SrtConnectionOutput =
  | { readonly kind: 'send'; readonly bytes: Uint8Array }
  /** One message of the peer, in order, released at its TSBPD time. A view into the received datagram. */
  | { readonly kind: 'data'; readonly payload: Uint8Array }
  /** Always last; the connection is dead afterwards. */
  | { readonly kind: 'closed'; readonly reason: SrtCloseReason };

/** Why a connection ended. */
export type SrtCloseReason = 'closed' | 'peer_shutdown' | 'peer_idle_timeout' | 'peer_error';

export interface SrtConnectionStats {
  readonly receiver: Readonly<ReceiverStats>;
  readonly sender: Readonly<SenderStats>;
  readonly rttUs: number;
  readonly rttVarUs: number;
  /** How far the peer's clock has drifted from ours since the handshake (µs, TSBPD corrections). */
  readonly driftUs: number;
  /** Datagrams that failed to decode (ignored), by ProtocolError code. */
  readonly malformed: Readonly<Record<string, number>>;
  /** Control packets we do not act on (congestion warning, user-defined, stray handshakes). */
  readonly ignored: number;
  /** Our key announcements the peer answered with a KM error state. */
  readonly keyAnnouncementsRefused: number;
}

/**
 * One SRT connection in live mode, with no socket in it (gosrt's shape):
 * datagrams and time in, datagrams to send and messages out.
 *
 * @example
 * const conn = listener.accept(request, now).connection;
 * socket.on('message', (m) => apply(conn.receive(new Uint8Array(m), clock.now())));
 * setInterval(() => apply(conn.tick(clock.now())), 5);
 * apply(conn.send(tsChunk, clock.now()));   // 1316 bytes of MPEG-TS
 *
 * `now` is milliseconds on a monotonic clock (fractions welcome:
 * performance.now()). `tick` should run every few ms: ACKs go out every 10 ms
 * and TSBPD releases data when it is due. Datagrams that do not decode are
 * counted and ignored (UDP garbage must not end a session). Received payloads
 * are views into the datagrams given to `receive`, which must not be reused.
 */
export class SrtConnection {
  readonly localSocketId: number;
  readonly peerSocketId: number;
  private readonly opts: SrtConnectionOptions;
  private readonly startTime: number;
  private readonly rtt = new RttEstimator();
  private readonly receiver: Receiver;
  private readonly sender: Sender;
  private lastReceived: number;
  private lastSent: number;
  private closed = false;
  private readonly malformed: Record<string, number> = {};
  /** Our key announcement being sent (KMREQ) and when / how often. */
  private announcing: { km: KeyMaterial; lastSent: number; tries: number } | null = null;
  private ignored = 0;
  private kmFailures = 0;

  constructor(opts: SrtConnectionOptions) {
    this.opts = opts;
    this.localSocketId = opts.localSocketId;
    this.peerSocketId = opts.peerSocketId;
    this.startTime = opts.startTime ?? opts.now;
    this.lastReceived = opts.now;
    this.lastSent = opts.now;
    this.receiver = new Receiver(
      {
        isn: opts.recvIsn,
        bufferPackets: opts.recvBufferPackets ?? RECV_BUFFER_PACKETS,
        tsbpd: opts.recvTsbpd,
        latencyMs: opts.recvLatencyMs,
        tooLateDrop: opts.tooLateDrop,
        periodicNak: opts.periodicNak,
        peerStartTime: opts.peerStartTime,
      },
      this.rtt,
      opts.now,
    );
    this.sender = new Sender({
      isn: opts.sendIsn,
      bufferPackets: opts.sendBufferPackets ?? SEND_BUFFER_PACKETS,
      peerFlowWindow: opts.peerFlowWindow,
      peerSocketId: opts.peerSocketId,
      peerLatencyMs: opts.sendLatencyMs,
      tooLateDrop: opts.tooLateDrop,
      peerRexmitFlag: opts.peerRexmitFlag,
      ...(opts.crypto ? { encrypt: (seq: number, payload: Uint8Array) => opts.crypto!.encrypt(seq, payload) } : {}),
    });
  }

  /** Largest message `send` takes: the negotiated MSS less IP/UDP (28) and SRT (16) headers. */
  get maxPayload(): number {
    return Math.min(MAX_PAYLOAD_BYTES, (this.opts.mss ?? DEFAULT_MSS) - 28 - HEADER_SIZE);
  }

  /** The latency the peer's receiver agreed to (ms): how long after sending a packet it plays it out. */
  get sendLatencyMs(): number {
    return this.opts.sendLatencyMs;
  }

  /** Packets sent or waiting and not yet acknowledged: how far behind the peer is (a player's backpressure). */
  get sendBuffered(): number {
    return this.sender.buffered;
  }

  /** True when payloads are encrypted. */
  get encrypted(): boolean {
    return this.opts.crypto !== undefined;
  }

  get state(): 'connected' | 'closed' {
    return this.closed ? 'closed' : 'connected';
  }

  get stats(): SrtConnectionStats {
    return {
      receiver: this.receiver.stats,
      sender: this.sender.stats,
      rttUs: this.rtt.rttUs,
      rttVarUs: this.rtt.rttVarUs,
      driftUs: Math.round(this.receiver.driftUs),
      malformed: this.malformed,
      ignored: this.ignored,
      keyAnnouncementsRefused: this.kmFailures,
    };
  }

  /** Our packet timestamp for local time `now`: microseconds since the start, 32 bits. */
  timestamp(now: number): number {
    return Math.max(0, Math.floor((now - this.startTime) * 1000)) % 0x1_0000_0000;
  }

  receive(datagram: Uint8Array, now: number): SrtConnectionOutput[] {
    if (this.closed) return [];
    let p: SrtPacket;
    try {
      p = decodePacket(datagram);
    } catch (e) {
      if (!(e instanceof ProtocolError)) throw e;
      this.malformed[e.code] = (this.malformed[e.code] ?? 0) + 1;
      return [];
    }
    if (p.destSocketId !== this.localSocketId && !(p.kind === 'handshake' && p.destSocketId === 0)) {
      this.ignored++;
      return [];
    }
    this.lastReceived = now;
    const out: SrtConnectionOutput[] = [];
    switch (p.kind) {
      case 'data': {
        // Clear packets on an encrypted connection, and the reverse, are not delivered.
        const c = this.opts.crypto;
        const payload = c ? (p.key === 'none' ? null : c.decrypt(p.key, p.seq, p.payload)) : p.key === 'none' ? p.payload : null;
        this.applyReceiver(this.receiver.onData(p.seq, p.timestamp, payload, p.retransmitted, now), now, out);
        break;
      }
      case 'ack':
        if (p.shape === 'full') {
          this.emit(out, encodeAckAck({ ackNumber: p.ackNumber, timestamp: this.timestamp(now), destSocketId: this.peerSocketId }), now);
          if (p.rttUs !== undefined && p.rttVarUs !== undefined) this.rtt.adopt(p.rttUs, p.rttVarUs);
        }
        this.applySender(this.sender.onAck(p.lastAckedSeq), now, out);
        break;
      case 'ackack':
        this.receiver.onAckAck(p.ackNumber, p.timestamp, now);
        break;
      case 'nak':
        this.applySender(this.sender.onNak(p.losses, now), now, out);
        break;
      case 'drop-request':
        this.applyReceiver(this.receiver.onDropRequest(p.firstSeq, p.lastSeq, now), now, out);
        break;
      case 'keepalive':
        break;
      case 'shutdown':
        return this.end(out, 'peer_shutdown');
      case 'peer-error':
        return this.end(out, 'peer_error');
      case 'user-defined':
        if (p.subtype === USER_SUBTYPE.kmreq) this.emit(out, this.keyMaterialResponse(p.cif, now), now);
        else if (p.subtype === USER_SUBTYPE.kmrsp) this.keyMaterialAnswer(p.cif);
        else this.ignored++;
        break;
      case 'handshake':
        // A caller that missed our conclusion answer repeats its conclusion.
        if (p.type === HS_TYPE.conclusion && this.opts.handshakeReply) this.emit(out, this.opts.handshakeReply, now);
        else this.ignored++;
        break;
      default:
        this.ignored++;
    }
    return out;
  }

  /** Timers: TSBPD delivery, ACK, periodic NAK, too-late drop, keepalive, peer idle timeout. */
  tick(now: number): SrtConnectionOutput[] {
    if (this.closed) return [];
    const out: SrtConnectionOutput[] = [];
    if (now - this.lastReceived >= (this.opts.peerIdleTimeoutMs ?? PEER_IDLE_TIMEOUT_MS)) return this.end(out, 'peer_idle_timeout');
    this.applyReceiver(this.receiver.tick(now), now, out);
    this.applySender(this.sender.tick(now), now, out);
    this.announceKeys(now, out);
    if (now - this.lastSent >= KEEPALIVE_INTERVAL_MS) {
      this.emit(out, encodeKeepalive({ timestamp: this.timestamp(now), destSocketId: this.peerSocketId }), now);
    }
    return out;
  }

  /**
   * Sends one message: at most `maxPayload` bytes (MSS - 44: 1456 with the
   * default 1500; 1316 = 7 TS packets is what encoders use). Live mode keeps
   * one message per packet, like libsrt, which refuses larger messages in
   * live mode.
   */
  send(payload: Uint8Array, now: number): SrtConnectionOutput[] {
    if (this.closed) return [];
    if (payload.length > this.maxPayload) throw new RangeError(`SRT live message of ${payload.length} bytes > ${this.maxPayload}`);
    const out: SrtConnectionOutput[] = [];
    this.applySender(this.sender.send(payload, this.timestamp(now), now), now, out);
    this.announceKeys(now, out);
    return out;
  }

  /** Closes from our side: a shutdown packet, then `closed`. */
  close(now: number): SrtConnectionOutput[] {
    if (this.closed) return [];
    const out: SrtConnectionOutput[] = [];
    this.emit(out, encodeShutdown({ timestamp: this.timestamp(now), destSocketId: this.peerSocketId }), now);
    return this.end(out, 'closed');
  }

  /**
   * A KMREQ after the handshake (the peer switching keys, draft-sharabayko-srt
   * 6.1.6): install the keys and echo the message as KMRSP, or answer with
   * the KM state that says why not.
   */
  private keyMaterialResponse(cif: Uint8Array, now: number): Uint8Array {
    const f = { timestamp: this.timestamp(now), destSocketId: this.peerSocketId, subtype: USER_SUBTYPE.kmrsp, typeSpecific: 0 };
    let state: number = KM_STATE.noSecret;
    if (this.opts.crypto) {
      try {
        const km = decodeKeyMaterial(cif);
        const problem = this.opts.crypto.update(km);
        if (problem === null) return encodeUserDefined({ ...f, cif: encodeKeyMaterial(km) });
        state = problem === 'bad_secret' ? KM_STATE.badSecret : KM_STATE.badCryptoMode;
      } catch (e) {
        if (!(e instanceof ProtocolError)) throw e;
        state = KM_STATE.badSecret;
      }
    }
    const word = new Uint8Array(4);
    new DataView(word.buffer).setUint32(0, state);
    return encodeUserDefined({ ...f, cif: word });
  }

  /** The peer answered our KMREQ: an echo completes the announcement, a KM state word ends it (the peer cannot use it). */
  private keyMaterialAnswer(cif: Uint8Array): void {
    const crypto = this.opts.crypto;
    if (!crypto?.announcement) return;
    if (cif.length === 4) {
      this.kmFailures++;
      crypto.announcement = null;
      return;
    }
    try {
      crypto.acknowledge(decodeKeyMaterial(cif));
    } catch (e) {
      if (!(e instanceof ProtocolError)) throw e;
      this.malformed[e.code] = (this.malformed[e.code] ?? 0) + 1;
    }
  }

  /**
   * Sends our pending key announcement (KMREQ) when it is new, and again
   * every 1.5 RTT (at least 20 ms, the NAK floor) until echoed, at most 10
   * times (libsrt CCryptoControl::sendKeysToPeer, SRT_MAX_KMRETRY).
   */
  private announceKeys(now: number, out: SrtConnectionOutput[]): void {
    const km = this.opts.crypto?.announcement ?? null;
    if (km === null) {
      this.announcing = null;
      return;
    }
    if (this.announcing?.km !== km) this.announcing = { km, lastSent: -Infinity, tries: 0 };
    const a = this.announcing;
    if (a.tries >= KM_MAX_RETRIES || now - a.lastSent < Math.max(MIN_NAK_INTERVAL_MS, (1.5 * this.rtt.rttUs) / 1000)) return;
    a.tries++;
    a.lastSent = now;
    const f = { timestamp: this.timestamp(now), destSocketId: this.peerSocketId, subtype: USER_SUBTYPE.kmreq, typeSpecific: 0 };
    this.emit(out, encodeUserDefined({ ...f, cif: encodeKeyMaterial(km) }), now);
  }

  private end(out: SrtConnectionOutput[], reason: SrtCloseReason): SrtConnectionOutput[] {
    this.closed = true;
    out.push({ kind: 'closed', reason });
    return out;
  }

  private emit(out: SrtConnectionOutput[], bytes: Uint8Array, now: number): void {
    this.lastSent = now;
    out.push({ kind: 'send', bytes });
  }

  private applyReceiver(actions: readonly ReceiverAction[], now: number, out: SrtConnectionOutput[]): void {
    const f = { timestamp: this.timestamp(now), destSocketId: this.peerSocketId };
    for (const a of actions) {
      if (a.kind === 'deliver') out.push({ kind: 'data', payload: a.payload });
      else if (a.kind === 'nak') this.emit(out, encodeNak({ ...f, losses: a.losses }), now);
      else if (a.shape === 'light') this.emit(out, encodeAck({ ...f, shape: 'light', ackNumber: 0, lastAckedSeq: a.seq }), now);
      else {
        const bytes = encodeAck({
          ...f,
          shape: 'full',
          ackNumber: a.ackNumber,
          lastAckedSeq: a.seq,
          rttUs: this.rtt.rttUs,
          rttVarUs: this.rtt.rttVarUs,
          availableBuffer: this.receiver.availableBuffer,
          packetRate: this.receiver.packetRate,
          linkCapacity: this.receiver.packetRate,
          receiveRateBytes: this.receiver.byteRate,
        });
        this.emit(out, bytes, now);
      }
    }
  }

  private applySender(actions: readonly SenderAction[], now: number, out: SrtConnectionOutput[]): void {
    for (const a of actions) {
      if (a.kind === 'send') this.emit(out, a.bytes, now);
      else {
        const bytes = encodeDropRequest({
          messageNumber: DROP_ANY_MESSAGE,
          firstSeq: a.first,
          lastSeq: a.last,
          timestamp: this.timestamp(now),
          destSocketId: this.peerSocketId,
        });
        this.emit(out, bytes, now);
      }
    }
  }
}
