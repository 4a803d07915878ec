/** Numbers of ISO/IEC 13818-1 (MPEG-2 Systems) that the muxer and demuxer share. */

/** 2.4.3.2: every transport packet is 188 bytes and starts with sync byte 0x47. */
export const TS_PACKET_SIZE = 188;
export const TS_SYNC_BYTE = 0x47;
/** Payload room after the 4-byte packet header. */
export const TS_PAYLOAD_SIZE = 184;

/** Table 2-3: PID 0 carries the PAT, 0x1FFF is the null packet. */
export const PID_PAT = 0x0000;
export const PID_NULL = 0x1fff;

/** Our PIDs; the same as FFmpeg's mpegts muxer defaults (PMT 0x1000, first ES 0x100). */
export const PID_PMT = 0x1000;
export const PID_VIDEO = 0x0100;
export const PID_AUDIO = 0x0101;

/** Table 2-31 table_id: 0 program_association_section, 2 TS_program_map_section. */
export const TABLE_ID_PAT = 0x00;
export const TABLE_ID_PMT = 0x02;

/** Table 2-34 stream_type. */
export const STREAM_TYPE_MPEG1_AUDIO = 0x03; // MP3 (ISO/IEC 11172-3)
export const STREAM_TYPE_MPEG2_AUDIO = 0x04;
export const STREAM_TYPE_PRIVATE_PES = 0x06; // PES private data: Opus, identified by a registration descriptor
export const STREAM_TYPE_AAC_ADTS = 0x0f; // ISO/IEC 13818-7 audio with ADTS transport syntax
export const STREAM_TYPE_H264 = 0x1b;
export const STREAM_TYPE_HEVC = 0x24;

/** Table 2-22 stream_id. */
export const STREAM_ID_PRIVATE_1 = 0xbd;
export const STREAM_ID_AUDIO = 0xc0;
export const STREAM_ID_VIDEO = 0xe0;

/** 2.4.2.2: system clock 27 MHz; PTS/DTS and PCR base count 90 kHz (27 MHz / 300), 33 bits. */
export const TS_CLOCK_HZ = 90_000;
export const PTS_MODULO = 2 ** 33;
