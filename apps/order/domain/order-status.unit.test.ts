import { describe, expect, test } from "bun:test";
import type { AttentionReason, CancellationReason, DataOf } from "../../../lib/events/index.ts";
import { dataFor, deciderSpec, eventFor, testTime } from "../../../lib/testing/index.ts";
import { type OrderEvent, orderDecider } from "./order.ts";
import { type FollowedEvent, legalMoves, mayMove, orderStatuses, type OrderStatus } from "./order-status.ts";

const orderId = "o-1";
const created: OrderEvent = { type: "com.example.order.created", data: dataFor("com.example.order.created", orderId), at: testTime };
const { userId } = created.data;
const moved = (status: "paid" | "reserved" | "shipped"): OrderEvent[] => [{ type: "order.moved", status }];
const cancelled = (reason: CancellationReason): OrderEvent[] => [{ type: "com.example.order.cancelled", data: { orderId, userId, reason } }];
const escalation = dataFor("com.example.payment.escalated", orderId);
const attention = (reason: AttentionReason = "charge_unresolved"): OrderEvent[] => [
  { type: "order.needs_attention", reason, detail: escalation.detail, since: testTime },
];
const nothing: OrderEvent[] = [];
const order = (status: OrderStatus, reason: CancellationReason | AttentionReason | null = null) => ({ status, orderId, userId, reason });

type FollowedType = FollowedEvent["type"];
const incoming = <T extends FollowedType>(type: T, data?: Partial<DataOf<T>>) => eventFor(type, orderId, { data }) as FollowedEvent;

const historyOf: Record<OrderStatus, OrderEvent[]> = {
  pending: [created],
  paid: [created, ...moved("paid")],
  reserved: [created, ...moved("paid"), ...moved("reserved")],
  shipped: [created, ...moved("paid"), ...moved("reserved"), ...moved("shipped")],
  cancelled: [created, ...cancelled("payment_failed")],
  needs_attention: [created, ...attention()],
};
const statuses = Object.keys(historyOf) as OrderStatus[];

/**
 * What each event decides from each status, in the order of `statuses` (pending, paid, reserved,
 * shipped, cancelled, needs_attention): forward moves, every cancellation or escalation while the
 * order is open, and nothing from an end or for a late event. (dataFor's payment.refunded carries
 * reason out_of_stock, its payment.escalated charge_unresolved.)
 */
const rules: Record<FollowedType, OrderEvent[][]> = {
  "com.example.payment.completed": [moved("paid"), nothing, nothing, nothing, nothing, nothing],
  "com.example.payment.failed": [cancelled("payment_failed"), cancelled("payment_failed"), cancelled("payment_failed"), nothing, nothing, nothing],
  "com.example.payment.refunded": [cancelled("out_of_stock"), cancelled("out_of_stock"), cancelled("out_of_stock"), nothing, nothing, nothing],
  "com.example.payment.escalated": [attention(), attention(), attention(), nothing, nothing, nothing],
  "com.example.stock.reserved": [moved("reserved"), moved("reserved"), nothing, nothing, nothing, nothing],
  "com.example.stock.insufficient": [nothing, nothing, nothing, nothing, nothing, nothing],
  "com.example.stock.released": [nothing, nothing, nothing, nothing, nothing, nothing],
  "com.example.shipment.created": [moved("shipped"), moved("shipped"), moved("shipped"), nothing, nothing, nothing],
};
const nameOf = (events: OrderEvent[]) =>
  events
    .map((e) =>
      e.type === "order.moved" ? e.status
      : e.type === "com.example.order.cancelled" ? `cancelled (${e.data.reason})`
      : e.type === "order.needs_attention" ? `needs_attention (${e.reason})`
      : e.type,
    )
    .join() || "nothing";
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

  test("a payment that cannot finish puts an open order in a person's hands, with why and since when", () => {
    spec.given(historyOf.pending).when(incoming("com.example.payment.escalated")).thenState(order("needs_attention", "charge_unresolved"));
    spec.given(historyOf.reserved).when(incoming("com.example.payment.escalated", { reason: "refund_failed" })).then(attention("refund_failed"));
  });

  test("an order that needs attention is an end for the flow: a late event changes nothing", () => {
    for (const type of Object.keys(rules) as FollowedType[]) spec.given(historyOf.needs_attention).when(incoming(type)).thenNothing();
    spec.given(historyOf.needs_attention).when(incoming("com.example.payment.refunded")).thenState(order("needs_attention", "charge_unresolved"));
  });

  test("an event for an order never placed is refused (the handler records it and warns)", () => {
    spec.given([]).when(incoming("com.example.payment.completed")).thenRejects("order.not_found");
  });
});

describe("the transition table", () => {
  const open: OrderStatus[] = ["pending", "paid", "reserved"];
  const ends: OrderStatus[] = ["shipped", "cancelled", "needs_attention"];

  test("every status has its row, and every move stays inside the statuses", () => {
    expect(Object.keys(legalMoves).sort()).toEqual([...orderStatuses].sort());
    for (const targets of Object.values(legalMoves)) for (const to of targets) expect(orderStatuses).toContain(to);
  });

  test.each(open)("from %s: forward, cancelled or needs_attention; never back, never to itself", (from) => {
    const rank = (status: OrderStatus) => open.indexOf(status);
    for (const to of orderStatuses) {
      const expected = to === "cancelled" || to === "needs_attention" || to === "shipped" || (open.includes(to) && rank(to) > rank(from));
      expect([to, mayMove(from, to)]).toEqual([to, expected]);
    }
  });

  test.each(ends)("%s is an end: no move out of it", (from) => {
    for (const to of orderStatuses) expect(mayMove(from, to)).toBe(false);
  });
});
