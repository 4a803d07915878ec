import { index, integer, real, sqliteTable, text, uniqueIndex } from 'drizzle-orm/sqlite-core';

/**
 * The control plane's tables, one schema for D1 (Workers) and libsql (Node).
 * Times are integers of milliseconds since the epoch (the API renders ISO
 * 8601). Ids are prefixed, time-sortable strings (services/ids.ts), so
 * "newest first" is `ORDER BY id DESC` and a cursor is just an id.
 * D1 has no interactive transactions: multi-row writes go through `db.batch`.
 */

export const tenants = sqliteTable('tenants', {
  id: text('id').primaryKey(),
  name: text('name').notNull(),
  createdAt: integer('created_at').notNull(),
});

export const apiKeys = sqliteTable(
  'api_keys',
  {
    id: text('id').primaryKey(),
    tenantId: text('tenant_id').notNull().references(() => tenants.id, { onDelete: 'cascade' }),
    name: text('name').notNull(),
    /** The first characters of the key, shown in lists so a user can tell keys apart. */
    prefix: text('prefix').notNull(),
    /** Hex SHA-256 of the whole key; the key itself is shown once and never stored. */
    hash: text('hash').notNull(),
    permission: text('permission', { enum: ['read_write', 'read_only'] }).notNull(),
    createdAt: integer('created_at').notNull(),
    lastUsedAt: integer('last_used_at'),
    revokedAt: integer('revoked_at'),
  },
  (t) => [uniqueIndex('api_keys_hash').on(t.hash), index('api_keys_tenant').on(t.tenantId, t.id)],
);

export const mediaNodes = sqliteTable('media_nodes', {
  id: text('id').primaryKey(),
  region: text('region').notNull(),
  rtmpUrl: text('rtmp_url').notNull(),
  srtUrl: text('srt_url'),
  httpUrl: text('http_url').notNull(),
  webrtcUrl: text('webrtc_url'),
  maxStreams: integer('max_streams').notNull(),
  maxEgressKbps: integer('max_egress_kbps').notNull(),
  heartbeatIntervalMs: integer('heartbeat_interval_ms').notNull(),
  version: text('version'),
  state: text('state', { enum: ['up', 'down'] }).notNull(),
  loadStreams: integer('load_streams').notNull().default(0),
  loadClients: integer('load_clients').notNull().default(0),
  loadBitrateInKbps: real('load_bitrate_in_kbps').notNull().default(0),
  loadBitrateOutKbps: real('load_bitrate_out_kbps').notNull().default(0),
  loadCpu: real('load_cpu').notNull().default(0),
  registeredAt: integer('registered_at').notNull(),
  lastHeartbeatAt: integer('last_heartbeat_at').notNull(),
});

export const liveStreams = sqliteTable(
  'live_streams',
  {
    id: text('id').primaryKey(),
    tenantId: text('tenant_id').notNull().references(() => tenants.id, { onDelete: 'cascade' }),
    name: text('name').notNull(),
    passthrough: text('passthrough'),
    enabled: integer('enabled', { mode: 'boolean' }).notNull(),
    /** The publisher's secret (RTMP stream name, SRT `r=live/<key>`, WHIP token). */
    streamKey: text('stream_key').notNull(),
    srtPassphrase: text('srt_passphrase').notNull(),
    /** What players use and what the node publishes under: never the key. */
    playbackId: text('playback_id').notNull(),
    playbackPolicy: text('playback_policy', { enum: ['public', 'signed'] }).notNull(),
    recordingMode: text('recording_mode', { enum: ['off', 'automatic'] }).notNull(),
    reconnectWindowS: integer('reconnect_window_s').notNull(),
    status: text('status', { enum: ['idle', 'connected', 'active', 'disconnected'] }).notNull(),
    currentSessionId: text('current_session_id'),
    nodeId: text('node_id').references(() => mediaNodes.id, { onDelete: 'set null' }),
    disconnectedAt: integer('disconnected_at'),
    keysRotatedAt: integer('keys_rotated_at'),
    /** Webhook `seq` of the stream's latest event: +1 in the batch that records each event (webhooks/outbox.ts). */
    eventSeq: integer('event_seq').notNull().default(0),
    /** Id of the stream's latest event, so the outbox insert of the same batch runs only if the change happened. */
    lastEventId: text('last_event_id'),
    createdAt: integer('created_at').notNull(),
    updatedAt: integer('updated_at').notNull(),
  },
  (t) => [
    uniqueIndex('live_streams_stream_key').on(t.streamKey),
    uniqueIndex('live_streams_playback_id').on(t.playbackId),
    index('live_streams_tenant').on(t.tenantId, t.id),
    index('live_streams_node').on(t.nodeId),
  ],
);

