import type { Hono } from "hono";
import type { Db } from "../../lib/db/index.ts";
import { createServiceApp, eventWebhook, oneHandlerFor } from "../../lib/http/index.ts";
import type { OrderDeps } from "./deps.ts";
import type { FollowedEvent } from "./domain/order-status.ts";
import { applyBatch } from "./handlers/apply-batch.ts";
import { applyEvent } from "./handlers/apply-event.ts";
import { adminOrderRoutes } from "./routes/admin-orders.ts";
import { orderRoutes } from "./routes/orders.ts";
import { productRoutes } from "./routes/products.ts";

export type { OrderDeps };

/** Every event that moves an order's status (the saga's state). */
export const subscribes = [
  "com.example.payment.completed",
  "com.example.payment.failed",
  "com.example.payment.refunded",
  "com.example.payment.escalated",
  "com.example.stock.reserved",
  "com.example.stock.insufficient",
  "com.example.stock.released",
  "com.example.shipment.created",
] as const;

/** The order service: keeps the catalogue, accepts orders priced from it, and follows every event of the flow (the saga's state). */
export function createApp(deps: OrderDeps): Hono {
  const apply = { handle: (event: FollowedEvent, db = deps.db) => applyEvent({ ...deps, db }, event) };
  const app = createServiceApp("order", deps.log);
  app.route("/", orderRoutes(deps));
  app.route("/", adminOrderRoutes(deps));
  app.route("/", productRoutes(deps));
  app.route(
    "/",
    eventWebhook({
      service: "order",
      subscribes,
      idempotency: deps.idempotency, verify: deps.security.verifyPush,
      db: deps.db,
      handlers: oneHandlerFor(subscribes, apply),
      applyBatch: (events, tx) => applyInTransaction(deps, events as FollowedEvent[], tx),
    }),
  );
  return app;
}

/**
 * The set-based handler in the push's transaction (always given here: the webhook has `db`), or in
 * one of its own otherwise: it locks orders and must roll back whole if it gives up. The cast is
 * sound: the webhook passes only subscribed types (`subscribes`), all of them followed events.
 */
function applyInTransaction(deps: OrderDeps, events: FollowedEvent[], tx: Db | undefined) {
  return tx ? applyBatch({ ...deps, db: tx }, events) : deps.db.transaction((own) => applyBatch({ ...deps, db: own }, events));
}
