import { isIP } from 'node:net';
import { z } from 'zod';

/**
 * The node config, as zod validates it. Keys here are camelCase (the result
 * object); in the file they are snake_case, SRS style (`mw_latency_ms` ->
 * `play.mwLatencyMs`): `config-keys.ts` converts and rejects anything else.
 * Every key has a default, so an empty file (or no file) is a working node
 * with SRS's defaults (`4.0:trunk/conf/full.conf`, `srs_app_config.cpp`).
 * Units are in the names (`...Ms`, `...Bytes`). `node.example.yaml` beside
 * this file lists every key with its default; a test keeps the two equal.
 *
 * To extend (hls, dvr, srt, rtc ...): add a `section({...})` below; its keys
 * get defaults, snake_case mapping and unknown-key errors for free. Keys must
 * be lower camelCase words without digits after a word boundary, so that the
 * snake_case <-> camelCase mapping is one-to-one (a test checks every key).
 */

/** One message per field, used for the wrong type and for every failed check, so it reads the same. */
function int(def: number, min: number, max: number, what = 'an integer') {
  const expected = `expected ${what} from ${min} to ${max}`;
  return z.number({ error: expected }).int({ error: expected }).min(min, { error: expected }).max(max, { error: expected }).default(def);
}

function num(def: number, min: number, max: number) {
  const expected = `expected a number from ${min} to ${max}`;
  return z.number({ error: expected }).min(min, { error: expected }).max(max, { error: expected }).default(def);
}

/** A storage key template: the variables are checked by the segmenter, the characters here. */
function template(def: string) {
  const expected = 'expected a relative path template like [app]/[stream]-[seq].ts';
  return z
    .string({ error: expected })
    .regex(/^[0-9A-Za-z_\-./[\]]{1,256}$/, { error: expected })
    .refine((t) => !t.startsWith('/') && !t.split('/').includes('..'), { error: expected })
    .default(def);
}

function bool(def: boolean) {
  return z.boolean({ error: 'expected true or false' }).default(def);
}

function oneOf<const T extends readonly [string, ...string[]]>(values: T, def: T[number]) {
  return z.enum(values, { error: `expected one of ${values.join(', ')}` }).default(def as never);
}

function section<S extends z.core.$ZodLooseShape>(shape: S) {
  // Every key of a section has a default, so an absent section is an empty one.
  return z.strictObject(shape, { error: 'expected a mapping (indented "key: value" lines)' }).prefault({} as never);
}

/** TCP/UDP port; 0 asks the OS for a free port (what tests use). */
const port = (def: number) => int(def, 0, 65535, 'a port number');

/** Milliseconds with a range. */
const ms = (def: number, min: number, max: number) => int(def, min, max, 'a whole number of milliseconds');

const HOOK_URL_EXPECTED = 'expected a list of http:// or https:// URLs';

function isHttpUrl(s: string): boolean {
  if (!URL.canParse(s)) return false;
  const p = new URL(s).protocol;
  return p === 'http:' || p === 'https:';
}

/** SRS `http_hooks.on_*`: several URLs called in order; SRS writes them space-separated on one line, so a string is split. */
const hookUrls = z
  .preprocess(
    (v) => (typeof v === 'string' ? v.split(/\s+/).filter((s) => s !== '') : v),
    z.array(z.string({ error: HOOK_URL_EXPECTED }).refine(isHttpUrl, { error: HOOK_URL_EXPECTED }), { error: HOOK_URL_EXPECTED }),
  )
  .default([]);

const HOST_EXPECTED = 'expected an IP address or a host name to bind, such as 0.0.0.0 or ::';
const host = z
  .string({ error: HOST_EXPECTED })
  .refine((h) => isIP(h) !== 0 || /^[A-Za-z0-9]([A-Za-z0-9.-]{0,252})$/.test(h), { error: HOST_EXPECTED })
  .default('0.0.0.0');

const S3_PREFIX_EXPECTED = 'expected a folder in the bucket such as hls/ (letters, digits, "_", "-", ".", "/"; no leading "/", no "." or ".." folder)';
/** Leaves room in S3's 1024-byte key limit for the HLS key templates. */
const MAX_S3_PREFIX_LENGTH = 512;

