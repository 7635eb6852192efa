ALTER TABLE "inventory"."reservations" ADD COLUMN "user_id" text DEFAULT '' NOT NULL;--> statement-breakpoint
ALTER TABLE "inventory"."reservations" ADD COLUMN "status" text DEFAULT 'reserved' NOT NULL;--> statement-breakpoint
CREATE INDEX "reservations_expiry_idx" ON "inventory"."reservations" USING btree ("expires_at") WHERE status = 'reserved';