/**
 * Limits of the RTP/RTCP parsers. Every length read from the wire is checked
 * against the bytes actually present; these bound what a packet that is
 * well-formed but hostile can make us build.
 */

/**
 * Largest RTP or RTCP packet we decode: the largest UDP payload over IPv4
 * (65 535 - 20 IP - 8 UDP). Nothing larger can arrive in one datagram, and
 * WebRTC senders stay near 1 200 bytes.
 */
export const MAX_RTP_PACKET_BYTES = 65_507;

/**
 * Most RFC 8285 header extension elements we accept in one packet. One-byte
 * ids only go to 14 and browsers negotiate fewer than 16 extensions; 64 leaves
 * room for two-byte ids while keeping a packet of 1-byte elements from
 * building an array of thousands.
 */
export const MAX_RTP_HEADER_EXTENSIONS = 64;

/**
 * Most generic NACK FCI entries (PID + BLP, 17 packets each) in one RTCP
 * packet. 1 024 entries name up to 17 408 packets, more than libwebrtc's
 * RtpPacketHistory keeps (9 600) for retransmission; more is a feedback flood.
 */
export const MAX_NACK_ITEMS = 1024;

/** Most FIR entries (RFC 5104 4.3.1) in one packet: one per media sender, and a server has a few. */
export const MAX_FIR_ENTRIES = 64;

/** Most SSRCs in a REMB (draft-alvestrand-rmcat-remb 2.2: the count is 8 bits). */
export const MAX_REMB_SSRCS = 255;

/** Most packets in one compound RTCP packet; browsers send 2-4 (SR/RR + SDES + feedback). */
export const MAX_RTCP_PACKETS_PER_COMPOUND = 64;

/**
 * Largest access unit the H.264 depacketizer reassembles. 8 MiB is four
 * times an intra-coded 4K frame at high quality and half the RTMP message
 * limit, so whatever we build still fits one FLV tag.
 */
export const MAX_ACCESS_UNIT_BYTES = 8 * 1024 * 1024;

/**
 * Default RTP payload size of the packetizers. 1 200 bytes plus the RTP
 * header, header extensions and the SRTP tag stays under the 1 280-byte IPv6
 * minimum MTU, the same budget libwebrtc and werift use.
 */
export const DEFAULT_RTP_PAYLOAD_BYTES = 1200;