/** A key prefix: store keys are appended to it, so it must not make them escape or collide (storage.ts key rules). */
function isKeyPrefix(p: string): boolean {
  if (p === '') return true;
  if (p.length > MAX_S3_PREFIX_LENGTH || !/^[0-9A-Za-z_\-./]+$/.test(p) || p.startsWith('/')) return false;
  return p.replace(/\/$/, '').split('/').every((seg) => seg !== '' && seg !== '.' && seg !== '..');
}

const BUCKET_EXPECTED = 'expected an S3 bucket name (3-63 lower-case letters, digits, "." and "-")';

/** The S3 part of `storage`: every key has a default so the section may be absent while `type` is local. */
const s3Section = section({
  /** S3-compatible service URL (MinIO, R2, s3rver); empty = AWS's endpoint for the region. */
  endpoint: z
    .string({ error: 'expected an http(s) URL or nothing' })
    .refine((u) => u === '' || isHttpUrl(u), { error: 'expected an http(s) URL or nothing' })
    .default(''),
  region: z
    .string({ error: 'expected a region name such as us-east-1' })
    .regex(/^[a-z0-9-]{1,64}$/, { error: 'expected a region name such as us-east-1' })
    .default('us-east-1'),
  /** Bucket name (AWS rules); required when `type` is s3. */
  bucket: z
    .string({ error: BUCKET_EXPECTED })
    .refine((b) => b === '' || /^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/.test(b), { error: BUCKET_EXPECTED })
    .default(''),
  /** Folder in the bucket every key goes under. */
  prefix: z.string({ error: S3_PREFIX_EXPECTED }).refine(isKeyPrefix, { error: S3_PREFIX_EXPECTED }).default(''),
  /** Empty (both): AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY from the environment, else the SDK's default chain (instance role). */
  accessKeyId: z.string({ error: 'expected a string' }).default(''),
  secretAccessKey: z.string({ error: 'expected a string' }).default(''),
  /** `endpoint/bucket/key` URLs: what most S3-compatible services need. */
  forcePathStyle: bool(false),
});

/** Where HLS files and DVR recordings go (design.md Storage): local directories (hls.path, dvr.path), or a bucket with a spool for outages. */
const storageSection = z
  .strictObject(
    {
      type: oneOf(['local', 's3'], 'local'),
      s3: s3Section,
      spool: section({
        /** Where finished files wait while the bucket is down (relative: under data_dir); one node per directory. */
        dir: z.string({ error: 'expected a directory path' }).min(1, { error: 'expected a directory path' }).default('spool'),
        /** The spool's bound; past it the oldest segments are dropped. 1 GiB holds a minute of ~130 Mbit/s of streams. */
        maxBytes: int(1024 * 1024 * 1024, 1024 * 1024, 1024 * 1024 * 1024 * 1024),
      }),
    },
    { error: 'expected a mapping (indented "key: value" lines)' },
  )
  .superRefine((v, ctx) => {
    if (v.type !== 's3') return;
    if (v.s3.bucket === '') ctx.addIssue({ code: 'custom', path: ['s3', 'bucket'], input: v.s3.bucket, message: 'expected a bucket name when storage.type is s3' });
    if ((v.s3.accessKeyId === '') !== (v.s3.secretAccessKey === '')) {
      const missing = v.s3.accessKeyId === '' ? 'accessKeyId' : 'secretAccessKey';
      ctx.addIssue({ code: 'custom', path: ['s3', missing], input: '', message: 'expected access_key_id and secret_access_key together (or neither)' });
    }
  })
  .prefault({} as never);

/** `control_plane.url`: "" = no control plane (the node runs alone); else the control plane's http(s) base URL. */
const CP_URL_EXPECTED = 'expected "" or the http:// or https:// base URL of the control plane';
/** The control plane's node token is 32+ characters (control-plane README, RUNNEL_NODE_TOKEN). */
const MIN_NODE_TOKEN_CHARS = 32;
/** shared/src/node-api.ts NODE_ID_PATTERN and REGION_PATTERN; "" for node_id = the server id. */
const CP_NODE_ID = /^$|^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$/;
const CP_REGION = /^[a-z0-9][a-z0-9-]{0,31}$/;

