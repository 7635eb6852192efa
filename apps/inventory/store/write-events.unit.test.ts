import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { eq } from "drizzle-orm";
import type { Database } from "../../../lib/db/index.ts";
import { createTestDatabase } from "../../../lib/testing/index.ts";
import { now, refusalOf, reservation, reserveFor, stock } from "../domain/given.ts";
import { decideInTurn } from "../domain/inventory.ts";
import { inventoryOf } from "../domain/state.ts";
import { products, reservations } from "./schema.ts";
import { setAvailable } from "./stock.ts";
import { writeEvents } from "./write-events.ts";

/**
 * The conditional UPDATEs stay the concurrency guard: a decision made on rows that changed since
 * fails its write, and the transaction rolls back whole.
 */
let database: Database;
beforeAll(async () => {
  database = await createTestDatabase();
}, 60_000);
afterAll(async () => database?.close());

const stockOf = async (productId: string) => (await database.db.select().from(products).where(eq(products.productId, productId)))[0];
const failureOf = (promise: Promise<unknown>) => promise.then(() => undefined, (error: unknown) => error);

describe("writeEvents", () => {
  test("a reservation decided on stale stock fails with inventory.stock_changed and writes nothing", async () => {
    await setAvailable(database.db, "w-a", 5, now);
    await setAvailable(database.db, "w-b", 1, now);
    // Decided as if w-b had 5 free; it has 1.
    const items = [{ productId: "w-a", quantity: 2 }, { productId: "w-b", quantity: 3 }];
    const { events } = decideInTurn([reserveFor("w-order", items)], inventoryOf([stock("w-a", 5), stock("w-b", 5)]));
    const error = await failureOf(database.db.transaction((tx) => writeEvents(tx, events, now)));
    expect(error).toMatchObject({ code: "inventory.stock_changed" });
    expect(await stockOf("w-a")).toMatchObject({ available: 5, reserved: 0 });
    expect(await database.db.select().from(reservations).where(eq(reservations.orderId, "w-order"))).toEqual([]);
  });

  test("a release of units no longer held fails rather than drive reserved below zero", async () => {
    await setAvailable(database.db, "w-c", 5, now);
    const held = inventoryOf([stock("w-c", 5, 2)], [reservation("w-held", [{ productId: "w-c", quantity: 2 }], "expiring", new Date(0))]);
    const { events } = decideInTurn([refusalOf("w-held")], held);
    expect(events.map((event) => event.type)).toEqual(["com.example.stock.released"]);
    expect(await failureOf(database.db.transaction((tx) => writeEvents(tx, events, now)))).toMatchObject({ code: "inventory.stock_changed" });
    expect(await stockOf("w-c")).toMatchObject({ available: 5, reserved: 0 });
  });
});
