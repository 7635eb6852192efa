import { describe, test } from "bun:test";
import type { CancellationReason, DataOf } from "../../../lib/events/index.ts";
import { dataFor, deciderSpec, eventFor, testTime } from "../../../lib/testing/index.ts";
import { type OrderEvent, orderDecider } from "./order.ts";
import type { FollowedEvent, OrderStatus } from "./order-status.ts";

const orderId = "o-1";
const created: OrderEvent = { type: "com.example.order.created", data: dataFor("com.example.order.created", orderId), at: testTime };
const { userId } = created.data;
const moved = (status: "paid" | "reserved" | "shipped"): OrderEvent[] => [{ type: "order.moved", status }];
const cancelled = (reason: CancellationReason): OrderEvent[] => [{ type: "com.example.order.cancelled", data: { orderId, userId, reason } }];
const nothing: OrderEvent[] = [];
const order = (status: OrderStatus, reason: CancellationReason | null = null) => ({ status, orderId, userId, reason });

type FollowedType = FollowedEvent["type"];
const incoming = <T extends FollowedType>(type: T, data?: Partial<DataOf<T>>) => eventFor(type, orderId, { data }) as FollowedEvent;

const historyOf: Record<OrderStatus, OrderEvent[]> = {
  pending: [created],
  paid: [created, ...moved("paid")],
  reserved: [created, ...moved("paid"), ...moved("reserved")],
  shipped: [created, ...moved("paid"), ...moved("reserved"), ...moved("shipped")],
  cancelled: [created, ...cancelled("payment_failed")],
};
const statuses = Object.keys(historyOf) as OrderStatus[];

/**
 * What each event decides from each status, in the order of `statuses`: forward moves, every
 * cancellation while the order is open, and nothing from a terminal order or for a late event.
 * (dataFor's payment.refunded carries reason out_of_stock.)
 */
const rules: Record<FollowedType, OrderEvent[][]> = {
  "com.example.payment.completed": [moved("paid"), nothing, nothing, nothing, nothing],
  "com.example.payment.failed": [cancelled("payment_failed"), cancelled("payment_failed"), cancelled("payment_failed"), nothing, nothing],
  "com.example.payment.refunded": [cancelled("out_of_stock"), cancelled("out_of_stock"), cancelled("out_of_stock"), nothing, nothing],
  "com.example.stock.reserved": [moved("reserved"), moved("reserved"), nothing, nothing, nothing],
  "com.example.stock.insufficient": [nothing, nothing, nothing, nothing, nothing],
  "com.example.stock.released": [nothing, nothing, nothing, nothing, nothing],
  "com.example.shipment.created": [moved("shipped"), moved("shipped"), moved("shipped"), nothing, nothing],
};
const nameOf = (events: OrderEvent[]) =>
  events.map((e) => (e.type === "order.moved" ? e.status : e.type === "com.example.order.cancelled" ? `cancelled (${e.data.reason})` : e.type)).join() || "nothing";
const cases = Object.entries(rules).flatMap(([type, outcomes]) =>
  statuses.map((from, i) => ({ type: type as FollowedType, from, expected: outcomes[i]!, name: nameOf(outcomes[i]!) })),
);

const spec = deciderSpec(orderDecider);

describe("order state machine", () => {
  test.each(cases)("$type on a $from order → $name", ({ type, from, expected }) => {
    spec.given(historyOf[from]).when(incoming(type)).then(expected);
  });

  test("the happy path ends shipped", () => {
    spec.given(historyOf.reserved).when(incoming("com.example.shipment.created")).thenState(order("shipped"));
  });

  test("a shortage cancels only once the refund is done, with out_of_stock", () => {
    spec.given(historyOf.paid).when(incoming("com.example.stock.insufficient")).thenNothing();
    spec.given(historyOf.paid).when(incoming("com.example.payment.refunded")).thenState(order("cancelled", "out_of_stock"));
  });

  test("an expired reservation cancels once the refund is done, with reservation_expired", () => {
    spec.given(historyOf.reserved).when(incoming("com.example.stock.released")).thenNothing();
    spec
      .given(historyOf.reserved)
      .when(incoming("com.example.payment.refunded", { reason: "reservation_expired" }))
      .then(cancelled("reservation_expired"));
  });

  test("a cancellation emits order.cancelled once: a second cause changes nothing", () => {
    spec.given(historyOf.pending).when(incoming("com.example.payment.failed")).then(cancelled("payment_failed"));
    spec.given(historyOf.cancelled).when(incoming("com.example.payment.refunded")).thenNothing();
    spec.given(historyOf.cancelled).when(incoming("com.example.payment.refunded")).thenState(order("cancelled", "payment_failed"));
  });

  test("an event for an order never placed is refused (the handler records it and warns)", () => {
    spec.given([]).when(incoming("com.example.payment.completed")).thenRejects("order.not_found");
  });
});
