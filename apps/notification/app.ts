import type { Hono } from "hono";
import * as v from "valibot";
import { AppError } from "../../lib/errors/index.ts";
import { authenticated, createServiceApp, eventWebhook, mayRead, oneHandlerFor, query } from "../../lib/http/index.ts";
import type { NotificationDeps } from "./deps.ts";
import { notificationKey } from "./domain/notification.ts";
import { type NotifiedEvent, notifiedTypes } from "./domain/stages.ts";
import { applyBatch } from "./handlers/apply-batch.ts";
import { notify } from "./handlers/notify.ts";
import { notificationsOf } from "./store/notifications.ts";

export type { NotificationDeps };

/** Every step the customer hears about. */
export const subscribes = notifiedTypes;

/** The notification service: tells the customer about each step, once per step and order, never going back in the order's story. */
export function createApp(deps: NotificationDeps): Hono {
  const spec = { handle: (event: NotifiedEvent) => notify(deps, event), dedupKey: (event: NotifiedEvent) => `notification:${notificationKey(event)}` };
  const app = createServiceApp("notification", deps.log);
  // Its customer and staff only; anyone else, and an order nobody was told about yet, get the same 404.
  app.get("/notifications", authenticated(deps.security.verifyToken), query(v.object({ orderId: v.pipe(v.string(), v.nonEmpty()) })), async (c) => {
    const { orderId } = c.req.valid("query");
    const notifications = await notificationsOf(deps.db, orderId);
    if (!mayRead(c.var.caller, notifications[0]?.userId)) throw new AppError("notification.not_found", `no notification of order ${orderId}`, { status: 404 });
    return c.json({ notifications });
  });
  app.route(
    "/",
    eventWebhook({
      service: "notification",
      subscribes,
      handlers: oneHandlerFor(subscribes, spec),
      // A push's messages decided and recorded in one transaction, sent, and marked in one update
      // (notify() event by event if it gives up). No push transaction: the send is outside.
      applyBatch: (events) => applyBatch(deps, events),
      idempotency: deps.idempotency,
      verify: deps.security.verifyPush,
    }),
  );
  return app;
}
