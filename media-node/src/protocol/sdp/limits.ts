/**
 * Limits of the SDP offer parser (WHIP/WHEP bodies and the SRS /rtc/v1 API's
 * `sdp` field). They are checked before anything is built from the text.
 */

/**
 * Largest SDP we parse, in characters. A Chrome offer with every codec,
 * simulcast and a dozen candidates is 10-20 KB; 64 KiB leaves room and still
 * refuses a body that could only be an attack (bad-inputs: oversized SDP).
 */
export const MAX_SDP_CHARS = 64 * 1024;

/** Most lines; a Chrome audio+video offer has about 150, with simulcast about 300. */
export const MAX_SDP_LINES = 2000;

/** Longest line; the longest real ones (fingerprint, fmtp, ssrc) are under 200 characters. */
export const MAX_SDP_LINE_CHARS = 2048;

/** Most m-sections; WHIP/WHEP use one audio and one video (plus maybe a data channel). */
export const MAX_SDP_MEDIA_SECTIONS = 8;

/** Most formats on one m-line; RTP payload types are 7 bits (0..127). */
export const MAX_SDP_FORMATS = 128;

/** Most fmtp parameters for one payload type; H.264 uses 3-6, Opus up to 8. */
export const MAX_FMTP_PARAMS = 32;

/**
 * Most ICE candidates in one offer (or trickle fragment): host, srflx and relay
 * for a few interfaces over UDP and TCP stay well under this.
 */
export const MAX_SDP_CANDIDATES = 64;

/** Most extension name/value pairs after the fixed candidate fields (generation, network-id, ufrag, ...). */
export const MAX_CANDIDATE_EXTENSIONS = 16;

/** RFC 8839 5.4: ice-ufrag is 4-256 ice-chars, ice-pwd 22-256. */
export const ICE_UFRAG_CHARS = [4, 256] as const;
export const ICE_PWD_CHARS = [22, 256] as const;

/** Longest mid we accept: it travels in an RTP header extension (RFC 8843 15), 16 bytes in the one-byte form. */
export const MAX_MID_CHARS = 16;

/** Longest header extension URI; the registered ones are under 100 characters. */
export const MAX_EXTMAP_URI_CHARS = 256;
