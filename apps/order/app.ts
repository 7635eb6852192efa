import type { Hono } from "hono";
import { createServiceApp, eventWebhook, oneHandlerFor } from "../../lib/http/index.ts";
import type { OrderDeps } from "./deps.ts";
import type { FollowedEvent } from "./domain/order-status.ts";
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
    }),
  );
  return app;
}
