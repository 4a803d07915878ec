import { ProtocolError } from '@runnel/shared';
import { BitReader } from '../bit-reader.ts';
import { MAX_PICTURE_SIDE } from '../limits.ts';

/** The fields of an AV1 sequence_header_obu() (AV1 spec 5.5.1) a server needs. */
export interface Av1SequenceHeader {
  readonly seqProfile: number;
  readonly stillPicture: boolean;
  /** seq_level_idx[0]: level = 2 + (idx >> 2) . (idx & 3); 31 = no level constraint. */
  readonly seqLevelIdx0: number;
  readonly seqTier0: number;
  /** max_frame_width_minus_1 + 1, max_frame_height_minus_1 + 1. */
  readonly maxWidth: number;
  readonly maxHeight: number;
}

/** AV1 spec 4.10.3 uvlc(): 32 or more leading zeros mean the value 2^32 - 1. */
const UVLC_MAX_LEADING_ZEROS = 32;

/**
 * Parses an AV1 sequence header OBU payload up to the maximum frame size.
 * Truncated or malformed input is a `ProtocolError`.
 *
 * @example
 * const seq = decodeAv1SequenceHeader(findSequenceHeaderObu(cfg.configObus)!.payload);
 */
export function decodeAv1SequenceHeader(payload: Uint8Array): Av1SequenceHeader {
  const r = new BitReader(payload);
  const seqProfile = r.u(3);
  if (seqProfile > 2) throw new ProtocolError('av1_sequence_header', `seq_profile ${seqProfile}`);
  const stillPicture = r.flag();
  const reduced = r.flag();
  let seqLevelIdx0: number;
  let seqTier0 = 0;
  if (reduced) {
    seqLevelIdx0 = r.u(5);
  } else {
    let bufferDelayLength = 0;
    let decoderModelInfo = false;
    if (r.flag()) {
      // timing_info() 5.5.3
      r.skip(64); // num_units_in_display_tick, time_scale
      if (r.flag()) skipUvlc(r); // equal_picture_interval -> num_ticks_per_picture_minus_1
      decoderModelInfo = r.flag();
      if (decoderModelInfo) {
        // decoder_model_info() 5.5.4
        bufferDelayLength = r.u(5) + 1;
        r.skip(32 + 5 + 5);
      }
    }
    const initialDisplayDelay = r.flag();
    const operatingPoints = r.u(5) + 1;
    seqLevelIdx0 = -1;
    for (let i = 0; i < operatingPoints; i++) {
      r.skip(12); // operating_point_idc
      const level = r.u(5);
      const tier = level > 7 ? r.u(1) : 0;
      if (i === 0) {
        seqLevelIdx0 = level;
        seqTier0 = tier;
      }
      if (decoderModelInfo && r.flag()) r.skip(2 * bufferDelayLength + 1); // operating_parameters_info() 5.5.5
      if (initialDisplayDelay && r.flag()) r.skip(4);
    }
  }
  const widthBits = r.u(4) + 1;
  const heightBits = r.u(4) + 1;
  const maxWidth = r.u(widthBits) + 1;
  const maxHeight = r.u(heightBits) + 1;
  if (maxWidth > MAX_PICTURE_SIDE || maxHeight > MAX_PICTURE_SIDE) throw new ProtocolError('av1_sequence_header', `max frame ${maxWidth}x${maxHeight}`);
  return { seqProfile, stillPicture, seqLevelIdx0, seqTier0, maxWidth, maxHeight };
}

function skipUvlc(r: BitReader): void {
  let zeros = 0;
  while (!r.flag()) zeros++; // bounded by the input: each step reads a bit
  if (zeros < UVLC_MAX_LEADING_ZEROS) r.skip(zeros);
}

/** seq_level_idx as the level name of AV1 spec Annex A.3 ('5.1' for 13); 31 has no level. */
export function av1LevelName(seqLevelIdx: number): string {
  if (seqLevelIdx < 0 || seqLevelIdx > 23) return 'Other';
  return `${2 + (seqLevelIdx >>> 2)}.${seqLevelIdx & 3}`;
}
