CREATE TABLE `api_keys` (
	`id` text PRIMARY KEY NOT NULL,
	`tenant_id` text NOT NULL,
	`name` text NOT NULL,
	`prefix` text NOT NULL,
	`hash` text NOT NULL,
	`permission` text NOT NULL,
	`created_at` integer NOT NULL,
	`last_used_at` integer,
	`revoked_at` integer,
	FOREIGN KEY (`tenant_id`) REFERENCES `tenants`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE UNIQUE INDEX `api_keys_hash` ON `api_keys` (`hash`);--> statement-breakpoint
CREATE INDEX `api_keys_tenant` ON `api_keys` (`tenant_id`,`id`);--> statement-breakpoint
CREATE TABLE `live_streams` (
	`id` text PRIMARY KEY NOT NULL,
	`tenant_id` text NOT NULL,
	`name` text NOT NULL,
	`passthrough` text,
	`enabled` integer NOT NULL,
	`stream_key` text NOT NULL,
	`srt_passphrase` text NOT NULL,
	`playback_id` text NOT NULL,
	`playback_policy` text NOT NULL,
	`recording_mode` text NOT NULL,
	`reconnect_window_s` integer NOT NULL,
	`status` text NOT NULL,
	`current_session_id` text,
	`node_id` text,
	`disconnected_at` integer,
	`keys_rotated_at` integer,
	`created_at` integer NOT NULL,
	`updated_at` integer NOT NULL,
	FOREIGN KEY (`tenant_id`) REFERENCES `tenants`(`id`) ON UPDATE no action ON DELETE cascade,
	FOREIGN KEY (`node_id`) REFERENCES `media_nodes`(`id`) ON UPDATE no action ON DELETE set null
);
--> statement-breakpoint
CREATE UNIQUE INDEX `live_streams_stream_key` ON `live_streams` (`stream_key`);--> statement-breakpoint
CREATE UNIQUE INDEX `live_streams_playback_id` ON `live_streams` (`playback_id`);--> statement-breakpoint
CREATE INDEX `live_streams_tenant` ON `live_streams` (`tenant_id`,`id`);--> statement-breakpoint
CREATE INDEX `live_streams_node` ON `live_streams` (`node_id`);--> statement-breakpoint
CREATE TABLE `media_nodes` (
	`id` text PRIMARY KEY NOT NULL,
	`region` text NOT NULL,
	`rtmp_url` text NOT NULL,
	`srt_url` text,
	`http_url` text NOT NULL,
	`webrtc_url` text,
	`max_streams` integer NOT NULL,
	`max_egress_kbps` integer NOT NULL,
	`heartbeat_interval_ms` integer NOT NULL,
	`version` text,
	`state` text NOT NULL,
	`load_streams` integer DEFAULT 0 NOT NULL,
	`load_clients` integer DEFAULT 0 NOT NULL,
	`load_bitrate_in_kbps` real DEFAULT 0 NOT NULL,
	`load_bitrate_out_kbps` real DEFAULT 0 NOT NULL,
	`load_cpu` real DEFAULT 0 NOT NULL,
	`registered_at` integer NOT NULL,
	`last_heartbeat_at` integer NOT NULL
);
--> statement-breakpoint
CREATE TABLE `sessions` (
	`id` text PRIMARY KEY NOT NULL,
	`tenant_id` text NOT NULL,
	`live_stream_id` text NOT NULL,
	`node_id` text NOT NULL,
	`client_id` text NOT NULL,
	`client_ip` text NOT NULL,
	`protocol` text,
	`started_at` integer NOT NULL,
	`ended_at` integer,
	`end_reason` text,
	`end_requested` text,
	FOREIGN KEY (`tenant_id`) REFERENCES `tenants`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE INDEX `sessions_stream` ON `sessions` (`live_stream_id`,`id`);--> statement-breakpoint
CREATE INDEX `sessions_node_open` ON `sessions` (`node_id`,`ended_at`);--> statement-breakpoint
CREATE TABLE `tenants` (
	`id` text PRIMARY KEY NOT NULL,
	`name` text NOT NULL,
	`created_at` integer NOT NULL
);
--> statement-breakpoint
CREATE TABLE `webhook_deliveries` (
	`id` text PRIMARY KEY NOT NULL,
	`tenant_id` text NOT NULL,
	`endpoint_id` text NOT NULL,
	`event_id` text NOT NULL,
	`event_type` text NOT NULL,
	`payload` text NOT NULL,
	`status` text NOT NULL,
	`attempts` integer DEFAULT 0 NOT NULL,
	`next_attempt_at` integer,
	`last_status_code` integer,
	`last_error` text,
	`created_at` integer NOT NULL,
	`delivered_at` integer,
	FOREIGN KEY (`tenant_id`) REFERENCES `tenants`(`id`) ON UPDATE no action ON DELETE cascade,
	FOREIGN KEY (`endpoint_id`) REFERENCES `webhook_endpoints`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE INDEX `webhook_deliveries_due` ON `webhook_deliveries` (`status`,`next_attempt_at`);--> statement-breakpoint
CREATE INDEX `webhook_deliveries_endpoint` ON `webhook_deliveries` (`endpoint_id`,`id`);--> statement-breakpoint
CREATE TABLE `webhook_endpoints` (
	`id` text PRIMARY KEY NOT NULL,
	`tenant_id` text NOT NULL,
	`url` text NOT NULL,
	`secret` text NOT NULL,
	`events` text NOT NULL,
	`enabled` integer NOT NULL,
	`created_at` integer NOT NULL,
	FOREIGN KEY (`tenant_id`) REFERENCES `tenants`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE INDEX `webhook_endpoints_tenant` ON `webhook_endpoints` (`tenant_id`,`id`);