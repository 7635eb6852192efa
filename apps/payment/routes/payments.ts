import { eq } from "drizzle-orm";
import { Hono } from "hono";
import * as v from "valibot";
import { query } from "../../../lib/http/index.ts";
import type { PaymentDeps } from "../deps.ts";
import { payments } from "../store/schema.ts";

export function paymentRoutes(deps: PaymentDeps): Hono {
  const app = new Hono();
  app.get("/payments", query(v.object({ orderId: v.pipe(v.string(), v.nonEmpty()) })), async (c) => {
    const rows = await deps.db.select().from(payments).where(eq(payments.orderId, c.req.valid("query").orderId));
    return c.json({ payments: rows });
  });
  return app;
}
