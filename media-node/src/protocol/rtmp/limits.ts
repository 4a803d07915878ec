/**
 * Every number the RTMP engine uses to bound what a peer can make it do, with
 * the evidence for each value. Sessions take overrides through their options;
 * these are the defaults.
 */

/**
 * Largest message we reassemble. The 24-bit length field allows 16 MiB - 1; a
 * 4K HEVC/AV1 keyframe at 50 Mbit/s is 1-3 MB. gortmplib uses 10 MiB, nginx-rtmp
 * 1 MiB. Checked before any allocation (bad-inputs row 8).
 */
export const MAX_MESSAGE_BYTES = 10 * 1024 * 1024;

/**
 * Smallest chunk size a peer may set. The spec default is 128 and no real
 * encoder goes below it; SRS rejects smaller values (#541, bad-inputs row 5).
 */
export const MIN_CHUNK_SIZE = 128;

/**
 * Largest chunk size a peer may set. Adobe RTMP spec 5.4.1 allows 31 bits,
 * but a chunk can never carry more than a message, whose length is 24 bits, so
 * anything above 0xFFFFFF is a broken or hostile peer (bad-inputs row 6). We
 * never size a buffer from it.
 */
export const MAX_CHUNK_SIZE = 0xffffff;

/**
 * Chunk streams (cids) one connection may use. ffmpeg and OBS use 2-8 and Flash
 * 3 + 5 per NetStream; nginx-rtmp caps at 32 (`max_streams`). A peer opening
 * thousands of cids with partial messages is closed here (bad-inputs row 9).
 */
export const MAX_CHUNK_STREAMS = 64;

/**
 * Bytes one connection may hold in partially received messages. Real peers
 * interleave at most an audio message into a video message (two partials); three
 * maximum-size messages still fit. Bounds memory per connection (row 9).
 */
export const MAX_REASSEMBLY_BYTES = 3 * MAX_MESSAGE_BYTES;

/**
 * A message buffer is allocated whole up to this size (most frames of a
 * stream up to a few Mb/s); above it the buffer doubles as chunks arrive, so a
 * peer that announces large messages and stalls holds only what it sent: 64
 * chunk streams of announced-but-unsent messages cost at most 4 MiB, not 64.
 */
export const PREALLOCATE_MESSAGE_BYTES = 64 * 1024;

/**
 * Messages of an unknown type (not in Adobe RTMP spec 7.1) tolerated before we
 * close (bad-inputs row 19). Nothing legitimate sends them; a handful is noise,
 * a stream of them is a fuzzer or a different protocol.
 */
export const MAX_UNKNOWN_MESSAGES = 16;

/**
 * NetStreams (createStream) a connection may hold at once. ffmpeg and OBS
 * create one; SRS fails the fourth (`ERROR_RTMP_CREATE_STREAM_DEPTH`, row 28).
 */
export const MAX_STREAMS_PER_CONNECTION = 3;

/**
 * Time from the first byte to a completed handshake and `connect` command.
 * Real peers need one round trip; SRS waits 30 s, nginx-rtmp 60 s, we close
 * slow or silent peers sooner (bad-inputs row 2).
 */
export const HANDSHAKE_TIMEOUT_MS = 10_000;

/**
 * A publisher that sends no media for this long is closed. SRS uses 20 s for
 * the first packet (`publish.firstpkt_timeout`) and 5 s afterwards.
 */
export const PUBLISH_IDLE_TIMEOUT_MS = 20_000;

/** Our outgoing chunk size: SRS's default `chunk_size 60000` (fewer headers per frame). */
export const DEFAULT_OUT_CHUNK_SIZE = 60_000;

/** Window acknowledgement size and peer bandwidth we announce: SRS `out_ack_size` 2 500 000. */
export const DEFAULT_WINDOW_ACK_SIZE = 2_500_000;
