import type { Hono } from "hono";
import type { EventHandlers } from "../../lib/http/event-webhook.ts";
import { eventWebhook } from "../../lib/http/event-webhook.ts";
import { createServiceApp } from "../../lib/http/service-app.ts";
import type { DomainEvent } from "../../lib/events/index.ts";
import type { OrderDeps } from "./deps.ts";
import { applyEvent } from "./handlers/apply-event.ts";
import { orderRoutes } from "./routes/orders.ts";

export type { OrderDeps };

/** The order service: accepts orders, and follows every event of the flow (the saga's state). */
export function createApp(deps: OrderDeps): Hono {
  const apply = { handle: (event: DomainEvent, db = deps.db) => applyEvent({ ...deps, db }, event) };
  const handlers: EventHandlers = {
    "com.example.payment.completed": apply,
    "com.example.payment.failed": apply,
    "com.example.payment.refunded": apply,
    "com.example.stock.reserved": apply,
    "com.example.stock.insufficient": apply,
    "com.example.stock.released": apply,
    "com.example.shipment.created": apply,
  };
  const app = createServiceApp("order");
  app.route("/", orderRoutes(deps));
  app.route("/", eventWebhook({ service: "order", handlers, idempotency: deps.idempotency, db: deps.db }));
  return app;
}
