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
  test("a reservation held past expiresAt + grace asks shipping to settle it (stock.expired); the stock stays held", () => {
    spec
      .given({ state: held })
      .when(expiryCheck("o-1", due))
      .then([{ type: "com.example.stock.expired", data: { reservationId: "res-o-1", orderId: "o-1", userId: "user-of-o-1", expiresAt: at(ttlMs).toISOString() } }]);
    spec.given({ state: held }).when(expiryCheck("o-1", due)).thenState(inventoryOf([stock("p-a", 4, 3)], [reservation("o-1", three, "expiring")]));
  });

  test.each([
    ["at expiresAt", ttlMs],
    ["inside the grace", ttlMs + graceMs - 1],
    ["at the end of the grace", ttlMs + graceMs],
  ])("%s it still holds", (_name, elapsed) => {
    spec.given({ state: held }).when(expiryCheck("o-1", at(elapsed))).thenNothing();
  });

  test("a process that was down waits the grace from its start: the answers may be in its backlog", () => {
    const upSince = at(ttlMs + 60 * graceMs);
    spec.given({ state: held }).when(expiryCheck("o-1", new Date(upSince.getTime() + graceMs), upSince)).thenNothing();
    spec.given({ state: held }).when(expiryCheck("o-1", new Date(upSince.getTime() + graceMs + 1), upSince)).then([
      { type: "com.example.stock.expired", data: { reservationId: "res-o-1", orderId: "o-1", userId: "user-of-o-1", expiresAt: at(ttlMs).toISOString() } },
    ]);
  });

  test.each(["expiring", "shipped", "shipped_unbacked", "expired"] as const)("a %s reservation is not asked about", (status) => {
    spec
      .given({ state: inventoryOf([stock("p-a", 4)], [reservation("o-1", three, status)]) })
      .when(expiryCheck("o-1", due))
      .thenNothing();
  });

  test("an order without a reservation has nothing to expire", () => {
    spec.given({ state: inventoryOf([stock("p-a", 4)]) }).when(expiryCheck("o-1", due)).thenNothing();
  });
});
