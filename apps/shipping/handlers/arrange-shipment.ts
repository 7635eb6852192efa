import { isRejection } from "../../../lib/domain/index.ts";
import { type EventOf, newEvent } from "../../../lib/events/index.ts";
import type { Outcome } from "../../../lib/http/index.ts";
import { eventFields } from "../../../lib/log/index.ts";
import { claimEvent, enqueue } from "../../../lib/outbox/index.ts";
import type { ShippingDeps } from "../deps.ts";
import { shippingDecider } from "../domain/shipment.ts";
import { insertShipment, loadShipmentState } from "../store/shipments.ts";
import { outbox, processedEvents } from "../store/schema.ts";

/** stock.reserved → one shipment per order, and shipment.created, in one transaction: claim, load, decide, write. */
export async function arrangeShipment(deps: ShippingDeps, event: EventOf<"com.example.stock.reserved">): Promise<Outcome> {
  return deps.db.transaction(async (tx) => {
    if (!(await claimEvent(tx, processedEvents, event))) return "duplicate";
    const state = await loadShipmentState(tx, event.data.orderId);
    const decision = shippingDecider.decide({ reservation: event, now: deps.clock.now(), newId: deps.ids.next() }, state);
    if (isRejection(decision)) {
      deps.log.warn({ ...eventFields(event), ...decision }, "shipping: not shipped");
      return "processed";
    }
    if (decision.length === 0) return "duplicate";
    for (const created of decision) {
      // Two deliveries under different event ids may both have found no shipment: the unique order_id decides.
      if (!(await insertShipment(tx, created))) return "duplicate";
      await enqueue(tx, outbox, [newEvent("com.example.shipment.created", created.data, { id: deps.ids.next(), time: created.at, cause: event })]);
    }
    return "processed";
  });
}
