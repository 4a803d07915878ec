import { ProtocolError } from '@runnel/shared';

/** Video codecs whose RTP is passed WebRTC to WebRTC as is (H.264 goes through the hub instead). */
export type PassthroughCodec = 'VP8' | 'VP9' | 'AV1';

function need(b: Uint8Array, n: number, what: string): void {
  if (b.length < n) throw new ProtocolError('rtp_truncated', `${what}: payload of ${b.length} bytes`);
}

/**
 * RFC 7741 4.2 / 4.3: the VP8 payload descriptor (X|R|N|S|R|PID, then the
 * optional I/L/T/K bytes), and at the start of partition 0 (S=1, PID=0) the
 * VP8 payload header, whose lowest bit P is 0 for a key frame.
 */
function vp8KeyframeStart(b: Uint8Array): boolean {
  need(b, 1, 'VP8 payload descriptor');
  const b0 = b[0]!;
  if ((b0 & 0x10) === 0 || (b0 & 0x07) !== 0) return false; // not S=1, PID=0
  let pos = 1;
  if ((b0 & 0x80) !== 0) {
    need(b, 2, 'VP8 extension byte');
    const x = b[1]!;
    pos = 2;
    if ((x & 0x80) !== 0) {
      need(b, pos + 1, 'VP8 PictureID');
      pos += (b[pos]! & 0x80) !== 0 ? 2 : 1; // M bit: 15-bit PictureID
    }
    if ((x & 0x40) !== 0) pos += 1; // TL0PICIDX
    if ((x & 0x30) !== 0) pos += 1; // TID/Y/KEYIDX
  }
  need(b, pos + 1, 'VP8 payload header');
  return (b[pos]! & 0x01) === 0;
}

/**
 * VP9 bitstream 6.2: the uncompressed header's first bits are frame_marker
 * (2), profile_low_bit, profile_high_bit, reserved_zero (profile 3 only),
 * show_existing_frame, then frame_type (0 = KEY_FRAME).
 */
function vp9HeaderIsKeyframe(byte: number): boolean {
  if (byte >>> 6 !== 2) return false; // not a frame_marker: not a frame start we can read
  const profile = ((byte >>> 4) & 1) * 2 + ((byte >>> 5) & 1);
  let bit = profile === 3 ? 2 : 3; // bits left of show_existing_frame, counted from bit 5 down
  const showExisting = (byte >>> bit) & 1;
  if (showExisting === 1) return false;
  bit -= 1;
  return ((byte >>> bit) & 1) === 0;
}

/**
 * RFC 9628 4.2: the VP9 payload descriptor I|P|L|F|B|E|V|Z. A key frame
 * starts where a frame begins (B=1) that is not inter-picture predicted
 * (P=0) in the base spatial layer (SID 0 in the layer byte when L=1), and
 * whose uncompressed header says KEY_FRAME (read past the descriptor's
 * picture ID, layer indices and scalability structure): some packetizers
 * (FFmpeg's rtpenc_vp9) never set P, so the bit alone is not enough.
 */
function vp9KeyframeStart(b: Uint8Array): boolean {
  need(b, 1, 'VP9 payload descriptor');
  const b0 = b[0]!;
  if ((b0 & 0x08) === 0 || (b0 & 0x40) !== 0) return false; // not B=1, P=0
  let pos = 1;
  if ((b0 & 0x80) !== 0) {
    need(b, pos + 1, 'VP9 picture ID');
    pos += (b[pos]! & 0x80) !== 0 ? 2 : 1;
  }
  if ((b0 & 0x20) !== 0) {
    need(b, pos + 1, 'VP9 layer indices');
    if (((b[pos]! >>> 1) & 0x07) !== 0) return false; // an upper spatial layer
    pos += (b0 & 0x10) === 0 ? 2 : 1; // non-flexible mode: TL0PICIDX follows
  }
  if ((b0 & 0x02) !== 0) {
    need(b, pos + 1, 'VP9 scalability structure');
    const ss = b[pos]!;
    pos += 1;
    if ((ss & 0x10) !== 0) pos += ((ss >>> 5) + 1) * 4; // Y: a width and height per spatial layer
    if ((ss & 0x08) !== 0) {
      need(b, pos + 1, 'VP9 picture group count');
      const groups = b[pos]!;
      pos += 1;
      for (let g = 0; g < groups; g++) {
        need(b, pos + 1, 'VP9 picture group');
        pos += 1 + ((b[pos]! >>> 2) & 0x03); // R reference indices
      }
    }
  }
  need(b, pos + 1, 'VP9 frame header');
  return vp9HeaderIsKeyframe(b[pos]!);
}

/**
 * AV1 RTP specification 4.4: the aggregation header Z|Y|W|W|N|-|-|-; N=1
 * marks the first packet of a coded video sequence, which starts with a
 * sequence header and a key frame.
 */
function av1KeyframeStart(b: Uint8Array): boolean {
  need(b, 1, 'AV1 aggregation header');
  return (b[0]! & 0x08) !== 0;
}

/**
 * Whether an RTP payload of `codec` is the first packet of a key frame: where
 * a player that joins, or lost packets, can start decoding. Bounded (reads at
 * most 5 bytes); a payload too short for its own descriptor is a
 * ProtocolError (`rtp_truncated`).
 */
export function isKeyframeStart(codec: PassthroughCodec, payload: Uint8Array): boolean {
  switch (codec) {
    case 'VP8':
      return vp8KeyframeStart(payload);
    case 'VP9':
      return vp9KeyframeStart(payload);
    case 'AV1':
      return av1KeyframeStart(payload);
  }
}
