import { MAX_LOAD_APP_CHARS, MAX_LOAD_STREAMS, MAX_LOAD_STREAM_CHARS } from '@runnel/shared/node-api';
import type { NodeLoad, StreamLoad } from '@runnel/shared/node-api';

/**
 * The heartbeat's `load` (shared/src/node-api.ts): node totals, plus one
 * entry per stream being published (codecs, frame size, ingest kbps,
 * players) that the control plane keeps on the stream's session for the
 * dashboard. Read from the hub and the client registry at beat time;
 * nothing is counted on the media path.
 */

/** The part of a hub source the load reads (hub/source.ts Source). */
export interface LoadSource {
  /** SRS stat id; clients name it as their `sourceId`. */
  readonly id: string;
  readonly app: string;
  readonly stream: string;
  readonly publishing: boolean;
  readonly info: {
    readonly video: { readonly codec: string; readonly width?: number; readonly height?: number } | null;
    readonly audio: { readonly codec: string } | null;
  };
  kbps(): { readonly recv30s: number; readonly send30s: number };
}

/** The part of a connected client the load reads (server/clients.ts ClientRecord). */
export interface LoadClient {
  /** Stat id of the source it publishes or plays ('' before). */
  readonly sourceId: string;
  readonly publish: boolean;
}

/** Longest codec name the heartbeat carries (shared node-api `codecName`); the hub's are 3-4 characters (H264, AAC, Opus). */
const MAX_CODEC_CHARS = 32;
/** Frame sizes above this are not real video (shared node-api MAX_DIMENSION_PX). */
const MAX_DIMENSION_PX = 16_384;

/**
 * @example
 * createNodeAgent(opts, { load: () => nodeLoad(streams.list(), clients.list(), cpu()), kick, log })
 */
export function nodeLoad(streams: readonly LoadSource[], clients: readonly LoadClient[], cpu: number): NodeLoad {
  let inKbps = 0;
  let outKbps = 0;
  let publishing = 0;
  const players = new Map<string, number>();
  for (const c of clients) {
    if (!c.publish && c.sourceId !== '') players.set(c.sourceId, (players.get(c.sourceId) ?? 0) + 1);
  }
  const stats: StreamLoad[] = [];
  for (const s of streams) {
    const k = s.kbps();
    inKbps += k.recv30s;
    outKbps += k.send30s;
    if (!s.publishing) continue;
    publishing++;
    // names longer than the heartbeat carries are SRS names, never a Runnel playback name: counted, not described
    if (stats.length >= MAX_LOAD_STREAMS || s.app.length > MAX_LOAD_APP_CHARS || s.stream.length > MAX_LOAD_STREAM_CHARS || s.stream === '') continue;
    stats.push(streamLoad(s, k.recv30s, players.get(s.id) ?? 0));
  }
  return {
    streams: publishing,
    clients: clients.length,
    bitrate_in_kbps: inKbps,
    bitrate_out_kbps: outKbps,
    cpu: Math.min(1, Math.max(0, cpu)),
    stream_stats: stats,
  };
}

function streamLoad(s: LoadSource, recvKbps: number, clients: number): StreamLoad {
  const v = s.info.video;
  const a = s.info.audio;
  return {
    app: s.app,
    stream: s.stream,
    video: v === null || !codecOk(v.codec) ? null : { codec: v.codec, ...size('width', v.width), ...size('height', v.height) },
    audio: a === null || !codecOk(a.codec) ? null : { codec: a.codec },
    bitrate_in_kbps: Math.max(0, recvKbps),
    clients,
  };
}

function codecOk(codec: string): boolean {
  return codec.length > 0 && codec.length <= MAX_CODEC_CHARS;
}

/** The field when it is a frame size the schema takes; left out otherwise (unknown before the first sequence header). */
function size<K extends 'width' | 'height'>(key: K, px: number | undefined): Partial<Record<K, number>> {
  return px !== undefined && Number.isInteger(px) && px > 0 && px <= MAX_DIMENSION_PX ? ({ [key]: px } as Partial<Record<K, number>>) : {};
}
