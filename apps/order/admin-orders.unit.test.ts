import { beforeAll, describe, expect, test } from "bun:test";
import { answerOf, deliver, eventFor, orderBody, problemFields, problemOf } from "../../lib/testing/index.ts";
import { orderApi } from "./api-world.ts";

/** GET /admin/orders?status=needs_attention: staff see every order the saga could not finish, with why and since when. */
const api = orderApi();
type Listed = { orderId: string; userId: string; status: string; reason?: string; detail?: string; since?: string };
type Page = { orders: Listed[]; next: string | null };
const staff = { as: "staff-1", role: "staff" } as const;

async function place(userId: string): Promise<string> {
  const response = await api.post(orderBody([{ productId: "sku-1", quantity: 1 }]), userId);
  expect(response.status).toBe(202);
  api.clock.advance(1000);
  return ((await response.json()) as { orderId: string }).orderId;
}
async function escalate(orderId: string, reason: "charge_unresolved" | "refund_failed") {
  const event = eventFor("com.example.payment.escalated", orderId, { data: { userId: "whoever", reason, detail: `the gateway said no (${reason})` } });
  expect(await answerOf(await deliver(api.app(), "order", event))).toBe("processed");
}
async function list(query: string): Promise<Page> {
  const response = await api.request(`/admin/orders${query}`, staff);
  expect(response.status).toBe(200);
  return (await response.json()) as Page;
}

let stuck: [string, string];
let pending: string;
beforeAll(async () => {
  await api.setPrice("sku-1", 900);
  stuck = [await place("u-a"), await place("u-b")];
  pending = await place("u-c");
  await escalate(stuck[0], "charge_unresolved");
  await escalate(stuck[1], "refund_failed");
}, 60_000);

describe("GET /admin/orders", () => {
  test("?status=needs_attention: every customer's order that waits for a person, newest first, with reason, detail and since", async () => {
    const { orders, next } = await list("?status=needs_attention");
    expect(orders.map((order) => order.orderId)).toEqual([stuck[1], stuck[0]]);
    expect(orders[0]).toMatchObject({ userId: "u-b", status: "needs_attention", reason: "refund_failed", detail: "the gateway said no (refund_failed)", since: "2026-11-25T10:00:00.000Z" });
    expect(orders[1]).toMatchObject({ userId: "u-a", reason: "charge_unresolved" });
    expect(next).toBeNull();
  });

  test("any other status lists its own orders; pages of `limit` follow `next`", async () => {
    expect((await list("?status=pending")).orders.map((order) => order.orderId)).toContain(pending);
    const first = await list("?status=needs_attention&limit=1");
    const second = await list(`?status=needs_attention&limit=1&cursor=${first.next}`);
    expect([...first.orders, ...second.orders].map((order) => order.orderId)).toEqual([stuck[1], stuck[0]]);
    expect(second.next).toBeNull();
  });

  test("the customer sees their order needing attention, with the reason but not the gateway's words", async () => {
    const response = await api.request(`/orders/${stuck[0]}`, { as: "u-a" });
    const order = (await response.json()) as Record<string, unknown>;
    expect(order).toMatchObject({ status: "needs_attention", reason: "charge_unresolved" });
    expect(order).not.toHaveProperty("detail");
  });

  test("staff only: a customer gets 403, no token 401", async () => {
    const customer = await api.request("/admin/orders?status=needs_attention", { as: "u-a" });
    expect([customer.status, (await problemOf(customer)).code]).toEqual([403, "auth.forbidden"]);
    expect((await api.request("/admin/orders?status=needs_attention")).status).toBe(401);
  });

  test.each([
    ["", "status"],
    ["?status=stuck", "status"],
    ["?status=needs_attention&limit=0", "limit"],
    ["?status=needs_attention&cursor=%%%", "cursor"],
  ])("%s → 400 problem naming %s", async (query, field) => {
    expect(await problemFields(await api.request(`/admin/orders${query}`, staff), 400)).toEqual([field]);
  });
});
