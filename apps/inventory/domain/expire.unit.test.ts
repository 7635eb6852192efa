import { describe, test } from "bun:test";
import { deciderSpec } from "../../../lib/testing/index.ts";
import { at, expiryCheck, graceMs, reservation, stock, ttlMs } from "./given.ts";
import { inventory } from "./inventory.ts";
import { inventoryOf, type Line } from "./state.ts";

const spec = deciderSpec(inventory);
const three: Line[] = [{ productId: "p-a", quantity: 3 }];
const held = inventoryOf([stock("p-a", 4, 3)], [reservation("o-1", three)]);
const due = at(ttlMs + graceMs + 1);

describe("expire: time passes", () => {
  test("a reservation held past expiresAt + grace gives its stock back with stock.released", () => {
    spec
      .given({ state: held })
      .when(expiryCheck("o-1", due))
      .then([
        {
          type: "com.example.stock.released",
          data: { reservationId: "res-o-1", orderId: "o-1", userId: "user-of-o-1", items: three, reason: "expired" },
        },
      ]);
    spec.given({ state: held }).when(expiryCheck("o-1", due)).thenState(inventoryOf([stock("p-a", 4, 0)], [reservation("o-1", three, "expired")]));
  });

  test.each([
    ["at expiresAt", ttlMs],
    ["inside the grace", ttlMs + graceMs - 1],
    ["at the end of the grace", ttlMs + graceMs],
  ])("%s it still holds", (_name, elapsed) => {
    spec.given({ state: held }).when(expiryCheck("o-1", at(elapsed))).thenNothing();
  });

  test.each(["shipped", "shipped_unbacked", "expired"] as const)("a %s reservation is not released", (status) => {
    spec
      .given({ state: inventoryOf([stock("p-a", 4)], [reservation("o-1", three, status)]) })
      .when(expiryCheck("o-1", due))
      .thenNothing();
  });

  test("an order without a reservation has nothing to release", () => {
    spec.given({ state: inventoryOf([stock("p-a", 4)]) }).when(expiryCheck("o-1", due)).thenNothing();
  });
});