const controlPlaneSection = z
  .strictObject(
    {
      url: z
        .string({ error: CP_URL_EXPECTED })
        .refine((u) => u === '' || isHttpUrl(u), { error: CP_URL_EXPECTED })
        .default(''),
      /** Sent as Bearer on every control-plane call; required with url. */
      nodeToken: z.string({ error: 'expected a string' }).default(''),
      /** The id the node registers with (lowercase DNS label); "" = server_id, which must then be one. */
      nodeId: z.string({ error: 'expected a string' }).regex(CP_NODE_ID, { error: 'expected "" or lowercase letters, digits and dashes, at most 63' }).default(''),
      region: z.string({ error: 'expected a string' }).regex(CP_REGION, { error: 'expected lowercase letters, digits and dashes, at most 32' }).default('local'),
      /** The host name players and encoders reach this node at, in the URLs it registers; "" = listen.host (127.0.0.1 when that is a wildcard). */
      publicHost: z.string({ error: 'expected a string' }).regex(/^$|^[A-Za-z0-9.:[\]-]{1,253}$/, { error: 'expected "" or a host name or IP address' }).default(''),
      /**
       * What this node offers the allocator (shared/src/node-api.ts capacity): it places a stream on the
       * healthy node with the lowest load relative to these. Defaults sit above what one Node process
       * serves (BENCHMARKS.md), so equal nodes compare by load alone; lower them on smaller machines.
       */
      maxStreams: int(1000, 1, 100_000),
      maxEgressKbps: int(10_000_000, 1, 1_000_000_000),
    },
    { error: 'expected a mapping (indented "key: value" lines)' },
  )
  .superRefine((v, ctx) => {
    if (v.url !== '' && v.nodeToken.length < MIN_NODE_TOKEN_CHARS) {
      ctx.addIssue({ code: 'custom', path: ['nodeToken'], input: '', message: `expected the control plane's node token (${MIN_NODE_TOKEN_CHARS}+ characters) when control_plane.url is set` });
    }
  })
  .prefault({} as never);

/** SRS's server_id is `vid-` + 7 chars; we accept any short token safe in a file name, URL and log line. */
export const SERVER_ID_PATTERN = /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/;

/** Largest RTMP message the 24-bit length field can carry (Adobe RTMP spec 5.3.1.2.1, message length: 3 bytes). */
const RTMP_MAX_MESSAGE_LENGTH = 0xffffff;

const SRT_PASSPHRASE_EXPECTED = 'expected "" or a passphrase of 10 to 80 characters (libsrt\'s limits)';

const RTC_CANDIDATE_EXPECTED = 'expected "" or an IPv4 address to announce, such as 203.0.113.7';

