/**
 * Verdicts on WHEP load players (`runnel bench rtc`): pure, so the report and
 * its tests need no network.
 */

/** What one WHEP player received during the measurement window (since `mark`). */
export interface RtcPlayerWindow {
  /** ICE/DTLS connected and not closed or failed at the end of the window. */
  readonly open: boolean;
  readonly videoPackets: number;
  /** RTP payload bytes, video and audio. */
  readonly videoBytes: number;
  /** Video access units (RTP packets with the marker bit, RFC 6184 5.1). */
  readonly videoFrames: number;
  readonly audioPackets: number;
  readonly audioBytes: number;
  /** RTP packets received again (NACK retransmissions), both tracks: not counted above. */
  readonly duplicates: number;
}

/**
 * A player keeps up when it got at least this share of the expected video
 * frames (and, with audio, Opus packets) over the window. The source is
 * constant-rate (25 fps, Opus in 20 ms frames), so a player that keeps up is
 * within a frame or two of the expected count; a player starved for 10 % of
 * the window falls under it.
 */
export const MIN_PLAYER_RATE_FRACTION = 0.9;

/** The node's AAC -> Opus bridge writes 20 ms Opus frames (server/webrtc README): 50 packets per second. */
export const OPUS_PACKETS_PER_SECOND = 50;

export interface RtcExpectation {
  readonly videoFps: number;
  /** Whether the players offered audio (then Opus packets are expected too). */
  readonly audio: boolean;
}

export interface RtcPlaySummary {
  readonly players: number;
  readonly open: number;
  readonly keepingUp: number;
  /** Mean and lowest video frame rate of a player over the window. */
  readonly meanFps: number;
  readonly minFps: number;
  /** Mean Opus packet rate of a player (0 without audio). */
  readonly meanAudioPps: number;
  /** Mean RTP payload rate of a player (video + audio), Mbit/s. */
  readonly meanMbps: number;
  /** Retransmitted packets received again, all players (a sign of loss on the way). */
  readonly duplicates: number;
}

export function perSecond(count: number, wallMs: number): number {
  return wallMs <= 0 ? 0 : (count * 1000) / wallMs;
}

/** Whether one player kept up over `wallMs`. */
export function rtcPlayerKeepsUp(w: RtcPlayerWindow, wallMs: number, e: RtcExpectation): boolean {
  if (!w.open) return false;
  if (perSecond(w.videoFrames, wallMs) < MIN_PLAYER_RATE_FRACTION * e.videoFps) return false;
  return !e.audio || perSecond(w.audioPackets, wallMs) >= MIN_PLAYER_RATE_FRACTION * OPUS_PACKETS_PER_SECOND;
}

/** The players' windows (all generators together) against the expected rates. */
export function summarizeRtcPlayers(windows: readonly RtcPlayerWindow[], wallMs: number, e: RtcExpectation): RtcPlaySummary {
  let open = 0;
  let keepingUp = 0;
  let frames = 0;
  let minFrames = Infinity;
  let audio = 0;
  let bytes = 0;
  let duplicates = 0;
  for (const w of windows) {
    duplicates += w.duplicates;
    if (w.open) open++;
    if (rtcPlayerKeepsUp(w, wallMs, e)) keepingUp++;
    frames += w.videoFrames;
    minFrames = Math.min(minFrames, w.videoFrames);
    audio += w.audioPackets;
    bytes += w.videoBytes + w.audioBytes;
  }
  const n = windows.length;
  return {
    players: n,
    open,
    keepingUp,
    meanFps: n === 0 ? 0 : perSecond(frames / n, wallMs),
    minFps: n === 0 ? 0 : perSecond(minFrames, wallMs),
    meanAudioPps: n === 0 ? 0 : perSecond(audio / n, wallMs),
    meanMbps: n === 0 || wallMs <= 0 ? 0 : ((bytes / n) * 8) / (wallMs * 1000),
    duplicates,
  };
}
