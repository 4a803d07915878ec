/**
 * Pure RTP/RTCP for the WebRTC bridge (see README.md): packets after SRTP,
 * RTCP feedback, H.264 and Opus payloads, clocks. No sockets, no werift.
 */
export { decodeRtpPacket, encodeRtpPacket, RTP_HEADER_BYTES, type RtpPacket, type RtpPacketInit } from './rtp-packet.ts';
export { ONE_BYTE_PROFILE, TWO_BYTE_PROFILE, type RtpHeaderExtension } from './header-extensions.ts';
export { decodeRtcpCompound, encodeRtcpCompound, isRtcpPacket, type RtcpPacket, type RtcpOther } from './rtcp/rtcp-packet.ts';
export type { RtcpSenderReport } from './rtcp/sender-report.ts';
export type { RtcpReceiverReport } from './rtcp/receiver-report.ts';
export type { ReportBlock } from './rtcp/report-block.ts';
export { SDES_CNAME, type RtcpSdes, type SdesChunk, type SdesItem } from './rtcp/sdes.ts';
export type { RtcpBye } from './rtcp/bye.ts';
export type { RtcpNack } from './rtcp/nack.ts';
export type { RtcpPli } from './rtcp/pli.ts';
export type { RtcpFir, FirEntry } from './rtcp/fir.ts';
export type { RtcpRemb } from './rtcp/remb.ts';
export { parseH264Payload, H264_RTP, type H264Payload, type FuAFragment } from './h264/h264-payload.ts';
export { H264Depacketizer, type H264AccessUnit, type H264DepacketizerStats, type H264RtpInput } from './h264/h264-depacketizer.ts';
export { packetizeH264, type H264PacketizeOptions, type H264ParameterSets } from './h264/h264-packetizer.ts';
export { depacketizeOpus, packetizeOpus, OPUS_RTP_CLOCK_RATE, MAX_OPUS_RTP_PAYLOAD_BYTES, type OpusFrame } from './opus-payload.ts';
export { RtpTimestampUnwrapper, RtpMsClock, msToRtpTimestamp, ntpToMs, VIDEO_RTP_CLOCK_RATE } from './rtp-clock.ts';
export { isKeyframeStart, type PassthroughCodec } from './keyframe-start.ts';
export { RtpReorderBuffer, REORDER_WAIT_MS, MAX_REORDER_PACKETS, type ReorderStats } from './reorder-buffer.ts';
export * from './limits.ts';
