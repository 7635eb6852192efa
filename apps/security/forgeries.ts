import fc from "fast-check";
import { type DataOf, type EventType } from "../../lib/events/index.ts";
import { dataFor } from "../../lib/testing/index.ts";
import { validEvent } from "./event-inputs.ts";
import type { Target } from "./world.ts";

type Json = Record<string, unknown>;

/** A push an attacker would like applied: each would do harm if it were (issue: "forged events are applied"). */
export type Attack = { name: string; service: string; events: Json[] };

const forged = <T extends EventType>(type: T, id: string, orderId: string, data: Partial<DataOf<T>>) => ({
  ...validEvent(type, id, orderId),
  data: dataFor(type, orderId, data),
});

/**
 * The attacks of the issue, with generated ids, amounts and quantities: stock reserved and shipped
 * for an order never placed, a charge of 0, a message with the sender's link, a genuine order
 * cancelled or refunded by a stranger; plus a body that is not even JSON (the signature is checked
 * before anything reads the body).
 */
export function attack(target: Target, genuineOrders: readonly string[]): fc.Arbitrary<Attack> {
  const victim = genuineOrders.length ? fc.constantFrom(...genuineOrders) : fc.constant("o-sec-missing");
  const ids = fc.record({ id: fc.uuid(), order: fc.stringMatching(/^[a-z0-9]{8}$/), quantity: fc.integer({ min: 1, max: 5 }) });
  return fc.oneof(
    ids.map(({ id, order, quantity }) => ({
      name: "payment.completed for an order never placed (reserves and ships stock)",
      service: "inventory",
      events: [forged("com.example.payment.completed", `forged-${id}`, `o-forged-${order}`, { items: [{ productId: target.productId, quantity }] })],
    })),
    ids.map(({ id, order, quantity }) => {
      const event = forged("com.example.order.created", `forged-${id}`, `o-forged-${order}`, { totalAmount: 0 });
      (event.data as Json).items = [{ productId: target.productId, quantity, unitPrice: 0 }];
      return { name: "order.created with a price of 0 (a free charge)", service: "payment", events: [event] };
    }),
    fc.tuple(ids, victim).map(([{ id }, orderId]) => ({
      name: "shipment.created with a link of the sender's choosing",
      service: "notification",
      events: [forged("com.example.shipment.created", `forged-${id}`, orderId, { carrier: "https://evil.example/track", trackingNumber: "evil-1" })],
    })),
    fc.tuple(ids, victim).map(([{ id }, orderId]) => ({ name: "payment.failed for someone else's order", service: "order", events: [forged("com.example.payment.failed", `forged-${id}`, orderId, {})] })),
    fc.tuple(ids, victim).map(([{ id }, orderId]) => ({ name: "payment.refunded for someone else's order", service: "order", events: [forged("com.example.payment.refunded", `forged-${id}`, orderId, {})] })),
    ids.map(({ id, order }) => ({ name: "stock.reserved for an order never placed (ships it)", service: "shipping", events: [forged("com.example.stock.reserved", `forged-${id}`, `o-forged-${order}`, {})] })),
    fc.constant<Attack>({ name: "a body that is not JSON", service: "payment", events: [] }),
  );
}
