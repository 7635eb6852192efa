import { type Decision, reject } from "../../../lib/domain/index.ts";
import type { DataOf } from "../../../lib/events/index.ts";
import type { InventoryEvent } from "./events.ts";
import type { InventoryState } from "./state.ts";

export type ReleaseRefused = { type: "release-refused"; refusal: DataOf<"com.example.shipment.refused"> };

/**
 * shipment.refused → shipping will never ship the order, so its stock goes back on the shelf:
 * stock.released (reason expired), and payment refunds. Released already: nothing more. Shipped:
 * shipping promised it decides once per order, so this is refused and logged for a person.
 */
export function releaseRefused({ refusal }: ReleaseRefused, state: InventoryState): Decision<InventoryEvent> {
  const reservation = state.reservations.get(refusal.orderId);
  if (!reservation) return reject("inventory.no_reservation", `shipment.refused for order ${refusal.orderId}, which has no reservation`);
  switch (reservation.status) {
    case "reserved":
    case "expiring": {
      const { id: reservationId, orderId, userId } = reservation;
      const items = reservation.items.map(({ productId, quantity }) => ({ productId, quantity }));
      return [{ type: "com.example.stock.released", data: { reservationId, orderId, userId, items, reason: "expired" } }];
    }
    case "expired":
      return [];
    case "shipped":
    case "shipped_unbacked":
      return reject("inventory.shipped_and_refused", `shipment.refused for order ${refusal.orderId}, whose reservation has shipped: nothing released`);
    default: {
      const unreachable: never = reservation.status;
      return unreachable;
    }
  }
}
