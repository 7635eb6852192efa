import { describe, test } from "bun:test";
import { deciderSpec, testAddress } from "../../../lib/testing/index.ts";
import { at, reservation, reserveFor, stock, ttlMs } from "./given.ts";
import { inventory } from "./inventory.ts";
import { inventoryOf } from "./state.ts";

const spec = deciderSpec(inventory);
const given = (...rows: Parameters<typeof inventoryOf>) => spec.given({ state: inventoryOf(...rows) });
const insufficient = (orderId: string, missing: Array<{ productId: string; requested: number; available: number }>) => ({
  type: "com.example.stock.insufficient" as const,
  data: { orderId, userId: `user-of-${orderId}`, missing },
});

describe("reserve: payment.completed", () => {
  test("holds every item from its warehouse until now + ttl", () => {
    given([stock("p-a", 5), stock("p-b", 2, 1)])
      .when(reserveFor("o-1", [{ productId: "p-a", quantity: 2 }, { productId: "p-b", quantity: 1 }]))
      .then([
        {
          type: "com.example.stock.reserved",
          data: {
            reservationId: "res-o-1",
            orderId: "o-1",
            userId: "user-of-o-1",
            items: [
              { productId: "p-a", quantity: 2, warehouseId: "tokyo-1" },
              { productId: "p-b", quantity: 1, warehouseId: "tokyo-1" },
            ],
            expiresAt: at(ttlMs).toISOString(),
            shippingAddress: testAddress,
          },
        },
      ]);
  });

  test("the held units count as reserved, and the order has its reservation", () => {
    given([stock("p-a", 5, 1)])
      .when(reserveFor("o-1", [{ productId: "p-a", quantity: 4 }]))
      .thenState(inventoryOf([stock("p-a", 5, 5)], [reservation("o-1", [{ productId: "p-a", quantity: 4 }])]));
  });

  test("free stock is available − reserved: units held for others are not for sale", () => {
    given([stock("p-a", 5, 4)])
      .when(reserveFor("o-1", [{ productId: "p-a", quantity: 2 }]))
      .then([insufficient("o-1", [{ productId: "p-a", requested: 2, available: 1 }])]);
  });

  test("exactly what is free is enough", () => {
    given([stock("p-a", 5, 3)])
      .when(reserveFor("o-1", [{ productId: "p-a", quantity: 2 }]))
      .thenState(inventoryOf([stock("p-a", 5, 5)], [reservation("o-1", [{ productId: "p-a", quantity: 2 }])]));
  });

  test("all or nothing: one short product holds nothing of the others", () => {
    const state = inventoryOf([stock("p-a", 5), stock("p-b", 1)]);
    const order = reserveFor("o-1", [{ productId: "p-a", quantity: 2 }, { productId: "p-b", quantity: 3 }]);
    spec.given({ state }).when(order).then([insufficient("o-1", [{ productId: "p-b", requested: 3, available: 1 }])]);
    spec.given({ state }).when(order).thenState(state);
  });

  test("every short product is named, in product order; an unknown product has nothing free", () => {
    given([stock("p-b", 1), stock("p-c", 9)])
      .when(reserveFor("o-1", [{ productId: "p-z", quantity: 1 }, { productId: "p-c", quantity: 1 }, { productId: "p-b", quantity: 2 }]))
      .then([
        insufficient("o-1", [
          { productId: "p-b", requested: 2, available: 1 },
          { productId: "p-z", requested: 1, available: 0 },
        ]),
      ]);
  });

  test("lines of the same product add up before the check", () => {
    given([stock("p-a", 3)])
      .when(reserveFor("o-1", [{ productId: "p-a", quantity: 2 }, { productId: "p-a", quantity: 2 }]))
      .then([insufficient("o-1", [{ productId: "p-a", requested: 4, available: 3 }])]);
  });

  test("items are merged by product and held in product order", () => {
    given([stock("p-a", 9), stock("p-b", 9)])
      .when(reserveFor("o-1", [{ productId: "p-b", quantity: 1 }, { productId: "p-a", quantity: 2 }, { productId: "p-b", quantity: 3 }]))
      .thenState(
        inventoryOf(
          [stock("p-a", 9, 2), stock("p-b", 9, 4)],
          [reservation("o-1", [{ productId: "p-a", quantity: 2 }, { productId: "p-b", quantity: 4 }])],
        ),
      );
  });

  test.each(["reserved", "shipped", "expired"] as const)("an order that already has a reservation (%s) gets nothing more", (status) => {
    given([stock("p-a", 9)], [reservation("o-1", [{ productId: "p-a", quantity: 1 }], status)])
      .when(reserveFor("o-1", [{ productId: "p-a", quantity: 1 }]))
      .thenNothing();
  });
});
