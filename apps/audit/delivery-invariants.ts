import type { AuditState } from "./audit-state.ts";
import { type Breach, breachOf } from "./breach.ts";

/**
 * A shipped order has exactly one shipment, and an order that did not ship has none; and no order
 * is both shipped and refused by shipping (the one place that decides between the two).
 */
export function oneShipment(state: AuditState): Breach[] {
  const breach = breachOf("one-shipment");
  const shipments = countBy(state.shipments.map((shipment) => shipment.orderId));
  const refused = new Set(state.refusals.map((refusal) => refusal.orderId));
  return state.orders.flatMap((order) => {
    const found = shipments.get(order.id) ?? 0;
    const expected = order.status === "shipped" ? 1 : 0;
    return [
      ...(found === expected ? [] : [breach(`order ${order.id}`, `${found} shipments (status ${order.status})`, String(expected))]),
      ...(found > 0 && refused.has(order.id) ? [breach(`order ${order.id}`, "a shipment and a refusal", "one or the other")] : []),
    ];
  });
}

/**
 * No customer is told the same step of the same order twice: one notification row per order and
 * type (the key is built from both, so this holds by construction unless a key is built
 * otherwise), and in the recording notifier's log no key delivered twice.
 */
export function noDuplicateNotification(state: AuditState): Breach[] {
  const breach = breachOf("no-duplicate-notification");
  const perStep = countBy(state.notifications.map((n) => `${n.type} for order ${n.orderId}`));
  const delivered = countBy((state.notificationLog ?? []).filter((send) => !send.duplicate).map((send) => send.idempotencyKey));
  return [
    ...[...perStep].filter(([, rows]) => rows > 1).map(([step, rows]) => breach(`notification ${step}`, `${rows} rows`, "1")),
    ...[...delivered].filter(([, sends]) => sends > 1).map(([key, sends]) => breach(`notification ${key}`, `delivered ${sends} times`, "once")),
  ];
}

/** After quiescence every outbox is drained: each row it holds was published. */
export function outboxesDrained(state: AuditState): Breach[] {
  const breach = breachOf("outboxes-drained");
  return state.outboxes
    .filter((outbox) => outbox.unpublished > 0)
    .map((outbox) => breach(`outbox ${outbox.schema}`, `${outbox.unpublished} unpublished`, "0"));
}

function countBy(keys: readonly string[]): Map<string, number> {
  const counts = new Map<string, number>();
  for (const key of keys) counts.set(key, (counts.get(key) ?? 0) + 1);
  return counts;
}