export const sessions = sqliteTable(
  'sessions',
  {
    id: text('id').primaryKey(),
    tenantId: text('tenant_id').notNull().references(() => tenants.id, { onDelete: 'cascade' }),
    /** No foreign key: a session outlives its stream (history, and an end request for a deleted stream's publish). */
    liveStreamId: text('live_stream_id').notNull(),
    nodeId: text('node_id').notNull(),
    /** SRS client id of the publishing connection (on_publish `client_id`). */
    clientId: text('client_id').notNull(),
    clientIp: text('client_ip').notNull(),
    protocol: text('protocol'),
    startedAt: integer('started_at').notNull(),
    endedAt: integer('ended_at'),
    endReason: text('end_reason'),
    /** Set when the control plane wants the node to end this publish (sent in heartbeat answers). */
    endRequested: text('end_requested', { enum: ['key_rotated', 'stream_disabled', 'stream_deleted', 'completed'] }),
    /** Latest figures from the node's heartbeat (null until one describes the stream); kept after the end as the session's codecs. */
    videoCodec: text('video_codec'),
    videoWidth: integer('video_width'),
    videoHeight: integer('video_height'),
    audioCodec: text('audio_codec'),
    bitrateInKbps: real('bitrate_in_kbps'),
    /** Players and outputs of the stream on the node at that heartbeat. */
    clients: integer('clients'),
    statsAt: integer('stats_at'),
    /** Bytes the node received from the publisher (on_unpublish `recv_bytes`); null until the session ends, or when the node did not say. */
    bytesIn: integer('bytes_in'),
  },
  (t) => [index('sessions_stream').on(t.liveStreamId, t.id), index('sessions_node_open').on(t.nodeId, t.endedAt)],
);

/**
 * Recorded files (DVR), one row per file the node stored and announced with
 * on_dvr. A stream's segment plan makes several files per session.
 */
export const recordings = sqliteTable(
  'recordings',
  {
    id: text('id').primaryKey(),
    tenantId: text('tenant_id').notNull().references(() => tenants.id, { onDelete: 'cascade' }),
    /** No foreign key, like sessions: recordings outlive their stream. */
    liveStreamId: text('live_stream_id').notNull(),
    /** The session that was live when the file was announced; null when none was (a file uploaded after a restart). */
    sessionId: text('session_id'),
    nodeId: text('node_id').notNull(),
    /** on_dvr `file`: a path on the node, or the object key in the bucket. */
    storageKey: text('storage_key').notNull(),
    /** on_dvr `url`: where a recording in a bucket is served (a CDN URL); null for a file on the node's disk. */
    url: text('url'),
    /** From the file's extension: flv, mp4 ... (null when it has none we know). */
    format: text('format', { enum: ['flv', 'mp4', 'ts'] }),
    durationMs: integer('duration_ms'),
    bytes: integer('bytes'),
    /** Announced by on_dvr only once the file is stored, so always ready for now; the column leaves room for deletion. */
    status: text('status', { enum: ['ready'] }).notNull(),
    createdAt: integer('created_at').notNull(),
  },
  (t) => [index('recordings_stream').on(t.liveStreamId, t.id), index('recordings_tenant').on(t.tenantId, t.id)],
);

