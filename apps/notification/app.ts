import type { Hono } from "hono";
import * as v from "valibot";
import type { DomainEvent } from "../../lib/events/index.ts";
import { AppError } from "../../lib/errors/index.ts";
import { authenticated, createServiceApp, eventWebhook, mayRead, oneHandlerFor, query } from "../../lib/http/index.ts";
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
  const app = createServiceApp("notification", deps.log);
  // Its customer and staff only; anyone else, and an order nobody was told about yet, get the same 404.
  app.get("/notifications", authenticated(deps.security.verifyToken), query(v.object({ orderId: v.pipe(v.string(), v.nonEmpty()) })), async (c) => {
    const { orderId } = c.req.valid("query");
    const notifications = await notificationsOf(deps.db, orderId);
    if (!mayRead(c.var.caller, notifications[0]?.userId)) throw new AppError("notification.not_found", `no notification of order ${orderId}`, { status: 404 });
    return c.json({ notifications });
  });
  app.route("/", eventWebhook({ service: "notification", subscribes, handlers: oneHandlerFor(subscribes, spec), idempotency: deps.idempotency, verify: deps.security.verifyPush }));
  return app;
}
