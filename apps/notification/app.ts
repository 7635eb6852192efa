import type { Hono } from "hono";
import * as v from "valibot";
import type { DomainEvent } from "../../lib/events/index.ts";
import { createServiceApp, eventWebhook, oneHandlerFor, query } from "../../lib/http/index.ts";
import type { NotificationDeps } from "./deps.ts";
import { notificationKey } from "./domain/notification.ts";
import { notify } from "./handlers/notify.ts";
import { notificationsOf } from "./store/notifications.ts";

export type { NotificationDeps };

/** Every step the customer hears about. */
export const subscribes = [
  "com.example.order.created",
  "com.example.order.cancelled",
  "com.example.payment.completed",
  "com.example.payment.failed",
  "com.example.payment.refunded",
  "com.example.stock.reserved",
  "com.example.stock.insufficient",
  "com.example.stock.released",
  "com.example.shipment.created",
] as const;

/** The notification service: tells the customer about each step, once per step and order. */
export function createApp(deps: NotificationDeps): Hono {
  const spec = { handle: (event: DomainEvent) => notify(deps, event), dedupKey: (event: DomainEvent) => `notification:${notificationKey(event)}` };
  const app = createServiceApp("notification");
  app.get("/notifications", query(v.object({ orderId: v.pipe(v.string(), v.nonEmpty()) })), async (c) => {
    return c.json({ notifications: await notificationsOf(deps.db, c.req.valid("query").orderId) });
  });
  app.route("/", eventWebhook({ service: "notification", subscribes, handlers: oneHandlerFor(subscribes, spec), idempotency: deps.idempotency, verify: deps.security.verifyPush }));
  return app;
}
