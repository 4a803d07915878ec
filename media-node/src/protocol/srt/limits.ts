/**
 * Every number the SRT engine uses to bound what a peer can make it do, or
 * that sets its timing, with the evidence for each value. Connections take
 * overrides through their options; these are the defaults.
 */

/**
 * Packets the receiver buffers (ahead of the next one to deliver): the flow
 * window we announce. libsrt's default receive buffer holds 8192 packets
 * (SRTO_RCVBUF / payload size) and it announces 8192 as its flow window. At
 * 1316 bytes that is 10.8 MB, about 2 s of an 40 Mbit/s stream; a packet
 * further ahead than this is dropped, so a peer cannot make us hold more.
 */
export const RECV_BUFFER_PACKETS = 8192;

/**
 * Packets the sender keeps for retransmission. Same size as libsrt's default
 * send buffer (SRTO_SNDBUF, 8192 packets); packets also leave it when they are
 * older than the drop threshold below, so at normal rates it holds far fewer.
 */
export const SEND_BUFFER_PACKETS = 8192;

/** Latency both directions default to: SRT_LIVE_DEF_LATENCY_MS (srt.h). */
export const DEFAULT_LATENCY_MS = 120;

/**
 * A sender drops packets older than max(peer latency, this) + 20 ms when too-late drop is on:
 * libsrt's SRT_TLPKTDROP_MINTHRESHOLD_MS (core.cpp `sndDropTooLate`), so a
 * short latency still leaves a second for retransmissions.
 */
export const SEND_DROP_MIN_THRESHOLD_MS = 1000;

/** Full ACK period and timer granularity: COMM_SYN_INTERVAL_US, 10 ms (core.h). */
export const ACK_INTERVAL_MS = 10;

/** A light ACK goes out every this many packets between full ACKs: SELF_CLOCK_INTERVAL (core.h). */
export const LIGHT_ACK_PACKETS = 64;

/** Shortest period between periodic NAK reports: live congestion control's minNAKInterval, 20 ms (congctl.cpp). */
export const MIN_NAK_INTERVAL_MS = 20;

/** A keepalive goes out after this long without sending anything: COMM_KEEPALIVE_PERIOD_US, 1 s. */
export const KEEPALIVE_INTERVAL_MS = 1000;

/** The connection breaks after this long without hearing from the peer: SRTO_PEERIDLETIMEO default, 5 s. */
export const PEER_IDLE_TIMEOUT_MS = 5000;

/** RTT assumed before the first measurement, and its variance: INITIAL_RTT 100 ms, RTTVar 50 ms (core.h). */
export const INITIAL_RTT_MS = 100;

/**
 * Full ACKs remembered for RTT measurement (waiting for their ACKACK). At
 * one per 10 ms this is 10 s of ACKs; libsrt's ACK window keeps 1024.
 */
export const ACK_HISTORY = 1024;

/**
 * Loss entries in one NAK packet. A NAK must fit in one datagram: 1456 bytes
 * of CIF is 364 words, a range takes two. Further losses go out in the next
 * periodic report.
 */
export const MAX_NAK_WORDS = 360;

/** Largest payload of one data packet: SRT_LIVE_MAX_PLSIZE, 1500 - 28 (IP/UDP) - 16 (SRT). */
export const MAX_PAYLOAD_BYTES = 1456;

/** MSS we announce and the largest we accept (libsrt default SRTO_MSS). */
export const DEFAULT_MSS = 1500;

/** Handshake retransmission period of a caller: libsrt resends every 250 ms. */
export const HANDSHAKE_RETRY_MS = 250;

/** A caller gives up after this long: SRTO_CONNTIMEO default, 3 s. */
export const CONNECT_TIMEOUT_MS = 3000;

/**
 * Clock drift between the peer and us is averaged over this many ACKACKs
 * (10 s at one full ACK per 10 ms) before the TSBPD base moves: libsrt's
 * TSBPD_DRIFT_MAX_SAMPLES (tsbpd_time.h).
 */
export const DRIFT_SAMPLES = 1000;

/** Average drift beyond this (µs) moves the TSBPD time base by this much: TSBPD_DRIFT_MAX_VALUE, 5 ms. */
export const MAX_DRIFT_US = 5000;
