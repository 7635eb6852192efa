import { Hono } from "hono";
import { AppError } from "../../../lib/errors/index.ts";
import { jsonBody } from "../../../lib/http/index.ts";
import type { OrderDeps } from "../deps.ts";
import { findOrder, readTimeline } from "../store/orders.ts";
import { placeOrder, placeOrderBody } from "./place-order.ts";

export function orderRoutes(deps: OrderDeps): Hono {
  const app = new Hono();

  app.post("/orders", jsonBody(placeOrderBody), async (c) => {
    const key = c.req.header("idempotency-key");
    if (key !== undefined && (key.length === 0 || key.length > 200)) {
      throw new AppError("request.invalid", "Idempotency-Key must be 1 to 200 characters", {
        status: 400,
        issues: [{ field: "Idempotency-Key", message: "1 to 200 characters" }],
      });
    }
    const order = await placeOrder(deps, c.req.valid("json"), key);
    c.header("location", `/orders/${order.id}`);
    return c.json({ orderId: order.id, status: "pending" as const }, 202);
  });

  app.get("/orders/:orderId", async (c) => {
    const orderId = c.req.param("orderId");
    const order = await findOrder(deps.db, orderId);
    if (!order) throw new AppError("order.not_found", `no order ${orderId}`, { status: 404 });
    const timeline = await readTimeline(deps.db, orderId);
    return c.json({
      orderId: order.id,
      status: order.status,
      ...(order.reason ? { reason: order.reason } : {}),
      items: order.items,
      totalAmount: order.totalAmount,
      currency: order.currency,
      timeline: timeline.map((entry) => ({ ...entry, time: entry.time.toISOString() })),
    });
  });

  return app;
}
