import { ProtocolError } from '@runnel/shared';
import { decodeRtpPacket, encodeRtpPacket, isKeyframeStart } from '../../protocol/rtp/index.ts';
import type { PassthroughCodec } from '../../protocol/rtp/index.ts';
import type { RtcMediaKind } from '../../protocol/rtc/werift-peer.ts';

/** What a relay carries: VP8/VP9/AV1 from a WHIP publisher as it came, or the hub's H.264 packetized once (hub-rtp-feeds.ts). */
export type RelayCodec = PassthroughCodec | 'H264';

/** What a WHEP player of a relay hears. */
export interface RelayListener {
  /** One packet of the publisher, header extensions removed; the same bytes go to every player. */
  packet(kind: RtcMediaKind, rtp: Uint8Array, keyframeStart: boolean): void;
  /** The publisher is gone. */
  closed(): void;
}

export interface RtpRelayOptions {
  /** The GOP cache (packets since the last key frame start) is dropped past this many packets ... */
  readonly maxGopPackets?: number;
  /** ... or bytes; a player joining then waits for the next key frame (and asks for one). */
  readonly maxGopBytes?: number;
}

export interface RtpRelayStats {
  videoPackets: number;
  audioPackets: number;
  keyframes: number;
  /** Packets that were not RTP, or whose payload descriptor was truncated. */
  droppedPackets: number;
  /** Times the GOP cache outgrew its bounds and was dropped. */
  gopOverflows: number;
}

/** The relay's codec for an answer's video codec name; undefined for H.264 (bridged through the hub). */
export function passthroughCodecOf(name: string): PassthroughCodec | undefined {
  const n = name.toUpperCase();
  return n === 'VP8' || n === 'VP9' || n === 'AV1' ? n : undefined;
}

/** ~8 s of a 2.5 Mbit/s stream at 1 200-byte packets. */
const MAX_GOP_PACKETS = 2048;
const MAX_GOP_BYTES = 4 * 1024 * 1024;

/**
 * WebRTC to WebRTC for the video codecs the hub does not carry (VP8, VP9,
 * AV1): a WHIP publisher's RTP goes to its stream's WHEP players as it came,
 * as SRS and SFUs do. Each packet is re-encoded once without its header
 * extensions (their ids were negotiated with the publisher, not with the
 * players; werift adds the player's own) and the same bytes go to every
 * player, whose werift sender puts in its SSRC and payload type. The packets
 * since the last key frame start are kept (bounded), so a player that joins
 * starts with a picture at once.
 */
export class RtpRelay {
  readonly codec: RelayCodec;
  readonly stats: RtpRelayStats = { videoPackets: 0, audioPackets: 0, keyframes: 0, droppedPackets: 0, gopOverflows: 0 };
  private readonly listeners = new Set<RelayListener>();
  private gop: Uint8Array[] = [];
  private gopBytes = 0;
  private readonly maxGopPackets: number;
  private readonly maxGopBytes: number;
  private closedFlag = false;

  constructor(codec: RelayCodec, opts: RtpRelayOptions = {}) {
    this.codec = codec;
    this.maxGopPackets = opts.maxGopPackets ?? MAX_GOP_PACKETS;
    this.maxGopBytes = opts.maxGopBytes ?? MAX_GOP_BYTES;
  }

  get playerCount(): number {
    return this.listeners.size;
  }

  /** The video packets from the last key frame start on (empty until one came, or after an overflow). */
  currentGop(): readonly Uint8Array[] {
    return this.gop;
  }

  /** One decrypted RTP packet of a passthrough publisher; returns whether it starts a key frame (video). */
  push(kind: RtcMediaKind, bytes: Uint8Array): boolean {
    if (this.closedFlag || this.codec === 'H264') return false;
    let out: Uint8Array;
    let key = false;
    try {
      const p = decodeRtpPacket(bytes);
      if (kind === 'video') key = isKeyframeStart(this.codec, p.payload);
      out = encodeRtpPacket({ payloadType: p.payloadType, ssrc: 0, sequenceNumber: p.sequenceNumber, timestamp: p.timestamp, marker: p.marker, payload: p.payload });
    } catch (error) {
      if (!(error instanceof ProtocolError)) throw error;
      this.stats.droppedPackets++;
      return false;
    }
    this.pushPacket(kind, out, key);
    return key;
  }

  /** One packet made for players (no header extensions), with what the maker knows of key frames. */
  pushPacket(kind: RtcMediaKind, out: Uint8Array, key: boolean): void {
    if (this.closedFlag) return;
    if (kind === 'video') {
      this.stats.videoPackets++;
      if (key) this.startGop(out);
      else if (this.gop.length > 0) this.addToGop(out);
    } else this.stats.audioPackets++;
    for (const l of this.listeners) l.packet(kind, out, key);
  }

  /** Forgets the cached GOP (a new publisher: its packets would not follow the old ones). */
  resetGop(): void {
    this.gop = [];
    this.gopBytes = 0;
  }

  /** Adds a player; one that subscribes after close() hears closed() on the next microtask. */
  subscribe(listener: RelayListener): () => void {
    if (this.closedFlag) {
      queueMicrotask(() => listener.closed());
      return () => {};
    }
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** The publisher left: every player is told and the cache is let go. */
  close(): void {
    if (this.closedFlag) return;
    this.closedFlag = true;
    this.gop = [];
    const ls = [...this.listeners];
    this.listeners.clear();
    for (const l of ls) l.closed();
  }

  private startGop(packet: Uint8Array): void {
    this.stats.keyframes++;
    this.gop = [packet];
    this.gopBytes = packet.length;
  }

  private addToGop(packet: Uint8Array): void {
    if (this.gop.length + 1 > this.maxGopPackets || this.gopBytes + packet.length > this.maxGopBytes) {
      this.stats.gopOverflows++;
      this.gop = [];
      this.gopBytes = 0;
      return;
    }
    this.gop.push(packet);
    this.gopBytes += packet.length;
  }
}