export const webhookEndpoints = sqliteTable(
  'webhook_endpoints',
  {
    id: text('id').primaryKey(),
    tenantId: text('tenant_id').notNull().references(() => tenants.id, { onDelete: 'cascade' }),
    url: text('url').notNull(),
    secret: text('secret').notNull(),
    /** JSON array of event types; empty = all. */
    events: text('events', { mode: 'json' }).$type<string[]>().notNull(),
    enabled: integer('enabled', { mode: 'boolean' }).notNull(),
    createdAt: integer('created_at').notNull(),
  },
  (t) => [index('webhook_endpoints_tenant').on(t.tenantId, t.id)],
);

export const webhookDeliveries = sqliteTable(
  'webhook_deliveries',
  {
    id: text('id').primaryKey(),
    tenantId: text('tenant_id').notNull().references(() => tenants.id, { onDelete: 'cascade' }),
    endpointId: text('endpoint_id').notNull().references(() => webhookEndpoints.id, { onDelete: 'cascade' }),
    eventId: text('event_id').notNull(),
    eventType: text('event_type').notNull(),
    payload: text('payload').notNull(),
    status: text('status', { enum: ['pending', 'delivered', 'failed'] }).notNull(),
    attempts: integer('attempts').notNull().default(0),
    nextAttemptAt: integer('next_attempt_at'),
    lastStatusCode: integer('last_status_code'),
    lastError: text('last_error'),
    createdAt: integer('created_at').notNull(),
    deliveredAt: integer('delivered_at'),
  },
  (t) => [index('webhook_deliveries_due').on(t.status, t.nextAttemptAt), index('webhook_deliveries_endpoint').on(t.endpointId, t.id)],
);

/**
 * Dashboard accounts: email + password, one tenant each for now (a team
 * would add a membership table between accounts and tenants).
 */
export const accounts = sqliteTable(
  'accounts',
  {
    id: text('id').primaryKey(),
    tenantId: text('tenant_id').notNull().references(() => tenants.id, { onDelete: 'cascade' }),
    /** Lowercased and trimmed at sign-up, so sign-in is case-insensitive. */
    email: text('email').notNull(),
    /** `pbkdf2-sha256$<iterations>$<salt b64url>$<hash b64url>` (accounts/password.ts); the iteration count travels with the hash. */
    passwordHash: text('password_hash').notNull(),
    createdAt: integer('created_at').notNull(),
    /**
     * Operator: sees every media node and the streams on it (`/admin`, the dashboard's Nodes page).
     * The first account of a deployment is one (accounts/accounts.ts); the admin token grants more.
     */
    isAdmin: integer('is_admin', { mode: 'boolean' }).notNull().default(false),
  },
  (t) => [uniqueIndex('accounts_email').on(t.email), index('accounts_tenant').on(t.tenantId)],
);

/** Signed-in browsers. The cookie carries a random token; only its SHA-256 is stored. */
export const accountSessions = sqliteTable(
  'account_sessions',
  {
    id: text('id').primaryKey(),
    accountId: text('account_id').notNull().references(() => accounts.id, { onDelete: 'cascade' }),
    tenantId: text('tenant_id').notNull().references(() => tenants.id, { onDelete: 'cascade' }),
    tokenHash: text('token_hash').notNull(),
    createdAt: integer('created_at').notNull(),
    expiresAt: integer('expires_at').notNull(),
  },
  (t) => [uniqueIndex('account_sessions_token').on(t.tokenHash), index('account_sessions_account').on(t.accountId)],
);

export type TenantRow = typeof tenants.$inferSelect;
export type ApiKeyRow = typeof apiKeys.$inferSelect;
export type MediaNodeRow = typeof mediaNodes.$inferSelect;
export type LiveStreamRow = typeof liveStreams.$inferSelect;
export type SessionRow = typeof sessions.$inferSelect;
export type RecordingRow = typeof recordings.$inferSelect;
export type WebhookEndpointRow = typeof webhookEndpoints.$inferSelect;
export type WebhookDeliveryRow = typeof webhookDeliveries.$inferSelect;
export type AccountRow = typeof accounts.$inferSelect;
export type AccountSessionRow = typeof accountSessions.$inferSelect;
