import { describe, test } from "bun:test";
import { deciderSpec } from "../../../lib/testing/index.ts";
import { at, expiryCheck, graceMs, refusalOf, reservation, reserveFor, shipmentOf, stock, ttlMs } from "./given.ts";
import { decideInTurn, inventory, type InventoryInput } from "./inventory.ts";
import type { InventoryEvent } from "./events.ts";
import { inventoryOf, type Line } from "./state.ts";

const spec = deciderSpec(inventory);
const two: Line[] = [{ productId: "p-a", quantity: 2 }];

function committed(status: "shipped" | "shipped_unbacked", sources: Partial<Record<"fromReserved" | "fromFree" | "unbacked", Line[]>>): InventoryEvent {
  return { type: "inventory.shipment.committed", reservationId: "res-o-1", orderId: "o-1", status, fromReserved: [], fromFree: [], unbacked: [], ...sources };
}

/**
 * Reserved, then released (the units went back on the shelf), then `more`. Shipping never ships
 * what it refused; a reservation released before shipping decided expiries could still ship.
 */
function afterExpiry(available: number, ...more: InventoryInput[]) {
  const inputs = [reserveFor("o-1", two), expiryCheck("o-1", at(ttlMs + graceMs + 1)), refusalOf("o-1"), ...more];
  return decideInTurn(inputs, inventoryOf([stock("p-a", available)])).state;
}

describe("commit: shipment.created", () => {
  test("a held reservation ships: its units leave available and reserved", () => {
    const state = inventoryOf([stock("p-a", 5, 3)], [reservation("o-1", two)]);
    spec.given({ state }).when(shipmentOf("o-1")).then([committed("shipped", { fromReserved: two })]);
    spec.given({ state }).when(shipmentOf("o-1")).thenState(inventoryOf([stock("p-a", 3, 1)], [reservation("o-1", two, "shipped")]));
  });

  test("past expiresAt but inside the grace, the reservation still holds and ships from it", () => {
    const state = inventoryOf([stock("p-a", 2, 2)], [reservation("o-1", two, "reserved", at(-1))]);
    spec.given({ state }).when(shipmentOf("o-1")).then([committed("shipped", { fromReserved: two })]);
  });

  test("expiring (shipping was asked to settle it, and had shipped): it still holds, and ships from it", () => {
    const state = decideInTurn([reserveFor("o-1", two), expiryCheck("o-1", at(ttlMs + graceMs + 1))], inventoryOf([stock("p-a", 5)])).state;
    spec.given({ state }).when(shipmentOf("o-1")).then([committed("shipped", { fromReserved: two })]);
    spec.given({ state }).when(shipmentOf("o-1")).thenState(inventoryOf([stock("p-a", 3, 0)], [reservation("o-1", two, "shipped")]));
  });

  test("after expiry, the units come out of free stock", () => {
    const state = afterExpiry(5);
    spec.given({ state }).when(shipmentOf("o-1")).then([committed("shipped", { fromFree: two })]);
    spec.given({ state }).when(shipmentOf("o-1")).thenState(inventoryOf([stock("p-a", 3, 0)], [reservation("o-1", two, "shipped")]));
  });

  test("after expiry with the free stock gone, nothing is taken and the reservation is shipped_unbacked", () => {
    const state = afterExpiry(2, reserveFor("o-2", two));
    spec.given({ state }).when(shipmentOf("o-1")).then([committed("shipped_unbacked", { unbacked: two })]);
    spec
      .given({ state })
      .when(shipmentOf("o-1"))
      .thenState(inventoryOf([stock("p-a", 2, 2)], [reservation("o-1", two, "shipped_unbacked"), reservation("o-2", two)]));
  });

  test("after expiry, each item is taken whole if free stock covers it; the rest is unbacked", () => {
    const items: Line[] = [{ productId: "p-a", quantity: 2 }, { productId: "p-b", quantity: 2 }];
    const state = inventoryOf([stock("p-a", 5, 0), stock("p-b", 3, 2)], [reservation("o-1", items, "expired")]);
    spec.given({ state }).when(shipmentOf("o-1")).then([committed("shipped_unbacked", { fromFree: [items[0]!], unbacked: [items[1]!] })]);
    spec.given({ state }).when(shipmentOf("o-1")).thenState(inventoryOf([stock("p-a", 3, 0), stock("p-b", 3, 2)], [reservation("o-1", items, "shipped_unbacked")]));
  });

  test.each(["shipped", "shipped_unbacked"] as const)("a %s reservation does not ship twice", (status) => {
    spec.given({ state: inventoryOf([stock("p-a", 5)], [reservation("o-1", two, status)]) }).when(shipmentOf("o-1")).thenNothing();
  });

  test("without a reservation nothing moves, and the refusal says why", () => {
    spec.given({ state: inventoryOf([stock("p-a", 5)]) }).when(shipmentOf("o-1")).thenRejects("inventory.no_reservation");
  });
});
