import type { Clock } from './clock.ts';
import { Source } from './source.ts';
import type { SourceOptions } from './source.ts';

/**
 * The live streams of one node, keyed by `vhost/app/stream` (SRS naming),
 * each with a stat id for the SRS HTTP API (`/api/v1/streams/{id}`).
 */

/** SRS's name of the default vhost (`__defaultVhost__`). */
export const DEFAULT_VHOST = '__defaultVhost__';

export interface StreamKey {
  readonly vhost?: string;
  readonly app: string;
  readonly stream: string;
}

export function streamKey(k: StreamKey): string {
  return `${k.vhost ?? DEFAULT_VHOST}/${k.app}/${k.stream}`;
}

const ID_ALPHABET = '0123456789abcdefghijklmnopqrstuvwxyz';

/** SRS-style stat id: 'vid-' and 7 base-36 characters (srs.md 2.4, e.g. "vid-4a2b8c1"). */
export function randomStatId(): string {
  let s = 'vid-';
  for (let i = 0; i < 7; i++) s += ID_ALPHABET[Math.floor(Math.random() * ID_ALPHABET.length)];
  return s;
}

export interface StreamRegistryOptions {
  readonly clock: Clock;
  /** Stat id generator (tests inject a counter); retried on collision. */
  readonly newId?: () => string;
  /** Options for sources created without their own. */
  readonly sourceDefaults?: SourceOptions;
}

/** Attempts to find an unused id before giving up (a broken generator, not bad luck). */
const MAX_ID_ATTEMPTS = 100;

export class StreamRegistry {
  private readonly byKey = new Map<string, Source>();
  private readonly byId = new Map<string, Source>();
  private readonly clock: Clock;
  private readonly newId: () => string;
  private readonly sourceDefaults: SourceOptions;

  constructor(options: StreamRegistryOptions) {
    this.clock = options.clock;
    this.newId = options.newId ?? randomStatId;
    this.sourceDefaults = options.sourceDefaults ?? {};
  }

  get size(): number {
    return this.byKey.size;
  }

  /** The source of `key`, created (with `options`, else the defaults) if absent. */
  getOrCreate(key: StreamKey, options?: SourceOptions): Source {
    const k = streamKey(key);
    const existing = this.byKey.get(k);
    if (existing !== undefined) return existing;
    const source = new Source(
      { id: this.uniqueId(), vhost: key.vhost ?? DEFAULT_VHOST, app: key.app, stream: key.stream },
      this.clock,
      options ?? this.sourceDefaults,
    );
    this.byKey.set(k, source);
    this.byId.set(source.id, source);
    return source;
  }

  get(key: StreamKey): Source | undefined {
    return this.byKey.get(streamKey(key));
  }

  getById(id: string): Source | undefined {
    return this.byId.get(id);
  }

  /** All sources, in creation order (for `/api/v1/streams`). */
  list(): Source[] {
    return [...this.byKey.values()];
  }

  /** Remove a source: its consumers are closed ('source_closed') and its publisher handle goes inert. */
  remove(source: Source): boolean {
    if (this.byKey.get(source.key) !== source) return false;
    this.byKey.delete(source.key);
    this.byId.delete(source.id);
    source.unpublish();
    source.closeConsumers('source_closed');
    return true;
  }

  /** Drop sources idle (no publisher, no consumers) for at least `minIdleMs`; returns how many. */
  sweepIdle(minIdleMs = 0, now: number = this.clock.now()): number {
    let n = 0;
    for (const s of [...this.byKey.values()]) {
      if (s.idle && now - s.idleSince >= minIdleMs) {
        this.remove(s);
        n++;
      }
    }
    return n;
  }

  private uniqueId(): string {
    for (let i = 0; i < MAX_ID_ATTEMPTS; i++) {
      const id = this.newId();
      if (!this.byId.has(id)) return id;
    }
    throw new Error(`stat id generator returned ${MAX_ID_ATTEMPTS} ids already in use`);
  }
}
