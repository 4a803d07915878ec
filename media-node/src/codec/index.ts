/**
 * media-node/src/codec: pure codec helpers (no IO). Parameter sets and
 * configuration records of H.264, HEVC, AV1, AAC and Opus, NAL unit framing
 * (AVCC <-> Annex B), and the "describe" helpers behind the SRS API.
 */
export { BitReader, MAX_EXP_GOLOMB_LEADING_ZEROS } from './bit-reader.ts';
export { BitWriter } from './bit-writer.ts';
export { MAX_PICTURE_SIDE } from './limits.ts';
export { nalToRbsp, rbspToNal } from './nalu/rbsp.ts';
export { MAX_NALUS_PER_ACCESS_UNIT, forEachAvccNalu, isNaluLengthSize, joinAvcc, splitAvcc } from './nalu/avcc.ts';
export type { NaluLengthSize } from './nalu/avcc.ts';
export { START_CODE, joinAnnexB, splitAnnexB } from './nalu/annexb.ts';
export { accessUnitToAnnexB } from './nalu/access-unit.ts';
export type { AnnexBRules } from './nalu/access-unit.ts';

export { AVC_NALU, avcLevelName, avcNaluType, avcProfileName } from './h264/nalu-type.ts';
export { decodeAvcConfig, encodeAvcConfig } from './h264/avc-config.ts';
export type { AvcConfigExtension, AvcDecoderConfig } from './h264/avc-config.ts';
export { decodeAvcSps } from './h264/sps.ts';
export type { AvcSps } from './h264/sps.ts';
export { AVC_AUD_NALU, avccToAnnexB, isAvcKeyframe } from './h264/access-unit.ts';

export { HEVC_NALU, hevcLevelName, hevcNaluType, hevcProfileName, isHevcIrap } from './hevc/nalu-type.ts';
export { MAX_HEVC_ARRAY_NALUS, decodeHevcConfig, encodeHevcConfig, hevcNalus } from './hevc/hevc-config.ts';
export type { HevcDecoderConfig, HevcNaluArray } from './hevc/hevc-config.ts';
export { decodeHevcSps } from './hevc/sps.ts';
export type { HevcSps } from './hevc/sps.ts';
export { HEVC_AUD_NALU, hevcToAnnexB, isHevcKeyframe } from './hevc/access-unit.ts';

export { AAC_EXPLICIT_FREQUENCY_INDEX, AAC_OBJECT, AAC_SAMPLE_RATES, aacChannelCount, aacFrequencyIndex, aacProfileName } from './aac/tables.ts';
export { MAX_AAC_SAMPLE_RATE, decodeAsc, encodeAsc, makeAsc } from './aac/audio-specific-config.ts';
export type { AudioSpecificConfig } from './aac/audio-specific-config.ts';
export { ADTS_HEADER_BYTES, MAX_ADTS_FRAME_BYTES, adtsToAsc, decodeAdtsHeader, encodeAdtsHeader, splitAdts } from './aac/adts.ts';
export type { AdtsFrame, AdtsHeader, AdtsSplit } from './aac/adts.ts';

export { decodeAv1Config, encodeAv1Config } from './av1/av1-config.ts';
export type { Av1CodecConfig } from './av1/av1-config.ts';
export { AV1_OBU, MAX_LEB128_BYTES, MAX_OBUS_PER_UNIT, findSequenceHeaderObu, readLeb128, readObu, splitObus, writeLeb128 } from './av1/obu.ts';
export type { Obu } from './av1/obu.ts';
export { av1LevelName, decodeAv1SequenceHeader } from './av1/sequence-header.ts';
export type { Av1SequenceHeader } from './av1/sequence-header.ts';

export { decodeOpusHead, encodeOpusHead, makeOpusHead } from './opus/opus-head.ts';
export type { OpusChannelMapping, OpusHead } from './opus/opus-head.ts';
export { MAX_OPUS_PACKET_SAMPLES, OPUS_SAMPLE_RATE, decodeOpusToc, opusPacketSamples } from './opus/toc.ts';
export type { OpusBandwidth, OpusMode, OpusToc } from './opus/toc.ts';

export { MPEG_AUDIO_HEADER_BYTES, decodeMpegAudioHeader } from './mp3/mpeg-audio-header.ts';
export type { MpegAudioHeader, MpegAudioVersion } from './mp3/mpeg-audio-header.ts';

export { describeAac, describeAv1, describeAvc, describeHevc, describeMp3, describeOpus } from './describe.ts';
export type { AudioDescription, VideoDescription } from './describe.ts';
