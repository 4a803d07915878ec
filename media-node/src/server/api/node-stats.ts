/**
 * What the SRS-compatible API needs from the running node, and nothing more:
 * the lead wires it to the hub and the listeners; tests use
 * `FakeNodeStats`. Stat objects are the exact JSON shapes SRS answers with
 * (field names included, hence snake_case and `tcUrl`), so the API
 * serializes them as they are. Shapes: SRS 4.0 `SrsStatisticStream::dumps`,
 * `SrsStatisticClient::dumps`, `SrsStatisticVhost::dumps`, plus the fields
 * 5.0/6.0 added (`tcUrl`, `url`, `name`, `send_bytes`, `recv_bytes`).
 */
export interface NodeStats {
  /** SRS `server_id` (`vid-xxxxxxx`), stable across restarts. */
  readonly serverId: string;
  /** SRS 5 `service_id`: 8 random chars, new per process. */
  readonly serviceId: string;
  vhosts(): readonly VhostStat[];
  streams(): readonly StreamStat[];
  clients(): readonly ClientStat[];
  /** Closes the client's connection (SRS `conn->expire()`); false when no such client. */
  kick(clientId: string): boolean;
}

/** Average rates over the last 30 s, in kilobits per second (SRS `SrsKbps`). */
export interface KbpsStat {
  readonly recv_30s: number;
  readonly send_30s: number;
}

export interface VideoStat {
  /** `H264` | `HEVC` | `AV1` (SRS `srs_video_codec_id2str`). */
  readonly codec: string;
  /** `Baseline` | `Main` | `High` ... (HEVC: `Main` | `Main10` ...). */
  readonly profile: string;
  /** `3.1` ... */
  readonly level: string;
  readonly width: number;
  readonly height: number;
}

export interface AudioStat {
  /** `AAC` | `MP3` | `Opus`. */
  readonly codec: string;
  readonly sample_rate: number;
  readonly channel: number;
  /** AAC object type: `LC` | `HE` | `HEv2` | `Main` | `SSR`. */
  readonly profile: string;
}

export interface StreamStat {
  /** Stat id of the stream (`vid-4a2b8c1`). */
  readonly id: string;
  /** Stream name (`livestream`). */
  readonly name: string;
  /** Stat id of the vhost (not its name; see `/api/v1/vhosts`). */
  readonly vhost: string;
  readonly app: string;
  /** `rtmp://127.0.0.1:1935/live` as the publisher sent it. */
  readonly tcUrl: string;
  /** `/live/livestream`. */
  readonly url: string;
  /** Current wall-clock ms (SRS writes `srs_get_system_time`, not a duration). */
  readonly live_ms: number;
  /** Connected clients including the publisher. */
  readonly clients: number;
  /** Video frames seen. */
  readonly frames: number;
  readonly send_bytes: number;
  readonly recv_bytes: number;
  readonly kbps: KbpsStat;
  /** `cid` = client id of the publisher, only while active (use it with DELETE /api/v1/clients/{cid}). */
  readonly publish: { readonly active: boolean; readonly cid?: string };
  readonly video: VideoStat | null;
  readonly audio: AudioStat | null;
}

/** SRS `srs_client_type_string` values (5.0/6.0 list). */
export type ClientType =
  | 'rtmp-play'
  | 'flash-publish'
  | 'fmle-publish'
  | 'haivision-publish'
  | 'flv-play'
  | 'hls-play'
  | 'srt-play'
  | 'srt-publish'
  | 'rtc-play'
  | 'rtc-publish';

export interface ClientStat {
  /** 8-char connection id (`o6q55g32`). */
  readonly id: string;
  /** Stat id of the vhost. */
  readonly vhost: string;
  /** Stat id of the stream. */
  readonly stream: string;
  readonly ip: string;
  readonly pageUrl: string;
  readonly swfUrl: string;
  readonly tcUrl: string;
  /** `/live/livestream`. */
  readonly url: string;
  /** Stream name. */
  readonly name: string;
  readonly type: ClientType;
  readonly publish: boolean;
  /** Seconds since connect. */
  readonly alive: number;
  readonly send_bytes: number;
  readonly recv_bytes: number;
  readonly kbps: KbpsStat;
}

export interface VhostStat {
  /** Stat id (`vid-9x8y7z6`), what streams and clients name in their `vhost` field. */
  readonly id: string;
  /** `__defaultVhost__` or the configured name. */
  readonly name: string;
  readonly enabled: boolean;
  readonly clients: number;
  readonly streams: number;
  readonly send_bytes: number;
  readonly recv_bytes: number;
  readonly kbps: KbpsStat;
  readonly hls: { readonly enabled: boolean; readonly fragment?: number };
}

/** SRS's name of the vhost used when a URL names none. */
export const DEFAULT_VHOST = '__defaultVhost__';

/**
 * A vhost stat summed from its streams, for nodes that keep no per-vhost
 * counters (the node has one vhost today). Bytes and rates are the sums of
 * the streams' current values.
 */
export function vhostFromStreams(id: string, name: string, streams: readonly StreamStat[], hls: VhostStat['hls']): VhostStat {
  const mine = streams.filter((s) => s.vhost === id);
  const sum = (f: (s: StreamStat) => number) => mine.reduce((n, s) => n + f(s), 0);
  return {
    id,
    name,
    enabled: true,
    clients: sum((s) => s.clients),
    streams: mine.length,
    send_bytes: sum((s) => s.send_bytes),
    recv_bytes: sum((s) => s.recv_bytes),
    kbps: { recv_30s: sum((s) => s.kbps.recv_30s), send_30s: sum((s) => s.kbps.send_30s) },
    hls,
  };
}
