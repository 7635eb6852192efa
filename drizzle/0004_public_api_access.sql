CREATE TABLE "orders"."products" (
	"product_id" text PRIMARY KEY NOT NULL,
	"name" text NOT NULL,
	"unit_price" integer NOT NULL,
	"currency" text NOT NULL,
	"updated_at" timestamp with time zone NOT NULL
);
--> statement-breakpoint
ALTER TABLE "orders"."orders" DROP CONSTRAINT "orders_idempotency_key_unique";--> statement-breakpoint
ALTER TABLE "shipping"."shipments" ADD COLUMN "user_id" text DEFAULT '' NOT NULL;--> statement-breakpoint
CREATE INDEX "orders_user_created_idx" ON "orders"."orders" USING btree ("user_id","created_at" DESC NULLS LAST,"id" DESC NULLS LAST);--> statement-breakpoint
ALTER TABLE "orders"."orders" ADD CONSTRAINT "orders_user_idempotency_key" UNIQUE("user_id","idempotency_key");