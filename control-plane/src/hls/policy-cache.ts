import type { Clock } from '../services/clock.ts';
import type { PlaybackPolicy } from '../services/live-streams.ts';

/**
 * Playback id -> policy, remembered for a few seconds so a player fetching a
 * segment every second does not cost a database read each time (on Workers,
 * one D1 query per segment per viewer). Unknown ids are remembered too, so
 * requests for random ids cannot flood the database either.
 */

/** A policy change (public -> signed) reaches the delivery route within this long. */
export const POLICY_TTL_MS = 5000;
/** Bounds the memory of one process or isolate; far more playback ids than a node serves at once. */
export const POLICY_CACHE_MAX = 10_000;

export type PolicyLookup = (playbackId: string) => Promise<PlaybackPolicy | null>;

export class PolicyCache {
  private readonly entries = new Map<string, { policy: PlaybackPolicy | null; until: number }>();
  private readonly lookup: PolicyLookup;
  private readonly clock: Clock;

  constructor(lookup: PolicyLookup, clock: Clock) {
    this.lookup = lookup;
    this.clock = clock;
  }

  async get(playbackId: string): Promise<PlaybackPolicy | null> {
    const now = this.clock.now();
    const hit = this.entries.get(playbackId);
    if (hit !== undefined && hit.until > now) return hit.policy;
    const policy = await this.lookup(playbackId);
    this.entries.delete(playbackId);
    // Map keeps insertion order: the first key is the oldest entry.
    if (this.entries.size >= POLICY_CACHE_MAX) this.entries.delete(this.entries.keys().next().value as string);
    this.entries.set(playbackId, { policy, until: now + POLICY_TTL_MS });
    return policy;
  }
}
