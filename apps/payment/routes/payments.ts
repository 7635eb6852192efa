import { eq } from "drizzle-orm";
import { Hono } from "hono";
import * as v from "valibot";
import { AppError } from "../../../lib/errors/index.ts";
import { authenticated, mayRead, query } from "../../../lib/http/index.ts";
import type { PaymentDeps } from "../deps.ts";
import { payments } from "../store/schema.ts";

/** `GET /payments?orderId=`: the order's payment, for its customer and staff; anyone else gets 404. */
export function paymentRoutes(deps: PaymentDeps): Hono {
  const app = new Hono();
  app.get("/payments", authenticated(deps.security.verifyToken), query(v.object({ orderId: v.pipe(v.string(), v.nonEmpty()) })), async (c) => {
    const { orderId } = c.req.valid("query");
    const rows = await deps.db.select().from(payments).where(eq(payments.orderId, orderId));
    // No payment, or another customer's: the same 404, so a stranger learns nothing of the order.
    if (!mayRead(c.var.caller, rows[0]?.userId)) throw new AppError("payment.not_found", `no payment of order ${orderId}`, { status: 404 });
    return c.json({ payments: rows });
  });
  return app;
}
