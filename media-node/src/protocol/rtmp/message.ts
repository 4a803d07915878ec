/**
 * An RTMP message as the chunk layer delivers and accepts it (Adobe RTMP spec
 * 6.1): the reassembled payload plus the header fields that matter above the
 * chunk layer. `csid` is the chunk stream it travelled on (a transport detail,
 * kept for diagnostics and for writers that want a specific one).
 */
export interface RtmpMessage {
  readonly csid: number;
  /** Milliseconds, unsigned 32-bit (wraps at 2^32, Adobe RTMP spec 5.3.1.2.1). */
  readonly timestamp: number;
  readonly typeId: number;
  readonly streamId: number;
  readonly payload: Uint8Array;
}

/** Message type ids, Adobe RTMP spec 5.4 and 7.1. */
export const MSG = {
  setChunkSize: 1,
  abort: 2,
  acknowledgement: 3,
  userControl: 4,
  windowAckSize: 5,
  setPeerBandwidth: 6,
  audio: 8,
  video: 9,
  dataAmf3: 15,
  sharedObjectAmf3: 16,
  commandAmf3: 17,
  dataAmf0: 18,
  sharedObjectAmf0: 19,
  commandAmf0: 20,
  aggregate: 22,
} as const;

/**
 * Chunk stream ids we write on (the numbers SRS uses, `RTMP_CID_*`). Any value
 * 2..65599 is legal; readers key state by cid, so separating control, commands,
 * audio and video keeps fmt 3 compression possible for peers that use it.
 */
export const CSID = {
  /** Adobe RTMP spec 5.4: protocol control messages on chunk stream 2. */
  protocolControl: 2,
  /** NetConnection commands (connect, createStream, _result). */
  command: 3,
  /** NetStream commands and statuses (publish, play, onStatus). */
  streamCommand: 5,
  video: 6,
  audio: 7,
  /** Data messages (onMetaData, |RtmpSampleAccess). */
  data: 8,
} as const;

/** The chunk stream SRS writes media and data on: one per kind. */
export function csidForType(typeId: number): number {
  if (typeId === MSG.audio) return CSID.audio;
  if (typeId === MSG.video) return CSID.video;
  if (typeId === MSG.dataAmf0 || typeId === MSG.dataAmf3) return CSID.data;
  return CSID.streamCommand;
}
