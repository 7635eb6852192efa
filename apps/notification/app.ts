import { eq } from "drizzle-orm";
import type { Hono } from "hono";
import * as v from "valibot";
import type { DomainEvent } from "../../lib/events/index.ts";
import { type EventHandlers, eventWebhook } from "../../lib/http/event-webhook.ts";
import { createServiceApp } from "../../lib/http/service-app.ts";
import { query } from "../../lib/http/validate.ts";
import type { NotificationDeps } from "./deps.ts";
import { notificationKey, notify } from "./handlers/notify.ts";
import { notifications } from "./store/schema.ts";

export type { NotificationDeps };

/** The notification service: tells the customer about each step, once per step and order. */
export function createApp(deps: NotificationDeps): Hono {
  const spec = { handle: (event: DomainEvent) => notify(deps, event), dedupKey: (event: DomainEvent) => `notification:${notificationKey(event)}` };
  const handlers: EventHandlers = {
    "com.example.order.created": spec,
    "com.example.order.cancelled": spec,
    "com.example.payment.completed": spec,
    "com.example.payment.failed": spec,
    "com.example.payment.refunded": spec,
    "com.example.stock.reserved": spec,
    "com.example.stock.insufficient": spec,
    "com.example.stock.released": spec,
    "com.example.shipment.created": spec,
  };
  const app = createServiceApp("notification");
  app.get("/notifications", query(v.object({ orderId: v.pipe(v.string(), v.nonEmpty()) })), async (c) => {
    const rows = await deps.db.select().from(notifications).where(eq(notifications.orderId, c.req.valid("query").orderId));
    return c.json({ notifications: rows });
  });
  app.route("/", eventWebhook({ service: "notification", handlers, idempotency: deps.idempotency }));
  return app;
}
