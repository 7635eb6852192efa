import { describe, test } from "bun:test";
import { deciderSpec } from "../../../lib/testing/index.ts";
import { refusalOf, reservation, stock } from "./given.ts";
import { inventory } from "./inventory.ts";
import { inventoryOf, type Line } from "./state.ts";

const spec = deciderSpec(inventory);
const three: Line[] = [{ productId: "p-a", quantity: 3 }];
const released = {
  type: "com.example.stock.released",
  data: { reservationId: "res-o-1", orderId: "o-1", userId: "user-of-o-1", items: three, reason: "expired" },
} as const;

describe("release: shipping refused the reservation", () => {
  test.each(["reserved", "expiring"] as const)("a %s reservation gives its stock back with stock.released, so payment refunds", (status) => {
    const state = inventoryOf([stock("p-a", 4, 3)], [reservation("o-1", three, status)]);
    spec.given({ state }).when(refusalOf("o-1")).then([released]);
    spec.given({ state }).when(refusalOf("o-1")).thenState(inventoryOf([stock("p-a", 4, 0)], [reservation("o-1", three, "expired")]));
  });

  test("released already: nothing more", () => {
    spec.given({ state: inventoryOf([stock("p-a", 4)], [reservation("o-1", three, "expired")]) }).when(refusalOf("o-1")).thenNothing();
  });

  test.each(["shipped", "shipped_unbacked"] as const)("a %s reservation is never given back: refused, for a person", (status) => {
    spec.given({ state: inventoryOf([stock("p-a", 1)], [reservation("o-1", three, status)]) }).when(refusalOf("o-1")).thenRejects("inventory.shipped_and_refused");
  });

  test("no reservation: refused, nothing moves", () => {
    spec.given({ state: inventoryOf([stock("p-a", 4)]) }).when(refusalOf("o-1")).thenRejects("inventory.no_reservation");
  });
});
