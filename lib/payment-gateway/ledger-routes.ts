import { eq, inArray } from "drizzle-orm";
import { Hono } from "hono";
import * as v from "valibot";
import type { Db } from "../db/index.ts";
import { query } from "../http/index.ts";
import { gatewayCharges, gatewayRefunds } from "./sandbox-schema.ts";

/** `GET /gateway/charges?orderId=`: the sandbox ledger, each charge with its refunds. */
export function sandboxLedgerRoutes(db: Db): Hono {
  const app = new Hono();
  app.get("/gateway/charges", query(v.object({ orderId: v.pipe(v.string(), v.nonEmpty()) })), async (c) => {
    const { orderId } = c.req.valid("query");
    const charges = await db.select().from(gatewayCharges).where(eq(gatewayCharges.orderId, orderId));
    const refunds = charges.length
      ? await db.select().from(gatewayRefunds).where(inArray(gatewayRefunds.chargeId, charges.map((ch) => ch.id)))
      : [];
    return c.json({
      charges: charges.map((ch) => ({ ...ch, refunds: refunds.filter((r) => r.chargeId === ch.id) })),
    });
  });
  return app;
}
