ALTER TABLE `accounts` ADD `is_admin` integer DEFAULT false NOT NULL;--> statement-breakpoint
-- Deployments that had accounts before admins existed: their first account becomes the admin, as a new deployment's would.
UPDATE `accounts` SET `is_admin` = 1 WHERE `id` = (SELECT `id` FROM `accounts` ORDER BY `created_at`, `id` LIMIT 1);
