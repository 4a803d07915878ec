CREATE TABLE `recordings` (
	`id` text PRIMARY KEY NOT NULL,
	`tenant_id` text NOT NULL,
	`live_stream_id` text NOT NULL,
	`session_id` text,
	`node_id` text NOT NULL,
	`storage_key` text NOT NULL,
	`url` text,
	`format` text,
	`duration_ms` integer,
	`bytes` integer,
	`status` text NOT NULL,
	`created_at` integer NOT NULL,
	FOREIGN KEY (`tenant_id`) REFERENCES `tenants`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE INDEX `recordings_stream` ON `recordings` (`live_stream_id`,`id`);--> statement-breakpoint
CREATE INDEX `recordings_tenant` ON `recordings` (`tenant_id`,`id`);--> statement-breakpoint
ALTER TABLE `sessions` ADD `video_codec` text;--> statement-breakpoint
ALTER TABLE `sessions` ADD `video_width` integer;--> statement-breakpoint
ALTER TABLE `sessions` ADD `video_height` integer;--> statement-breakpoint
ALTER TABLE `sessions` ADD `audio_codec` text;--> statement-breakpoint
ALTER TABLE `sessions` ADD `bitrate_in_kbps` real;--> statement-breakpoint
ALTER TABLE `sessions` ADD `clients` integer;--> statement-breakpoint
ALTER TABLE `sessions` ADD `stats_at` integer;