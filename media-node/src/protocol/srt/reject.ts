import { HS_REJECT_BASE } from './packets/handshake.ts';

/**
 * Why a handshake was refused. A rejecting handshake carries
 * `HS_REJECT_BASE + code` in its Handshake Type (libsrt `URQFailure`), and
 * the caller reports `code` (srt_getrejectreason). Codes below 1000 are
 * libsrt's own `SRT_REJ_*` (srt.h); 1000-1999 are the predefined server codes
 * `SRT_REJX_*` (access_control.h, HTTP status + 1000); 2000+ are free for
 * applications.
 */
export const SRT_REJ = {
  unknown: 0,
  system: 1,
  peer: 2,
  resource: 3,
  /** Malformed handshake data. */
  rogue: 4,
  backlog: 5,
  ipe: 6,
  close: 7,
  /** The peer's version is older than we accept. */
  version: 8,
  rdvCookie: 9,
  /** Wrong passphrase. */
  badSecret: 10,
  /** Passphrase required, or given when none is expected. */
  unsecure: 11,
  /** Stream API (file mode) against message API (live mode). */
  messageApi: 12,
  /** Congestion controller other than "live". */
  congestion: 13,
  /** Packet filter (FEC) we do not support. */
  filter: 14,
  /** Socket groups (bonding) we do not support. */
  group: 15,
  timeout: 16,
} as const;

/** Server-side reject codes of the access-control convention (libsrt access_control.h). */
export const SRT_REJX = {
  fallback: 1000,
  keyNotSupported: 1001,
  hostNotFound: 1003,
  /** General syntax error in the stream id. */
  badRequest: 1400,
  /** Authentication failed. */
  unauthorized: 1401,
  overload: 1402,
  /** Access denied. */
  forbidden: 1403,
  /** No such stream. */
  notFound: 1404,
  /** The `m` key names a mode we do not support. */
  badMode: 1405,
  unacceptable: 1406,
  /** The stream is already being published. */
  conflict: 1409,
  notSupportedMedia: 1415,
  locked: 1423,
  internalError: 1500,
  unimplemented: 1501,
  gateway: 1502,
  down: 1503,
  version: 1505,
  noRoom: 1507,
} as const;

/** The Handshake Type value that rejects with `code`. */
export function rejectType(code: number): number {
  return HS_REJECT_BASE + code;
}

/** The reject code in a Handshake Type, or null when the type is not a rejection. */
export function rejectCodeOf(handshakeType: number): number | null {
  return handshakeType >= HS_REJECT_BASE ? handshakeType - HS_REJECT_BASE : null;
}
