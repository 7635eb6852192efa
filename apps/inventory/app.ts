import type { Hono } from "hono";
import { createServiceApp, eventWebhook } from "../../lib/http/index.ts";
import type { InventoryDeps } from "./deps.ts";
import { inventoryBatch } from "./handlers/apply-batch.ts";
import { commitShipment } from "./handlers/commit-shipment.ts";
import { releaseRefused } from "./handlers/release-refused.ts";
import { reserveStock } from "./handlers/reserve-stock.ts";
import { inventoryRoutes } from "./routes/inventory.ts";

export type { InventoryDeps };

/** Reserve when paid; commit the reserved stock when it ships; give it back when shipping refuses it. */
export const subscribes = ["com.example.payment.completed", "com.example.shipment.created", "com.example.shipment.refused"] as const;

/** The inventory service: holds stock and reserves it for paid orders, never overselling. */
export function createApp(deps: InventoryDeps): Hono {
  const app = createServiceApp("inventory", deps.log);
  app.route("/", inventoryRoutes(deps));
  app.route(
    "/",
    eventWebhook({
      service: "inventory",
      subscribes,
      idempotency: deps.idempotency, verify: deps.security.verifyPush,
      db: deps.db,
      // A push in a constant number of statements, whatever its size; one by one if it gives up.
      applyBatch: inventoryBatch(deps),
      // Deduplicated by event, source + id (the default key), truth in processed_events.
      handlers: {
        "com.example.payment.completed": { handle: (e, db = deps.db) => reserveStock({ ...deps, db }, e) },
        "com.example.shipment.created": { handle: (e, db = deps.db) => commitShipment({ ...deps, db }, e) },
        "com.example.shipment.refused": { handle: (e, db = deps.db) => releaseRefused({ ...deps, db }, e) },
      },
    }),
  );
  return app;
}
