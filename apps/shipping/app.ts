import type { Hono } from "hono";
import * as v from "valibot";
import { AppError } from "../../lib/errors/index.ts";
import { authenticated, createServiceApp, eventWebhook, mayRead, query } from "../../lib/http/index.ts";
import type { ShippingDeps } from "./deps.ts";
import { applyBatch } from "./handlers/apply-batch.ts";
import { settleOrder } from "./handlers/settle-order.ts";
import { shipmentsOf } from "./store/shipments.ts";

/** Ship what is reserved; settle what inventory says ran out of time. */
export const subscribes = ["com.example.stock.reserved", "com.example.stock.expired"] as const;

export type { ShippingDeps };

/** The shipping service: arranges one shipment per reserved order, or refuses it once its time has run out. */
export function createApp(deps: ShippingDeps): Hono {
  const app = createServiceApp("shipping", deps.log);
  // The shipment carries the customer's address: its customer and staff only; anyone else, and an
  // order not shipped, get the same 404.
  app.get("/shipments", authenticated(deps.security.verifyToken), query(v.object({ orderId: v.pipe(v.string(), v.nonEmpty()) })), async (c) => {
    const { orderId } = c.req.valid("query");
    const shipments = await shipmentsOf(deps.db, orderId);
    if (!mayRead(c.var.caller, shipments[0]?.userId)) throw new AppError("shipment.not_found", `no shipment of order ${orderId}`, { status: 404 });
    return c.json({ shipments });
  });
  app.route(
    "/",
    eventWebhook({
      service: "shipping",
      subscribes,
      idempotency: deps.idempotency, verify: deps.security.verifyPush,
      db: deps.db,
      // A push in a constant number of statements (settleOrder event by event if it throws), in the
      // push's transaction; in one of its own should the webhook ever come without one.
      applyBatch: (events, tx) => (tx ? applyBatch({ ...deps, db: tx }, events) : deps.db.transaction((own) => applyBatch({ ...deps, db: own }, events))),
      handlers: {
        "com.example.stock.reserved": { handle: (e, db = deps.db) => settleOrder({ ...deps, db }, e) },
        "com.example.stock.expired": { handle: (e, db = deps.db) => settleOrder({ ...deps, db }, e) },
      },
    }),
  );
  return app;
}
