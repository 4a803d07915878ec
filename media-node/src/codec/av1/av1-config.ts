import { ProtocolError } from '@runnel/shared';

/** AV1CodecConfigurationRecord (AV1-ISOBMFF 2.3.3): the enhanced-RTMP AV1 sequence header body. */
export interface Av1CodecConfig {
  readonly seqProfile: number;
  readonly seqLevelIdx0: number;
  readonly seqTier0: number;
  /** 8, 10 or 12 (from high_bitdepth and twelve_bit). */
  readonly bitDepth: number;
  readonly monochrome: boolean;
  readonly chromaSubsamplingX: boolean;
  readonly chromaSubsamplingY: boolean;
  readonly chromaSamplePosition: number;
  /** initial_presentation_delay_minus_one + 1 when present. */
  readonly initialPresentationDelay?: number;
  /** Zero or more OBUs (normally one sequence header), a subarray of the input. */
  readonly configObus: Uint8Array;
}

/** The 4 fixed bytes before configOBUs. */
const AV1C_HEADER_BYTES = 4;

/**
 * Decodes an av1C record. The marker bit must be 1 and the version 1
 * (AV1-ISOBMFF 2.3.3: readers must refuse other versions). configOBUs are not
 * parsed here (see `splitObus`).
 *
 * @example
 * const cfg = decodeAv1Config(body); const seq = findSequenceHeaderObu(cfg.configObus);
 */
export function decodeAv1Config(b: Uint8Array): Av1CodecConfig {
  if (b.length < AV1C_HEADER_BYTES) throw new ProtocolError('truncated', `av1C of ${b.length} bytes`);
  if (b[0] !== 0x81) throw new ProtocolError('av1_config_version', `av1C marker/version byte 0x${b[0]!.toString(16)}, expected 0x81`);
  const b1 = b[1]!;
  const b2 = b[2]!;
  const b3 = b[3]!;
  const highBitdepth = (b2 & 0x40) !== 0;
  const twelveBit = (b2 & 0x20) !== 0;
  return {
    seqProfile: b1 >>> 5,
    seqLevelIdx0: b1 & 0x1f,
    seqTier0: b2 >>> 7,
    bitDepth: highBitdepth ? (twelveBit ? 12 : 10) : 8,
    monochrome: (b2 & 0x10) !== 0,
    chromaSubsamplingX: (b2 & 0x08) !== 0,
    chromaSubsamplingY: (b2 & 0x04) !== 0,
    chromaSamplePosition: b2 & 0x03,
    ...(b3 & 0x10 ? { initialPresentationDelay: (b3 & 0x0f) + 1 } : {}),
    configObus: b.subarray(AV1C_HEADER_BYTES),
  };
}

/** Encodes the record; the inverse of `decodeAv1Config`. */
export function encodeAv1Config(c: Av1CodecConfig): Uint8Array {
  if (c.bitDepth !== 8 && c.bitDepth !== 10 && c.bitDepth !== 12) throw new ProtocolError('av1_config_bit_depth', `bit depth ${c.bitDepth}`);
  const out = new Uint8Array(AV1C_HEADER_BYTES + c.configObus.length);
  out[0] = 0x81;
  out[1] = ((c.seqProfile & 0x07) << 5) | (c.seqLevelIdx0 & 0x1f);
  out[2] =
    ((c.seqTier0 & 1) << 7) |
    (c.bitDepth > 8 ? 0x40 : 0) |
    (c.bitDepth === 12 ? 0x20 : 0) |
    (c.monochrome ? 0x10 : 0) |
    (c.chromaSubsamplingX ? 0x08 : 0) |
    (c.chromaSubsamplingY ? 0x04 : 0) |
    (c.chromaSamplePosition & 0x03);
  const delay = c.initialPresentationDelay;
  out[3] = delay === undefined ? 0 : 0x10 | ((delay - 1) & 0x0f);
  out.set(c.configObus, AV1C_HEADER_BYTES);
  return out;
}
