import { type Context, Hono } from "hono";
import { AppError } from "../../../lib/errors/index.ts";
import { isPlainText } from "../../../lib/events/index.ts";
import { type AuthEnv, authenticated, jsonBody, mayRead, query } from "../../../lib/http/index.ts";
import type { OrderDeps } from "../deps.ts";
import { findOrder, listOrders, type OrderRow, readTimeline } from "../store/orders.ts";
import { cursorAfter, defaultPageSize, pageQuery, positionOf } from "./order-pages.ts";
import { createOrderPlacer, type PlaceOrderResult } from "./place-order.ts";
import { placeOrderBody } from "./place-order-body.ts";
import { ordersPerMinute } from "./rate-limit.ts";

/** The customer's API: orders belong to the token's `sub`; another customer's are answered 404. */
export function orderRoutes(deps: OrderDeps): Hono<AuthEnv> {
  const app = new Hono<AuthEnv>();
  const caller = authenticated(deps.security.verifyToken);
  const placeOrder = createOrderPlacer(deps);

  app.post("/orders", caller, ordersPerMinute(deps.ordersPerMinute ?? 60, deps.clock), jsonBody(placeOrderBody), async (c) => {
    const result = await placeOrder(c.var.caller.sub, c.req.valid("json"), idempotencyKeyOf(c));
    if ("priceChanged" in result) return priceChanged(c, result);
    c.header("location", `/orders/${result.placed.id}`);
    return c.json({ orderId: result.placed.id, status: "pending" as const }, 202);
  });

  app.get("/orders", caller, query(pageQuery), async (c) => {
    const { limit = defaultPageSize, cursor } = c.req.valid("query");
    const rows = await listOrders(deps.db, c.var.caller.sub, limit + 1, cursor === undefined ? undefined : positionOf(cursor));
    const page = rows.slice(0, limit);
    const next = rows.length > limit ? cursorAfter(page.at(-1)!) : null;
    return c.json({ orders: page.map((order) => ({ ...summaryOf(order), createdAt: order.createdAt.toISOString() })), next });
  });

  app.get("/orders/:orderId", caller, async (c) => {
    const orderId = c.req.param("orderId");
    const order = await findOrder(deps.db, orderId);
    // Someone else's order is answered as if it did not exist: a 403 would say that it does.
    if (!order || !mayRead(c.var.caller, order.userId)) throw new AppError("order.not_found", `no order ${orderId}`, { status: 404 });
    const timeline = await readTimeline(deps.db, orderId);
    return c.json({ ...summaryOf(order), timeline: timeline.map((entry) => ({ ...entry, time: entry.time.toISOString() })) });
  });

  return app;
}

function summaryOf(order: OrderRow) {
  const { id: orderId, status, reason, items, totalAmount, currency } = order;
  return { orderId, status, ...(reason ? { reason } : {}), items, totalAmount, currency };
}

function idempotencyKeyOf(c: Context): string | undefined {
  const key = c.req.header("idempotency-key");
  // A header may carry bytes 0x80–0xFF (read as C1 controls and Latin-1): the same text rules as a body.
  if (key !== undefined && (key.length === 0 || key.length > 200 || !isPlainText(key))) {
    throw new AppError("request.invalid", "Idempotency-Key must be 1 to 200 characters of plain text", {
      status: 400,
      issues: [{ field: "Idempotency-Key", message: "1 to 200 characters, no control or bidi characters" }],
    });
  }
  return key;
}

/** 409 problem: what changed, by line, and the catalogue's current price of each (an RFC 9457 extension member). */
function priceChanged(c: Context, { priceChanged: currentPrices, issues }: Extract<PlaceOrderResult, { priceChanged: unknown }>) {
  const problem = {
    type: "about:blank",
    title: "Conflict",
    status: 409,
    code: "order.price_changed",
    detail: "a price changed; order again with the current prices (or without unitPrice)",
    errors: issues,
    currentPrices,
  };
  return c.json(problem, 409, { "content-type": "application/problem+json" });
}
