import { expect } from "bun:test";
import { terminalStatuses } from "./orders.ts";
import { bearerFor } from "./security.ts";
import { waitFor } from "./wait-for.ts";

/** The services whose public routes the end-to-end suites call. */
export type PublicService = "order" | "payment" | "inventory" | "shipping" | "notification";

/**
 * The flow's public API over HTTP, for the end-to-end suites that run it as processes (apps/dev's
 * flow-client.ts is its in-process twin): customers and staff with tokens signed by the test
 * secrets. `baseOf` is where a service's public routes are: its own port with one process per
 * service, the one port of a whole flow otherwise.
 */
export function httpFlowClient(baseOf: (service: PublicService) => string) {
  const call = (service: PublicService, path: string, init?: RequestInit) => fetch(`${baseOf(service)}${path}`, init);
  const asStaff = async () => ({ "content-type": "application/json", authorization: await bearerFor("staff-1", "staff") });
  /** Reads as staff: the suites look at every customer's orders. */
  const read = async (service: PublicService, path: string) => (await call(service, path, { headers: await asStaff() })).json() as Promise<any>;
  const put = async (service: PublicService, path: string, body: unknown) => {
    const response = await call(service, path, { method: "PUT", headers: await asStaff(), body: JSON.stringify(body) });
    expect(response.status).toBe(200);
  };
  /** The final message an order's customer gets: its shipment, or its cancellation. */
  const finalNotification = (order: { status: string }) => (order.status === "shipped" ? "com.example.shipment.created" : "com.example.order.cancelled");

  /** The orders when every one is terminal and its final notification is recorded; otherwise undefined. */
  async function settled(orderIds: string[]): Promise<any[] | undefined> {
    const orders = await Promise.all(orderIds.map((id) => read("order", `/orders/${id}`)));
    if (!orders.every((o) => terminalStatuses.has(o.status))) return undefined;
    const notified = await Promise.all(
      orders.map(async (o) => (await read("notification", `/notifications?orderId=${o.orderId}`)).notifications?.some((n: any) => n.type === finalNotification(o))),
    );
    return notified.every(Boolean) ? orders : undefined;
  }

  return {
    call,
    asStaff,
    read,
    put,
    /** Stock in inventory, and its price in order's catalogue. */
    async putStock(productId: string, available: number, unitPrice = 1000) {
      await put("inventory", `/inventory/${productId}`, { available });
      await put("order", `/products/${productId}`, { name: productId, unitPrice, currency: "JPY" });
    },
    /** POST /orders as `customer`; the order must be accepted (202). */
    async placeOrder(body: unknown, customer = "u-1"): Promise<string> {
      const headers = { "content-type": "application/json", authorization: await bearerFor(customer) };
      const response = await call("order", "/orders", { method: "POST", headers, body: JSON.stringify(body) });
      expect(response.status).toBe(202);
      return ((await response.json()) as { orderId: string }).orderId;
    },
    settled,
    /** Waits until every order is terminal and notified, and returns them. */
    settleAll: (orderIds: string[], timeoutMs = 120_000) =>
      waitFor(() => settled(orderIds), { timeoutMs, intervalMs: 200, what: `${orderIds.length} orders to settle and be notified` }),
  };
}

export type HttpFlowClient = ReturnType<typeof httpFlowClient>;
