import { eq } from "drizzle-orm";
import { Hono } from "hono";
import * as v from "valibot";
import { anyOf, type Db } from "../db/index.ts";
import { AppError } from "../errors/index.ts";
import { authenticated, mayRead, query } from "../http/index.ts";
import type { TokenVerifier } from "../security/index.ts";
import { gatewayCharges, gatewayRefunds } from "./sandbox-schema.ts";

/**
 * Who may read an order's ledger. The gateway does not know customers: the service that serves
 * the ledger says whose order it is (payment, from its own payments row).
 */
export type LedgerAccess = { verifyToken: TokenVerifier; customerOf(orderId: string): Promise<string | undefined> };

/** `GET /gateway/charges?orderId=`: the sandbox ledger, each charge with its refunds, for the order's customer and staff. */
export function sandboxLedgerRoutes(db: Db, access: LedgerAccess): Hono {
  const app = new Hono();
  app.get("/gateway/charges", authenticated(access.verifyToken), query(v.object({ orderId: v.pipe(v.string(), v.nonEmpty()) })), async (c) => {
    const { orderId } = c.req.valid("query");
    // Unknown, or someone else's: the same 404 (docs/architecture.md#trust-boundaries).
    if (!mayRead(c.var.caller, await access.customerOf(orderId))) throw new AppError("gateway.not_found", `no charges of order ${orderId}`, { status: 404 });
    const charges = await db.select().from(gatewayCharges).where(eq(gatewayCharges.orderId, orderId));
    const refunds = charges.length
      ? await db.select().from(gatewayRefunds).where(anyOf(gatewayRefunds.chargeId, charges.map((ch) => ch.id)))
      : [];
    return c.json({
      charges: charges.map((ch) => ({ ...ch, refunds: refunds.filter((r) => r.chargeId === ch.id) })),
    });
  });
  return app;
}
