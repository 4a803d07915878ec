ALTER TABLE `live_streams` ADD `event_seq` integer DEFAULT 0 NOT NULL;--> statement-breakpoint
ALTER TABLE `live_streams` ADD `last_event_id` text;