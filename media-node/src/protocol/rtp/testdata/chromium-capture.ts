import { readFileSync } from 'node:fs';

/**
 * RTP captured from Chromium 156 (headless, fake camera 640x360 and fake
 * microphone) publishing to a werift 0.25.2 answerer on this machine:
 * H.264 packetization-mode 1 (profile-level-id 42001f, PT 102, mid "1") and
 * Opus (PT 111, mid "0"), header extensions negotiated in the answer as
 * 1 ssrc-audio-level, 2 abs-send-time, 3 transport-wide-cc, 4 sdes:mid. Each
 * packet is what werift's track.onReceiveRtp handed over after SRTP
 * (`rtp.serialize()`), in arrival order, about 7 s of video (the start of a
 * call, bitrate still ramping, with libwebrtc's padding-only probe packets)
 * and the first 100 audio packets.
 *
 * File format (chromium-156.rtp): per packet one byte 'v' or 'a', a 16-bit
 * big-endian length, the packet.
 */
export interface CapturedRtp {
  readonly video: readonly Uint8Array[];
  readonly audio: readonly Uint8Array[];
}

export function loadChromiumCapture(): CapturedRtp {
  const file = new Uint8Array(readFileSync(new URL('./chromium-156.rtp', import.meta.url)));
  const video: Uint8Array[] = [];
  const audio: Uint8Array[] = [];
  for (let pos = 0; pos < file.length; ) {
    const kind = file[pos]!;
    const len = (file[pos + 1]! << 8) | file[pos + 2]!;
    const packet = file.subarray(pos + 3, pos + 3 + len);
    (kind === 0x76 ? video : audio).push(packet);
    pos += 3 + len;
  }
  return { video, audio };
}
