CREATE TABLE "shipping"."refusals" (
	"order_id" text PRIMARY KEY NOT NULL,
	"user_id" text NOT NULL,
	"reservation_id" text NOT NULL,
	"reason" text NOT NULL,
	"created_at" timestamp with time zone NOT NULL
);
--> statement-breakpoint
ALTER TABLE "notifications"."notifications" ADD COLUMN "stage" integer DEFAULT 0 NOT NULL;--> statement-breakpoint
ALTER TABLE "orders"."orders" ADD COLUMN "attention_detail" text;--> statement-breakpoint
ALTER TABLE "orders"."orders" ADD COLUMN "attention_since" timestamp with time zone;--> statement-breakpoint
ALTER TABLE "payments"."payments" ADD COLUMN "fulfilment" jsonb;--> statement-breakpoint
ALTER TABLE "payments"."payments" ADD COLUMN "cause_id" text;--> statement-breakpoint
ALTER TABLE "payments"."payments" ADD COLUMN "refund_key" text;--> statement-breakpoint
ALTER TABLE "payments"."payments" ADD COLUMN "refund_reason" text;--> statement-breakpoint
ALTER TABLE "payments"."payments" ADD COLUMN "attempts" integer DEFAULT 0 NOT NULL;--> statement-breakpoint
ALTER TABLE "payments"."payments" ADD COLUMN "next_attempt_at" timestamp with time zone;--> statement-breakpoint
ALTER TABLE "payments"."payments" ADD COLUMN "attention_reason" text;--> statement-breakpoint
ALTER TABLE "payments"."payments" ADD COLUMN "last_error" text;--> statement-breakpoint
CREATE INDEX "orders_status_created_idx" ON "orders"."orders" USING btree ("status","created_at" DESC NULLS LAST,"id" DESC NULLS LAST);--> statement-breakpoint
CREATE INDEX "payments_due_idx" ON "payments"."payments" USING btree ("next_attempt_at") WHERE status in ('charging', 'refunding');--> statement-breakpoint
-- Payments left charging before the reconciler existed: due at once, so it looks them up.
UPDATE "payments"."payments" SET "next_attempt_at" = "updated_at" WHERE "status" = 'charging';--> statement-breakpoint
-- Messages sent before stages were kept: their stage by type (apps/notification/domain/stages.ts).
UPDATE "notifications"."notifications" SET "stage" = CASE "type"
	WHEN 'com.example.order.created' THEN 10
	WHEN 'com.example.payment.completed' THEN 20
	WHEN 'com.example.payment.failed' THEN 20
	WHEN 'com.example.stock.reserved' THEN 30
	WHEN 'com.example.stock.insufficient' THEN 30
	WHEN 'com.example.stock.released' THEN 40
	WHEN 'com.example.payment.refunded' THEN 50
	WHEN 'com.example.shipment.created' THEN 70
	WHEN 'com.example.order.cancelled' THEN 70
	ELSE 0 END;
