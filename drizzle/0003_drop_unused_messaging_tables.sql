DROP TABLE "notifications"."outbox" CASCADE;--> statement-breakpoint
DROP TABLE "notifications"."processed_events" CASCADE;--> statement-breakpoint
DROP TABLE "orders"."processed_events" CASCADE;