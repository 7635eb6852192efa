import type { AuditState } from "./audit-state.ts";
import { type Breach, breachOf } from "./breach.ts";

type Money = { charged: number; refunded: number };

/** Per order, from the gateway's ledger: what succeeded charges took, and what their refunds gave back. */
export function moneyPerOrder(state: AuditState): Map<string, Money> {
  const orderOfCharge = new Map<string, string>();
  const money = new Map<string, Money>();
  const of = (orderId: string) => money.get(orderId) ?? money.set(orderId, { charged: 0, refunded: 0 }).get(orderId)!;
  for (const charge of state.charges) {
    if (charge.status !== "succeeded") continue;
    orderOfCharge.set(charge.id, charge.orderId);
    of(charge.orderId).charged += charge.amount;
  }
  for (const refund of state.refunds) {
    const orderId = orderOfCharge.get(refund.chargeId);
    if (orderId) of(orderId).refunded += refund.amount;
  }
  return money;
}

/**
 * Charged minus refunded is the total (a shipped order) or 0 (a cancelled one); an order in any
 * other state holds either, never a part or more than its total.
 */
export function chargedMinusRefunded(state: AuditState): Breach[] {
  const breach = breachOf("charged-minus-refunded");
  const money = moneyPerOrder(state);
  return state.orders.flatMap((order) => {
    const { charged, refunded } = money.get(order.id) ?? { charged: 0, refunded: 0 };
    const net = charged - refunded;
    const expected = order.status === "shipped" ? [order.totalAmount] : order.status === "cancelled" ? [0] : [0, order.totalAmount];
    if (expected.includes(net)) return [];
    const found = `charged ${charged} − refunded ${refunded} = ${net} (status ${order.status})`;
    return [breach(`order ${order.id}`, found, expected.join(" or "))];
  });
}

/** Goods that left (a shipped order, or a shipment recorded) and money given back never go together. */
export function neverShippedAndRefunded(state: AuditState): Breach[] {
  const breach = breachOf("never-shipped-and-refunded");
  const money = moneyPerOrder(state);
  const withShipment = new Set(state.shipments.map((shipment) => shipment.orderId));
  return state.orders.flatMap((order) => {
    const refunded = money.get(order.id)?.refunded ?? 0;
    const shipped = order.status === "shipped" || withShipment.has(order.id);
    return shipped && refunded > 0 ? [breach(`order ${order.id}`, `shipped and refunded ${refunded}`, "no refund for a shipped order")] : [];
  });
}
