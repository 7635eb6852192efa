import { describe, expect, test } from "bun:test";
import { at, expiryCheck, graceMs, reservation, reserveFor, shipmentOf, stock, ttlMs } from "./given.ts";
import { decideInTurn } from "./inventory.ts";
import { inventoryOf } from "./state.ts";

/** Several inputs against one loaded state: how a handler decides a whole batch. */
describe("decideInTurn", () => {
  test("two orders for the last unit: the first is reserved, the second finds nothing free", () => {
    const last = [{ productId: "p-a", quantity: 1 }];
    const decided = decideInTurn([reserveFor("o-1", last), reserveFor("o-2", last)], inventoryOf([stock("p-a", 1)]));
    expect(decided.events).toMatchObject([
      { type: "com.example.stock.reserved", data: { orderId: "o-1" } },
      { type: "com.example.stock.insufficient", data: { orderId: "o-2", missing: [{ productId: "p-a", requested: 1, available: 0 }] } },
    ]);
    expect(decided.state.products.get("p-a")).toEqual(stock("p-a", 1, 1));
  });

  test("a sweep releases every due reservation; a refusal stops nothing else", () => {
    const one = [{ productId: "p-a", quantity: 1 }];
    const state = inventoryOf([stock("p-a", 5, 2)], [reservation("o-1", one), reservation("o-2", one)]);
    const due = at(ttlMs + graceMs + 1);
    const decided = decideInTurn([expiryCheck("o-1", due), shipmentOf("o-unknown"), expiryCheck("o-2", due)], state);
    expect(decided.events.map((event) => event.type)).toEqual(["com.example.stock.released", "com.example.stock.released"]);
    expect(decided.rejections.map((rejection) => rejection.rejected)).toEqual(["inventory.no_reservation"]);
    expect(decided.state.products.get("p-a")).toEqual(stock("p-a", 5, 0));
  });
});
