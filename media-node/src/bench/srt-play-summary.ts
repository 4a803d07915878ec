import type { SrtPlayerWindow } from './srt-load-player.ts';

/**
 * An SRT player keeps up when it received at least this share of the
 * stream's MPEG-TS rate over the window. The source is capped per second
 * (maxrate/bufsize) and the window holds at least a few of its seconds, so a
 * player that keeps up gets the rate within a few %; a player starved for
 * 10 % of the window falls under it.
 */
export const MIN_PLAYER_RATE_FRACTION = 0.9;

export interface SrtPlaySummary {
  readonly players: number;
  /** Connected at the end of the window. */
  readonly open: number;
  /** Connected, nothing dropped in the window, and at least MIN_PLAYER_RATE_FRACTION of the expected rate. */
  readonly keepingUp: number;
  /** Mean and lowest rate of a player over the window, Mbit/s (TS payload). */
  readonly meanMbps: number;
  readonly minMbps: number;
  /** Packets lost (then recovered or not) and dropped (never delivered), all players, in the window. */
  readonly lostPackets: number;
  readonly droppedPackets: number;
}

/** Window rate of bytes, Mbit/s. */
export function mbps(bytes: number, wallMs: number): number {
  return wallMs <= 0 ? 0 : (bytes * 8) / (wallMs * 1000);
}

/** Whether one player kept up with a stream of `expectedMbps` over `wallMs`. */
export function playerKeepsUp(w: SrtPlayerWindow, wallMs: number, expectedMbps: number): boolean {
  return w.open && w.dropped === 0 && mbps(w.bytes, wallMs) >= MIN_PLAYER_RATE_FRACTION * expectedMbps;
}

/** The players' windows (all generators together) against the stream's rate. */
export function summarizeSrtPlayers(windows: readonly SrtPlayerWindow[], wallMs: number, expectedMbps: number): SrtPlaySummary {
  let open = 0;
  let keepingUp = 0;
  let bytes = 0;
  let minBytes = Infinity;
  let lostPackets = 0;
  let droppedPackets = 0;
  for (const w of windows) {
    if (w.open) open++;
    if (playerKeepsUp(w, wallMs, expectedMbps)) keepingUp++;
    bytes += w.bytes;
    minBytes = Math.min(minBytes, w.bytes);
    lostPackets += w.lost;
    droppedPackets += w.dropped;
  }
  const n = windows.length;
  return {
    players: n,
    open,
    keepingUp,
    meanMbps: n === 0 ? 0 : mbps(bytes / n, wallMs),
    minMbps: n === 0 ? 0 : mbps(minBytes, wallMs),
    lostPackets,
    droppedPackets,
  };
}
