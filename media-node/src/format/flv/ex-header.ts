import { ProtocolError, type ByteReader } from '@runnel/shared';

/**
 * Pieces shared by the enhanced RTMP (E-RTMP v2, veovera/enhanced-rtmp)
 * ExAudioTagHeader and ExVideoTagHeader: FourCC codes, ModEx packets and
 * multitrack bodies.
 */

/** FourCC as a big-endian UI32 ("makeFourCc" in the spec). */
export function fourCc(s: string): number {
  return ((s.charCodeAt(0) << 24) | (s.charCodeAt(1) << 16) | (s.charCodeAt(2) << 8) | s.charCodeAt(3)) >>> 0;
}

export function fourCcString(n: number): string {
  return String.fromCharCode(n >>> 24, (n >>> 16) & 0xff, (n >>> 8) & 0xff, n & 0xff);
}

/** AvMultitrackType (E-RTMP v2 "Enhanced Audio"/"Enhanced Video"). */
export const MULTITRACK_ONE_TRACK = 0;
export const MULTITRACK_MANY_TRACKS = 1;
export const MULTITRACK_MANY_TRACKS_MANY_CODECS = 2;

/** ModEx packet type value, the same (7) for audio and video. */
export const PACKET_TYPE_MOD_EX = 7;
const MOD_EX_TIMESTAMP_OFFSET_NANO = 0;

/**
 * Consumes the ModEx packets that may precede the real packet type
 * (E-RTMP v2: "Process each ModEx data packet"). Each one carries 1..65536
 * bytes of data, then UB[4] modExType + UB[4] next packetType. The loop is
 * bounded by the input: every round consumes at least two bytes.
 */
export function readModEx(r: ByteReader, packetType: number): { packetType: number; timestampOffsetNano: number } {
  let nano = 0;
  while (packetType === PACKET_TYPE_MOD_EX) {
    let size = r.u8() + 1;
    if (size === 256) size = r.u16() + 1;
    const data = r.bytes(size, 'ModEx data');
    const b = r.u8();
    packetType = b & 0x0f;
    if (b >> 4 === MOD_EX_TIMESTAMP_OFFSET_NANO) {
      // "modExData MUST be at least 3 bytes, storing values up to 999,999 ns"
      if (data.length < 3) throw new ProtocolError('flv_bad_mod_ex', 'TimestampOffsetNano ModEx shorter than 3 bytes');
      nano = (data[0]! << 16) | (data[1]! << 8) | data[2]!;
    }
  }
  return { packetType, timestampOffsetNano: nano };
}

export interface ExTrack {
  readonly fourCc: number;
  readonly trackId: number;
  readonly body: Uint8Array;
}

/**
 * Splits a multitrack body into its tracks. `fourCc` is the shared FourCC
 * (undefined for ManyTracksManyCodecs, where each track carries its own).
 * OneTrack bodies run to the end of the message; the other types prefix each
 * track with a UI24 size, checked against the bytes left.
 */
export function readTracks(r: ByteReader, multitrackType: number, shared: number | undefined): ExTrack[] {
  if (multitrackType > MULTITRACK_MANY_TRACKS_MANY_CODECS) {
    throw new ProtocolError('flv_bad_multitrack_type', `AvMultitrackType ${multitrackType} is reserved`);
  }
  const tracks: ExTrack[] = [];
  do {
    const cc = multitrackType === MULTITRACK_MANY_TRACKS_MANY_CODECS ? r.u32() : shared!;
    const trackId = r.u8();
    const body = multitrackType === MULTITRACK_ONE_TRACK ? r.rest() : r.bytes(r.u24(), 'multitrack track');
    tracks.push({ fourCc: cc, trackId, body });
  } while (multitrackType !== MULTITRACK_ONE_TRACK && r.remaining > 0);
  return tracks;
}

/** The track outputs that understand one track use: trackId 0 ("the default track", E-RTMP v2) or else the first. */
export function defaultTrack(tracks: readonly ExTrack[]): ExTrack {
  return tracks.find((t) => t.trackId === 0) ?? tracks[0]!;
}
