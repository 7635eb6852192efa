import { Hono } from "hono";
import * as v from "valibot";
import { type AuthEnv, authenticated, query, staffOnly } from "../../../lib/http/index.ts";
import type { OrderDeps } from "../deps.ts";
import { orderStatuses } from "../domain/order-status.ts";
import { listOrdersByStatus, type OrderRow } from "../store/orders.ts";
import { cursorAfter, defaultPageSize, pageQuery, positionOf } from "./order-pages.ts";

/** `GET /admin/orders?status=&limit=&cursor=`: one status is required, paged like a customer's own list. */
const adminPageQuery = v.object({ status: v.picklist(orderStatuses, `one of ${orderStatuses.join(", ")}`), ...pageQuery.entries });

/**
 * Staff's view across customers: the orders of one status, newest first. Above all
 * `?status=needs_attention`, the orders the saga could not finish on its own, each with why, what
 * the gateway said last and since when it waits for a person.
 */
export function adminOrderRoutes(deps: OrderDeps): Hono<AuthEnv> {
  const app = new Hono<AuthEnv>();
  app.get("/admin/orders", authenticated(deps.security.verifyToken), staffOnly, query(adminPageQuery), async (c) => {
    const { status, limit = defaultPageSize, cursor } = c.req.valid("query");
    const rows = await listOrdersByStatus(deps.db, status, limit + 1, cursor === undefined ? undefined : positionOf(cursor));
    const page = rows.slice(0, limit);
    const next = rows.length > limit ? cursorAfter(page.at(-1)!) : null;
    return c.json({ orders: page.map(staffViewOf), next });
  });
  return app;
}

function staffViewOf(order: OrderRow) {
  const { id: orderId, userId, status, reason, attentionDetail, attentionSince, totalAmount, currency, createdAt, updatedAt } = order;
  return {
    orderId,
    userId,
    status,
    ...(reason ? { reason } : {}),
    ...(attentionDetail ? { detail: attentionDetail } : {}),
    ...(attentionSince ? { since: attentionSince.toISOString() } : {}),
    totalAmount,
    currency,
    createdAt: createdAt.toISOString(),
    updatedAt: updatedAt.toISOString(),
  };
}