export const nodeConfigSchema = z.strictObject(
  {
    /** SRS `server_id`; when absent: env SRS_SERVER_ID, then a generated id persisted in dataDir/server_id. */
    serverId: z
      .string({ error: 'expected a string' })
      .regex(SERVER_ID_PATTERN, { error: 'expected 1-64 letters, digits, ".", "_" or "-"' })
      .optional(),
    /** Where the node keeps state (server_id, later HLS/DVR spools); relative to the working directory. */
    dataDir: z.string({ error: 'expected a directory path' }).min(1, { error: 'expected a directory path' }).default('./.runnel/data'),
    listen: section({
      /** Address every listener binds; 0.0.0.0 = all IPv4 interfaces (SRS default), :: = IPv6 (dual-stack on Linux). */
      host,
      rtmp: port(1935),
      /** Node HTTP server: HTTP-FLV, HLS, WHIP/WHEP, players. */
      http: port(8080),
      /** SRS-compatible HTTP API. */
      api: port(1985),
      /** UDP. */
      srt: port(10080),
      /** UDP, WebRTC media. */
      rtc: port(8000),
    }),
    log: section({
      format: oneOf(['text', 'json'], 'text'),
      level: oneOf(['debug', 'info', 'warn', 'error'], 'info'),
    }),
    rtmp: section({
      /** Outgoing chunk size; SRS `chunk_size` 60000, and its config check allows 128..65536. */
      chunkSize: int(60000, 128, 65536),
      /** Time a new TCP connection has to finish the C0-C2 handshake, and to send connect and a publish or play. */
      handshakeTimeoutMs: ms(10000, 100, 600_000),
      /** Largest incoming message (bounds per-connection reassembly memory); 10 MiB like gortmplib, at most the 24-bit RTMP limit. */
      maxMessageBytes: int(10 * 1024 * 1024, 1024, RTMP_MAX_MESSAGE_LENGTH),
      publish: section({
        /** SRS `publish.firstpkt_timeout` 20 s: wait for the first media packet. */
        firstPacketTimeoutMs: ms(20000, 100, 600_000),
        /** SRS `publish.normal_timeout` 5 s: wait between packets once media flows. */
        normalTimeoutMs: ms(5000, 100, 600_000),
      }),
    }),
    play: section({
      /** SRS `gop_cache` on: new players start at the last keyframe. */
      gopCache: bool(true),
      /** SRS 5 `gop_cache_max_frames` 2500 (0 = no limit): bounds memory when a stream never sends a keyframe. */
      gopCacheMaxFrames: int(2500, 0, 1_000_000),
      /** SRS `queue_length` 30 s, by A/V timestamp span; a GOP spans 1-10 s, so less than 1 s would shrink every GOP. */
      queueLengthMs: ms(30000, 1000, 600_000),
      /** SRS `mw_latency` 350 ms (recommended 300-1800): merge writes over this span; 0 = write at once. */
      mwLatencyMs: ms(350, 0, 10_000),
      /** SRS `mw_msgs` 8, max 128: also wait for this many messages before a merged write. */
      mwMsgs: int(8, 0, 128),
      /** SRS `time_jitter`: full = start at 0 and force monotonic; zero = subtract the first timestamp; off = pass through. */
      timeJitter: oneOf(['full', 'zero', 'off'], 'full'),
      /** SRS `atc`: deliver absolute encoder timestamps (no re-basing). */
      atc: bool(false),
      /** SRS `min_latency`: flush 1-2 packets as they arrive (mw_msgs 0). */
      minLatency: bool(false),
    }),
    /** SRS `vhost { hls { ... } }` (srs.md 9.1): HLS (MPEG-TS) of every published stream. */
    hls: section({
      enabled: bool(true),
      /** SRS `hls_path`: the local directory segments and playlists go to (relative: under data_dir). */
      path: z.string({ error: 'expected a directory path' }).min(1, { error: 'expected a directory path' }).default('hls'),
      /** SRS `hls_fragment` 10 s: a segment is cut at the first keyframe past this. */
      fragmentMs: ms(10_000, 1000, 600_000),
      /** SRS `hls_window` 60 s of segments in the playlist. */
      windowMs: ms(60_000, 1000, 86_400_000),
      /** SRS `hls_td_ratio` 1.5: EXT-X-TARGETDURATION = ceil(td_ratio x fragment). */
      tdRatio: num(1.5, 1, 10),
      /** SRS `hls_aof_ratio` 2.0: audio-only (or keyframe-less) streams cut at aof_ratio x fragment. */
      aofRatio: num(2.0, 1, 10),
      /** SRS `hls_wait_keyframe`: cut only on keyframes. */
      waitKeyframe: bool(true),
      /** SRS `hls_cleanup`: delete segments that left the window. */
      cleanup: bool(true),
      /** SRS `hls_dispose` (6.0: 120 s): with no publisher for this long, remove the stream's HLS files; 0 = never. */
      disposeMs: ms(120_000, 0, 86_400_000),
      /** SRS `hls_ts_file`. */
      tsFile: template('[app]/[stream]-[seq].ts'),
      /** SRS `hls_m3u8_file` (digits cannot round-trip the snake_case key mapping). */
      playlistFile: template('[app]/[stream].m3u8'),
      /** SRS `hls_entry_prefix`: a base URL (a CDN) before segment URIs; empty = relative URIs. */
      entryPrefix: z
        .string({ error: 'expected an http(s) base URL or nothing' })
        .refine((u) => u === '' || isHttpUrl(u), { error: 'expected an http(s) base URL or nothing' })
        .default(''),
      /** After the publisher leaves, how long a republish continues the same playlist; then EXT-X-ENDLIST. */
      reconnectWindowMs: ms(30_000, 0, 3_600_000),
    }),
    /** SRS `vhost { dvr { ... } }` (srs.md 9.2): FLV/MP4 recordings of every published stream. */
    dvr: section({
      /** Off by default, as in SRS. */
      enabled: bool(false),
      /** SRS `dvr_plan`: session = one file per publish; segment = a new file every duration_ms. */
      plan: oneOf(['session', 'segment'], 'session'),
      /** The local directory recordings go to (relative: under data_dir). */
      path: z.string({ error: 'expected a directory path' }).min(1, { error: 'expected a directory path' }).default('dvr'),
      /** SRS `dvr_path` below `path`: `.mp4` records MP4, anything else FLV; [vhost] [app] [stream] [timestamp] [2006] [01] [02] [15] [04] [05] [999]. */
      file: template('[app]/[stream].[timestamp].flv'),
      /** SRS `dvr_duration` 30 s (segment plan). */
      durationMs: ms(30_000, 1000, 86_400_000),
      /** SRS `dvr_wait_keyframe` (segment plan): cut at a keyframe once over the duration. */
      waitKeyframe: bool(true),
      /** storage.type s3: the folder recordings go under in the bucket, after storage.s3.prefix. */
      prefix: z.string({ error: S3_PREFIX_EXPECTED }).refine(isKeyPrefix, { error: S3_PREFIX_EXPECTED }).default('recordings'),
      /** storage.type s3: the base URL (a CDN) of storage.s3.prefix; on_dvr then carries `url` = it + prefix + the file's key. Empty = no url. */
      entryPrefix: z
        .string({ error: 'expected an http(s) base URL or nothing' })
        .refine((u) => u === '' || isHttpUrl(u), { error: 'expected an http(s) base URL or nothing' })
        .default(''),
      /**
       * storage.type s3: disk that finished recordings waiting for the bucket may take. At the cap no new
       * recording starts (none is ever deleted); recording resumes below 3/4 of it. 10 GiB: ~7 h of 3 Mbit/s.
       */
      backlogMaxBytes: int(10 * 1024 * 1024 * 1024, 16 * 1024 * 1024, 1024 * 1024 * 1024 * 1024),
    }),
    /** SRS `srt_server` (srs.md 4): SRT publish and play on listen.srt (UDP), MPEG-TS inside. */
    srt: section({
      enabled: bool(true),
      /** SRS `recvlatency`: the latency we receive with (TSBPD); the caller may ask for more. SRT's default 120 ms. */
      latencyMs: ms(120, 0, 60_000),
      /** SRS `peerlatency`: the latency we propose for the caller's receiver (players). */
      peerLatencyMs: ms(120, 0, 60_000),
      /** SRS `passphrase`: callers must encrypt with it (10-80 characters, libsrt's limits); "" = no encryption. */
      passphrase: z
        .string({ error: SRT_PASSPHRASE_EXPECTED })
        .refine((p) => p === '' || (p.length >= 10 && p.length <= 80), { error: SRT_PASSPHRASE_EXPECTED })
        .default(''),
      /** SRS `pbkeylen`: AES key length in bytes announced to callers (16, 24, 32); 0 = the caller's choice. */
      pbkeylen: z
        .union([z.literal(0), z.literal(16), z.literal(24), z.literal(32)], { error: 'expected 0, 16, 24 or 32' })
        .default(0),
      /** SRS `default_app`: the app of a stream id without one. */
      defaultApp: z.string({ error: 'expected an app name' }).regex(/^[A-Za-z0-9_.-]{1,64}$/, { error: 'expected an app name (letters, digits, "_", ".", "-")' }).default('live'),
      /** SRS `peer_idle_timeout` (SRTO_PEERIDLETIMEO): a caller silent this long is dropped. */
      peerIdleTimeoutMs: ms(5000, 1000, 600_000),
      /** SRS `max_connections` for SRT: callers connected or waiting for admission. */
      maxConnections: int(1000, 1, 100_000),
    }),
    /**
     * WebRTC (issue 6, SRS `rtc_server`): WHIP publish and WHEP play at `/rtc/v1/whip/` and `/rtc/v1/whep/`
     * on the node HTTP port, media over UDP: every session on the one port listen.rtc (SRS's 8000) through
     * our UDP mux, or with udp_mux false one port per session from listen.rtc .. listen.rtc + port_count - 1.
     */
    rtc: section({
      enabled: bool(true),
      /** SRS `candidate`: the IPv4 address players and publishers are told to send to (a NAT's public IP); "" = listen.host, 127.0.0.1 for a wildcard bind. */
      candidate: z
        .string({ error: RTC_CANDIDATE_EXPECTED })
        .refine((c) => c === '' || isIP(c) === 4, { error: RTC_CANDIDATE_EXPECTED })
        .default(''),
      /** All sessions share listen.rtc (demultiplexed by ICE ufrag and remote address); false: a port per session. */
      udpMux: bool(true),
      /** The most sessions at once; with udp_mux false also the number of UDP ports from listen.rtc (werift needs at least 2). */
      portCount: int(100, 2, 10_000),
      /** ICE may also send to RFC 1918 / fc00::/7 candidates (a LAN deployment); off by default (bad-inputs: no probing the node's network). */
      allowPrivateCandidates: bool(false),
      /** ICE may also send to loopback candidates (tests on one machine); metadata addresses are never allowed. */
      allowLoopbackCandidates: bool(false),
      /** Keyframe requests (PLI/FIR) from players reach the publisher at most this often per stream. */
      pliIntervalMs: ms(1000, 100, 60_000),
      /**
       * SRS `pli_for_rtmp`: a WHIP publisher bridged to the hub (H.264) is asked for a keyframe this often,
       * so HLS and DVR can cut segments and RTMP/FLV players joining start soon (WebRTC encoders send key
       * frames only when asked); 0 = never.
       */
      pliForRtmpMs: ms(6000, 0, 60_000),
    }),
    storage: storageSection,
    http: section({
      /** CORS headers on the node HTTP server (SRS `http_server.crossdomain`). */
      cors: bool(true),
    }),
    httpApi: section({
      enabled: bool(true),
      /** CORS headers on the API (SRS `http_api.crossdomain`, default on). */
      cors: bool(true),
    }),
    /** SRS `http_hooks`: each event calls its URLs in order; an empty list = no call. */
    hooks: section({
      onConnect: hookUrls,
      onClose: hookUrls,
      onPublish: hookUrls,
      onUnpublish: hookUrls,
      onPlay: hookUrls,
      onStop: hookUrls,
      /** Called when a DVR file is finished and stored. */
      onDvr: hookUrls,
      /** Called when an HLS segment is stored and listed in the playlist. */
      onHls: hookUrls,
      /** Per call; SRS uses its HTTP client's 30 s, which stalls a publish for too long. */
      timeoutMs: ms(3000, 100, 60_000),
    }),
    /** Runnel's control plane: registration, heartbeats, admission (`server/control-plane/`). Absent url = the node runs alone. */
    controlPlane: controlPlaneSection,
  },
  { error: 'expected a mapping (indented "key: value" lines)' },
);

/** What validation returns; `serverId` may still be missing (see `loadNodeConfig`). */
export type ParsedConfig = z.output<typeof nodeConfigSchema>;

type DeepPartial<T> = T extends readonly unknown[] ? T : T extends object ? { [K in keyof T]?: DeepPartial<T[K]> } : T;

/** Values that replace file values before validation (CLI flags), camelCase paths: `{ listen: { rtmp: 1936 } }`. */
export type ConfigOverrides = DeepPartial<z.input<typeof nodeConfigSchema>>;

type DeepReadonly<T> = T extends readonly (infer U)[] ? readonly DeepReadonly<U>[] : T extends object ? { readonly [K in keyof T]: DeepReadonly<T[K]> } : T;

/** The config every part of the node receives: validated, defaults filled, server id resolved, frozen. */
export type NodeConfig = DeepReadonly<Omit<ParsedConfig, 'serverId'> & { serverId: string }>;
