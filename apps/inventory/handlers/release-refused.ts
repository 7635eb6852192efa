import type { EventOf } from "../../../lib/events/index.ts";
import type { Outcome } from "../../../lib/http/index.ts";
import { claimEvent } from "../../../lib/outbox/index.ts";
import type { InventoryDeps } from "../deps.ts";
import { decideInTurn } from "../domain/inventory.ts";
import { inventoryOf } from "../domain/state.ts";
import { findReservation } from "../store/reservations.ts";
import { processedEvents } from "../store/schema.ts";
import { lockStock } from "../store/stock.ts";
import { alertOnDecided } from "./alerts.ts";
import { applyDecided } from "./apply-decided.ts";

/**
 * shipment.refused → the reservation's stock goes back and stock.released tells payment to refund
 * (domain/release.ts). The reservation is locked first, then its products, in the same order as
 * every other handler.
 */
export async function releaseRefused(deps: InventoryDeps, event: EventOf<"com.example.shipment.refused">): Promise<Outcome> {
  return deps.db.transaction(async (tx) => {
    if (!(await claimEvent(tx, processedEvents, event))) return "duplicate";
    const reservation = await findReservation(tx, event.data.orderId, { lock: true });
    const stock = await lockStock(tx, reservation?.items.map((item) => item.productId) ?? []);
    const decided = decideInTurn([{ type: "release-refused", refusal: event.data }], inventoryOf(stock, reservation ? [reservation] : []));
    alertOnDecided(deps, event, decided);
    await applyDecided(tx, deps, decided, { now: deps.clock.now(), cause: event });
    return "processed";
  });
}
