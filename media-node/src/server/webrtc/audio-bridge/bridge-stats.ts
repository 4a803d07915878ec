/** Counters of one audio bridge direction (logged when it stops). */
export interface BridgeStats {
  /** Compressed frames given to the decoder. */
  inFrames: number;
  /** Encoded frames produced. */
  outFrames: number;
  /** Frames dropped: malformed FLV body, no configuration yet, or the decoder rejected them. */
  droppedFrames: number;
  /** Sequence headers the codec could not be opened with (their frames are then dropped). */
  badConfigs: number;
  /** Codec (re)starts: one per distinct sequence header. */
  restarts: number;
}

export function emptyBridgeStats(): BridgeStats {
  return { inFrames: 0, outFrames: 0, droppedFrames: 0, badConfigs: 0, restarts: 0 };
}
