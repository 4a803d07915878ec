import { RTCPeerConnection, RTCRtpCodecParameters } from 'werift';

/**
 * A minimal WHEP player for load tests (`runnel bench rtc`): a werift peer
 * connection with a recvonly video section (H.264 unless told otherwise) and optionally Opus, the offer
 * exchanged by the caller (HTTP lives above this folder), and every RTP
 * packet only counted. Lives here because only protocol/rtc may import werift
 * (dependency rule `werift-only-in-rtc`).
 *
 * @example
 * const c = await startWhepLoadClient({ address: '127.0.0.1', audio: true, exchange: (offer) => postSdp(url, offer) });
 * c.counters.video.frames; // access units seen (RTP marker bit)
 */

/** Received RTP of one track. */
export interface WhepTrackCounters {
  packets: number;
  /** RTP payload bytes (after SRTP, without RTP headers). */
  bytes: number;
  /** Packets with the marker bit: for H.264 one per access unit (RFC 6184 5.1). */
  frames: number;
  /** Packets whose sequence number was already seen (NACK retransmissions): not in the counts above. */
  duplicates: number;
}

export interface WhepLoadCounters {
  readonly video: WhepTrackCounters;
  readonly audio: WhepTrackCounters;
}

export type WhepLoadState = 'connecting' | 'connected' | 'failed' | 'closed';

export interface WhepLoadClientOptions {
  /** The only IPv4 host candidate the client announces and binds (loopback in the bench). */
  readonly address: string;
  /** Offer an Opus section too (the node then feeds this player from its AAC -> Opus bridge). */
  readonly audio: boolean;
  /** Sends the SDP offer (WHEP: POST application/sdp) and resolves to the answer. */
  readonly exchange: (offer: string) => Promise<string>;
  /** The one video codec offered (default H.264; VP8/VP9/AV1 play a passthrough stream). */
  readonly videoCodec?: LoadClientVideoCodec;
}

export type LoadClientVideoCodec = 'H264' | 'VP8' | 'VP9' | 'AV1';

export interface WhepLoadClient {
  readonly counters: WhepLoadCounters;
  readonly state: () => WhepLoadState;
  /** RFC 4585 6.3.1 PLI to the node for the video track (what a browser sends when it lost a picture). */
  requestKeyframe(): Promise<void>;
  close(): Promise<void>;
}

/** What browsers offer first for H.264 (Constrained Baseline, packetization-mode 1); the node sends what it has. */
const H264 = new RTCRtpCodecParameters({
  mimeType: 'video/H264',
  clockRate: 90000,
  rtcpFeedback: [{ type: 'nack' }, { type: 'nack', parameter: 'pli' }],
  parameters: 'level-asymmetry-allowed=1;packetization-mode=1;profile-level-id=42e01f',
});
const FEEDBACK = [{ type: 'nack' }, { type: 'nack', parameter: 'pli' }];
const VIDEO: Readonly<Record<LoadClientVideoCodec, RTCRtpCodecParameters>> = {
  H264,
  VP8: new RTCRtpCodecParameters({ mimeType: 'video/VP8', clockRate: 90000, rtcpFeedback: FEEDBACK }),
  VP9: new RTCRtpCodecParameters({ mimeType: 'video/VP9', clockRate: 90000, rtcpFeedback: FEEDBACK, parameters: 'profile-id=0' }),
  AV1: new RTCRtpCodecParameters({ mimeType: 'video/AV1', clockRate: 90000, rtcpFeedback: FEEDBACK }),
};
/** RFC 7587 7: opus/48000/2. */
const OPUS = new RTCRtpCodecParameters({ mimeType: 'audio/opus', clockRate: 48000, channels: 2 });

/**
 * Seen RTP sequence numbers (RFC 3550 5.1: 16 bits, wrapping), one bit each.
 * Receiving s also forgets s + 2^15, so after a wrap old numbers read as new
 * again; a retransmission arrives well within half a cycle of the original.
 */
export class SeenSequences {
  private readonly bits = new Uint8Array(65536 / 8);

  /** Marks `seq` seen; returns false if it already was. */
  add(seq: number): boolean {
    const s = seq & 0xffff;
    const far = (s + 0x8000) & 0xffff;
    this.bits[far >> 3]! &= ~(1 << (far & 7));
    const mask = 1 << (s & 7);
    if ((this.bits[s >> 3]! & mask) !== 0) return false;
    this.bits[s >> 3]! |= mask;
    return true;
  }
}

/** ICE gathering of one host candidate; past this the client gives up. */
const GATHER_TIMEOUT_MS = 5000;

/** Offers, exchanges, applies the answer; resolves once the answer is set (media may still be connecting). */
export async function startWhepLoadClient(options: WhepLoadClientOptions): Promise<WhepLoadClient> {
  const pc = new RTCPeerConnection({
    codecs: { video: [VIDEO[options.videoCodec ?? 'H264']], audio: options.audio ? [OPUS] : [] },
    iceUseIpv4: false,
    iceUseIpv6: false,
    iceAdditionalHostAddresses: [options.address],
    iceInterfaceAddresses: { udp4: options.address, udp6: undefined },
  });
  const counters: WhepLoadCounters = { video: { packets: 0, bytes: 0, frames: 0, duplicates: 0 }, audio: { packets: 0, bytes: 0, frames: 0, duplicates: 0 } };
  let state: WhepLoadState = 'connecting';
  pc.connectionStateChange.subscribe((s) => {
    if (s === 'connected') state = 'connected';
    else if (s === 'failed') state = 'failed';
    else if (s === 'closed' && state !== 'failed') state = 'closed';
  });
  let videoSsrc: number | undefined;
  pc.onTrack.subscribe((track) => {
    const c = track.kind === 'audio' ? counters.audio : counters.video;
    if (track.kind === 'video' && track.ssrc !== undefined) videoSsrc = track.ssrc;
    const seen = new SeenSequences();
    track.onReceiveRtp.subscribe((rtp) => {
      if (!seen.add(rtp.header.sequenceNumber)) {
        c.duplicates++;
        return;
      }
      if (track.kind === 'video') videoSsrc = rtp.header.ssrc;
      c.packets++;
      c.bytes += rtp.payload.length;
      if (rtp.header.marker) c.frames++;
    });
  });
  try {
    pc.addTransceiver('video', { direction: 'recvonly' });
    if (options.audio) pc.addTransceiver('audio', { direction: 'recvonly' });
    await pc.setLocalDescription(await pc.createOffer());
    await gathered(pc);
    const answer = await options.exchange(pc.localDescription!.sdp);
    await pc.setRemoteDescription({ type: 'answer', sdp: answer });
  } catch (e) {
    await pc.close().catch(() => {});
    throw e;
  }
  return {
    counters,
    state: () => state,
    requestKeyframe: async () => {
      const receiver = pc.getTransceivers().find((t) => t.kind === 'video')?.receiver;
      if (receiver !== undefined && videoSsrc !== undefined) await receiver.sendRtcpPLI(videoSsrc);
    },
    close: async () => {
      if (state !== 'failed') state = 'closed';
      await pc.close().catch(() => {});
    },
  };
}

function gathered(pc: RTCPeerConnection): Promise<void> {
  if (pc.iceGatheringState === 'complete') return Promise.resolve();
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('ICE gathering timed out')), GATHER_TIMEOUT_MS);
    pc.iceGatheringStateChange.subscribe((s) => {
      if (s !== 'complete') return;
      clearTimeout(timer);
      resolve();
    });
  });
}
