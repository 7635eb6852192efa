import { newEvent } from "../../lib/events/index.ts";
import { dataFor } from "../../lib/testing/index.ts";

/**
 * pgbench scripts equal to two transactions of the flow, statement for statement, with payloads of
 * the flow's own sizes (its events built by the flow's own builders). `:seq` keeps each run's rows
 * apart. When the code of these transactions changes, change these scripts with it.
 */
const literal = (value: unknown) => `'${JSON.stringify(value).replaceAll("'", "''")}'`;
const orderId = "01890000-0000-7000-8000-000000000000";
const at = new Date("2026-11-30T09:00:00.000Z");

/** lib/outbox/enqueue.ts: the events as arrays of text, unnested, and the relay's NOTIFY, in one statement. */
function outboxWrite(outbox: string, topic: string, event: object): string {
  return `with written as (insert into "${outbox}"."outbox" ("topic", "key", "event") select * from unnest(array['${topic}']::text[], array['o-' || :seq::bigint]::text[], array[${literal(event)}]::text[]::jsonb[])) select pg_notify('orderflow_outbox', '${outbox}');`;
}

/** POST /orders (apps/order/routes/place-order.ts): price from the catalogue, the order, its order.created, its timeline. */
export function orderTransactionScript(productId: string): string {
  const data = dataFor("com.example.order.created", orderId);
  const event = newEvent("com.example.order.created", data, { id: orderId, time: at, correlationid: orderId });
  return [
    "\\set seq random(1, 9000000000000000000)", // 40,000 draws in 2e9 collided (a birthday); in 9e18 they do not
    "begin;",
    `select "product_id", "name", "unit_price", "currency", "updated_at" from "orders"."products" where "orders"."products"."product_id" in ('${productId}');`,
    `insert into "orders"."orders" ("id", "user_id", "status", "reason", "attention_detail", "attention_since", "items", "total_amount", "currency", "shipping_address", "payment", "idempotency_key", "request_hash", "created_at", "updated_at") values ('o-' || :seq::bigint, 'bench-c' || (:seq::bigint % 50), 'pending', null, null, null, ${literal(data.items)}, ${data.totalAmount}, 'JPY', ${literal(data.shippingAddress)}, ${literal(data.payment)}, null, null, now(), now()) on conflict ("user_id", "idempotency_key") do nothing returning *;`,
    outboxWrite("orders", "order-events", event),
    `insert into "orders"."order_timeline" ("source", "event_id", "order_id", "type", "time") values ('/order-service', 'e-' || :seq::bigint, 'o-' || :seq::bigint, 'com.example.order.created', now()) on conflict do nothing returning "event_id";`,
    "commit;",
    "",
  ].join("\n");
}

/** shipping's settle-order (apps/shipping/handlers/settle-order.ts) for one stock.reserved: claim, lock, load, ship, emit. */
export function handlerTransactionScript(): string {
  const data = dataFor("com.example.shipment.created", orderId);
  const event = newEvent("com.example.shipment.created", data, { id: orderId, time: at, correlationid: orderId });
  return [
    "\\set seq random(1, 9000000000000000000)", // 40,000 draws in 2e9 collided (a birthday); in 9e18 they do not
    "begin;",
    `insert into "shipping"."processed_events" ("source", "event_id", "type", "processed_at") values ('/inventory-service', 'e-' || :seq::bigint, 'com.example.stock.reserved', default) on conflict do nothing returning "event_id";`,
    // pgbench reads ":name" as a variable even inside a string literal: the colons are concatenated in.
    "select pg_advisory_xact_lock(hashtext('shipping' || ':' || 'order' || ':' || 'o-' || :seq::bigint));",
    `select "id" from "shipping"."shipments" where "shipping"."shipments"."order_id" = 'o-' || :seq::bigint;`,
    `select "order_id" from "shipping"."refusals" where "shipping"."refusals"."order_id" = 'o-' || :seq::bigint;`,
    `insert into "shipping"."shipments" ("id", "order_id", "user_id", "reservation_id", "carrier", "tracking_number", "shipping_address", "created_at") values ('s-' || :seq::bigint, 'o-' || :seq::bigint, 'bench-c1', 'r-' || :seq::bigint, 'yamato', 'TRK' || :seq::bigint, ${literal(data.shippingAddress)}, now()) on conflict ("order_id") do nothing returning "id";`,
    outboxWrite("shipping", "shipment-events", event),
    "commit;",
    "",
  ].join("\n");
}
