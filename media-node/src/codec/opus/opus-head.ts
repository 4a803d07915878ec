import { ProtocolError } from '@runnel/shared';

/** "OpusHead" (RFC 7845 5.1). */
const MAGIC = [0x4f, 0x70, 0x75, 0x73, 0x48, 0x65, 0x61, 0x64];
/** Magic, version, channel count, pre-skip, input rate, output gain, mapping family. */
const FIXED_BYTES = 19;

/** RFC 7845 5.1.1: the channel mapping table of families other than 0. */
export interface OpusChannelMapping {
  /** Opus streams in each packet (N ≥ 1). */
  readonly streams: number;
  /** How many of them are stereo (M ≤ N). */
  readonly coupled: number;
  /** For each output channel, the decoded channel index (< N + M) or 255 for silence. */
  readonly mapping: readonly number[];
}

/** The Opus identification header (RFC 7845 5.1); also the enhanced-RTMP Opus sequence header. */
export interface OpusHead {
  readonly version: number;
  readonly channels: number;
  /** Samples (at 48 kHz) to drop from the decoder output at the start. */
  readonly preSkip: number;
  /** The encoder input's rate; informational, playback is at 48 kHz. 0 = unspecified. */
  readonly inputSampleRate: number;
  /** Q7.8 dB gain to apply on output. */
  readonly outputGain: number;
  readonly mappingFamily: number;
  /** Present iff mappingFamily is not 0. */
  readonly channelMapping?: OpusChannelMapping;
}

/**
 * Decodes an OpusHead packet. Refuses a wrong magic, a major version other
 * than 0 (RFC 7845 5.1: version 1; readers accept 0..15), 0 channels, family
 * 0 with more than 2 channels, family 1 with more than 8, a mapping table that
 * is short or refers to missing streams. Bytes after the header are ignored
 * (RFC 7845 5.1 lets later minor versions append fields).
 */
export function decodeOpusHead(b: Uint8Array): OpusHead {
  if (b.length < FIXED_BYTES) throw new ProtocolError('truncated', `OpusHead of ${b.length} bytes`);
  for (let i = 0; i < MAGIC.length; i++) if (b[i] !== MAGIC[i]) throw new ProtocolError('opus_head_magic', 'not an OpusHead packet');
  const v = new DataView(b.buffer, b.byteOffset, b.byteLength);
  const version = b[8]!;
  if (version > 15) throw new ProtocolError('opus_head_version', `OpusHead version ${version}`);
  const channels = b[9]!;
  if (channels === 0) throw new ProtocolError('opus_head_channels', 'channel count 0');
  const head = {
    version,
    channels,
    preSkip: v.getUint16(10, true),
    inputSampleRate: v.getUint32(12, true),
    outputGain: v.getInt16(16, true),
    mappingFamily: b[18]!,
  };
  if (head.mappingFamily === 0) {
    if (channels > 2) throw new ProtocolError('opus_head_channels', `mapping family 0 with ${channels} channels`);
    return head;
  }
  if (head.mappingFamily === 1 && channels > 8) throw new ProtocolError('opus_head_channels', `mapping family 1 with ${channels} channels`);
  if (b.length < FIXED_BYTES + 2 + channels) throw new ProtocolError('truncated', 'OpusHead channel mapping table');
  const streams = b[19]!;
  const coupled = b[20]!;
  if (streams === 0 || coupled > streams || streams + coupled > 255) {
    throw new ProtocolError('opus_head_mapping', `${streams} streams, ${coupled} coupled`);
  }
  const mapping = Array.from(b.subarray(21, 21 + channels));
  for (const m of mapping) {
    if (m !== 255 && m >= streams + coupled) throw new ProtocolError('opus_head_mapping', `channel mapped to ${m} of ${streams + coupled}`);
  }
  return { ...head, channelMapping: { streams, coupled, mapping } };
}

/** Encodes an OpusHead; the inverse of `decodeOpusHead`. */
export function encodeOpusHead(h: OpusHead): Uint8Array {
  const m = h.channelMapping;
  if ((h.mappingFamily === 0) !== (m === undefined)) throw new ProtocolError('opus_head_mapping', 'a mapping table is required iff family != 0');
  if (m && m.mapping.length !== h.channels) throw new ProtocolError('opus_head_mapping', `${m.mapping.length} mapping entries for ${h.channels} channels`);
  const out = new Uint8Array(FIXED_BYTES + (m ? 2 + h.channels : 0));
  const v = new DataView(out.buffer);
  out.set(MAGIC);
  out[8] = h.version;
  out[9] = h.channels;
  v.setUint16(10, h.preSkip, true);
  v.setUint32(12, h.inputSampleRate, true);
  v.setInt16(16, h.outputGain, true);
  out[18] = h.mappingFamily;
  if (m) {
    out[19] = m.streams;
    out[20] = m.coupled;
    out.set(m.mapping, 21);
  }
  return out;
}

/** A plain mono/stereo OpusHead (family 0), as WebRTC Opus is turned into FLV. */
export function makeOpusHead(channels: 1 | 2, preSkip = 0, inputSampleRate = 48000): OpusHead {
  return { version: 1, channels, preSkip, inputSampleRate, outputGain: 0, mappingFamily: 0 };
}
