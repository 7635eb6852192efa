import { describe, expect, test } from "bun:test";
import { at, expiryCheck, graceMs, refusalOf, reservation, reserveFor, shipmentOf, stock, ttlMs } from "./given.ts";
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

  test("a sweep asks about every due reservation; a refusal stops nothing else", () => {
    const one = [{ productId: "p-a", quantity: 1 }];
    const state = inventoryOf([stock("p-a", 5, 2)], [reservation("o-1", one), reservation("o-2", one)]);
    const due = at(ttlMs + graceMs + 1);
    const decided = decideInTurn([expiryCheck("o-1", due), shipmentOf("o-unknown"), expiryCheck("o-2", due)], state);
    expect(decided.events.map((event) => event.type)).toEqual(["com.example.stock.expired", "com.example.stock.expired"]);
    expect(decided.rejections.map((rejection) => rejection.rejected)).toEqual(["inventory.no_reservation"]);
    // Asking gives nothing back: the units stay held until shipping refuses.
    expect(decided.state.products.get("p-a")).toEqual(stock("p-a", 5, 2));
  });

  test("expiry, then shipping's answer: refused gives the stock back, shipped takes it from the reservation", () => {
    const one = [{ productId: "p-a", quantity: 1 }];
    const state = inventoryOf([stock("p-a", 5, 2)], [reservation("o-1", one), reservation("o-2", one)]);
    const due = at(ttlMs + graceMs + 1);
    const decided = decideInTurn([expiryCheck("o-1", due), expiryCheck("o-2", due), refusalOf("o-1"), shipmentOf("o-2")], state);
    expect(decided.events.map((event) => event.type)).toEqual(["com.example.stock.expired", "com.example.stock.expired", "com.example.stock.released", "inventory.shipment.committed"]);
    expect(decided.state.products.get("p-a")).toEqual(stock("p-a", 4, 0));
    expect([...decided.state.reservations.values()].map((r) => r.status)).toEqual(["expired", "shipped"]);
  });
});
