import type { Executor } from "../../../lib/db/index.ts";
import { isRejection } from "../../../lib/domain/index.ts";
import { newEvent } from "../../../lib/events/index.ts";
import type { Outcome } from "../../../lib/http/index.ts";
import { eventFields } from "../../../lib/log/index.ts";
import { claimEvent, enqueue } from "../../../lib/outbox/index.ts";
import type { ShippingDeps } from "../deps.ts";
import { type ShippingEvent, shippingDecider } from "../domain/shipment.ts";
import { insertRefusal, insertShipment, loadShipmentState } from "../store/shipments.ts";
import { outbox, processedEvents } from "../store/schema.ts";
import { type Incoming, inputOf } from "./apply-batch.ts";


/**
 * stock.reserved (ship it) or stock.expired (let it go) → shipping's one decision for the order, in
 * one transaction: claim the event, lock and load the order, decide, write the shipment or the
 * refusal and its event. Whichever of the two comes first wins; the other finds it decided.
 */
export async function settleOrder(deps: ShippingDeps, event: Incoming): Promise<Outcome> {
  return deps.db.transaction(async (tx) => {
    if (!(await claimEvent(tx, processedEvents, event))) return "duplicate";
    const state = await loadShipmentState(tx, event.data.orderId);
    const decision = shippingDecider.decide(inputOf(deps, event), state);
    if (isRejection(decision)) {
      deps.log.warn({ ...eventFields(event), ...decision }, "shipping: nothing decided");
      return "processed";
    }
    if (decision.length === 0) return "duplicate";
    for (const decided of decision) {
      if (!(await write(tx, decided))) return "duplicate";
      if (decided.type === "com.example.shipment.refused") deps.log.info({ ...eventFields(event), reason: decided.data.reason }, "shipping: refused; the stock goes back");
      await enqueue(tx, outbox, [newEvent(decided.type, decided.data, { id: deps.ids.next(), time: decided.at, cause: event })]);
    }
    return "processed";
  });
}

function write(tx: Executor, decided: ShippingEvent): Promise<boolean> {
  return decided.type === "com.example.shipment.created" ? insertShipment(tx, decided) : insertRefusal(tx, decided);
}
