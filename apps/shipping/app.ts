import type { Hono } from "hono";
import * as v from "valibot";
import { createServiceApp, eventWebhook, query } from "../../lib/http/index.ts";
import type { ShippingDeps } from "./deps.ts";
import { arrangeShipment } from "./handlers/arrange-shipment.ts";
import { shipmentsOf } from "./store/shipments.ts";

export const subscribes = ["com.example.stock.reserved"] as const;

export type { ShippingDeps };

/** The shipping service: arranges one shipment per reserved order. */
export function createApp(deps: ShippingDeps): Hono {
  const app = createServiceApp("shipping");
  app.get("/shipments", query(v.object({ orderId: v.pipe(v.string(), v.nonEmpty()) })), async (c) => {
    return c.json({ shipments: await shipmentsOf(deps.db, c.req.valid("query").orderId) });
  });
  app.route(
    "/",
    eventWebhook({
      service: "shipping",
      subscribes,
      idempotency: deps.idempotency, verify: deps.security.verifyPush,
      db: deps.db,
      handlers: { "com.example.stock.reserved": { handle: (e, db = deps.db) => arrangeShipment({ ...deps, db }, e) } },
    }),
  );
  return app;
}
