/**
 * The one internal media unit of a node: a frame of a live stream in RTMP/FLV
 * terms. `payload` is the FLV tag body (= the RTMP message payload):
 * AUDIODATA, VIDEODATA (legacy or enhanced RTMP) or SCRIPTDATA (onMetaData).
 * Every ingest protocol turns its input into these; every output reads them.
 *
 * Messages are shared by reference between all consumers of a source and must
 * never be mutated, except for `wire`: serialized forms that an output builds
 * once on first use and every other consumer of the same format reuses
 * (fan-out serializes a frame once per format, not once per player).
 */
export type MediaKind = 'audio' | 'video' | 'data';

/** RTMP message type ids of the three media kinds (Adobe RTMP spec 7.1). */
export const RTMP_TYPE_OF_KIND = { audio: 8, video: 9, data: 18 } as const;

export interface MediaMessage {
  readonly kind: MediaKind;
  /** Decode timestamp in milliseconds (32-bit range), after the source's jitter correction. */
  readonly timestamp: number;
  /** The FLV tag body / RTMP message payload. */
  readonly payload: Uint8Array;
  /** A video frame a decoder can start from (IDR / keyframe), sequence headers excluded. */
  readonly keyframe: boolean;
  /** AVC/HEVC/AV1 decoder configuration or AAC AudioSpecificConfig (or onMetaData for data). */
  readonly sequenceHeader: boolean;
  /**
   * Set by the source on a message where a timeline or decoder configuration
   * breaks: the first message of a republish, or a sequence header whose bytes
   * differ from the previous one of its kind (codec switch). Outputs that keep
   * a timeline (HLS, DVR) start a new segment with `#EXT-X-DISCONTINUITY` here
   * (SRS: discontinuity on a new sequence header). Absent means false.
   */
  readonly discontinuity?: boolean;
  /** Serialized forms shared by all consumers of one output format; filled lazily by outputs. */
  readonly wire: WireCache;
}

/** Per-format serializations of one message, built once, written to many sockets. */
export interface WireCache {
  /** RTMP chunks (fmt 0 header + payload subarrays, fmt 3 headers) at the node's outgoing chunk size. */
  rtmp?: readonly Uint8Array[];
  /** FLV tag: 11-byte tag header, payload, 4-byte previous-tag-size. */
  flv?: readonly Uint8Array[];
  /** MPEG-TS packets of this frame (for HTTP-TS players). */
  ts?: readonly Uint8Array[];
}

export function mediaMessage(
  kind: MediaKind,
  timestamp: number,
  payload: Uint8Array,
  flags: { keyframe?: boolean; sequenceHeader?: boolean; discontinuity?: boolean } = {},
): MediaMessage {
  return {
    kind,
    timestamp,
    payload,
    keyframe: flags.keyframe ?? false,
    sequenceHeader: flags.sequenceHeader ?? false,
    discontinuity: flags.discontinuity ?? false,
    wire: {},
  };
}
