import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { eq } from "drizzle-orm";
import fc from "fast-check";
import type { Database } from "../../../lib/db/index.ts";
import { createTestDatabase } from "../../../lib/testing/index.ts";
import { now, refusalOf, reservation, reserveFor, stock } from "../domain/given.ts";
import { decideInTurn } from "../domain/inventory.ts";
import { inventoryOf } from "../domain/state.ts";
import { products, reservations } from "./schema.ts";
import { setAvailable } from "./stock.ts";
import type { InventoryEvent } from "../domain/events.ts";
import { planStockWrites, type StepKind, type StockStep, writeEvents } from "./write-events.ts";

/**
 * The conditional UPDATEs stay the concurrency guard: a decision made on rows that changed since
 * fails its write, and the transaction rolls back whole.
 */
let database: Database;
beforeAll(async () => {
  database = await createTestDatabase();
}, 60_000);
afterAll(async () => database?.close(), 60_000);

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

describe("planStockWrites: several writes of a product as one guarded UPDATE", () => {
  type Row = { available: number; reserved: number };
  /** The writes one after another, each with its own rule, as the per-line UPDATEs ran them; undefined once one fails. */
  function oneByOne(row: Row, steps: StockStep[]): Row | undefined {
    let { available, reserved } = row;
    for (const { kind, quantity: q } of steps) {
      const holds = kind === "holdFree" || kind === "shipFree" ? available - reserved >= q : reserved >= q;
      if (!holds) return undefined;
      if (kind === "holdFree") reserved += q;
      if (kind === "releaseHeld") reserved -= q;
      if (kind === "shipHeld") [available, reserved] = [available - q, reserved - q];
      if (kind === "shipFree") available -= q;
    }
    return { available, reserved };
  }
  /** The folded change, as applyStockChanges's WHERE and SET compute it. */
  function folded(row: Row, steps: StockStep[]): Row | undefined {
    const [change] = planStockWrites(steps).stock;
    if (!change) return row;
    if (change.minFree !== undefined && row.available - row.reserved < change.minFree) return undefined;
    if (change.minReserved !== undefined && row.reserved < change.minReserved) return undefined;
    return { available: row.available + change.availableDelta, reserved: row.reserved + change.reservedDelta };
  }
  const kinds: StepKind[] = ["holdFree", "releaseHeld", "shipHeld", "shipFree"];
  const step = fc.record({ kind: fc.constantFrom(...kinds), quantity: fc.integer({ min: 1, max: 4 }) }).map((s) => ({ ...s, productId: "p", doing: "test" }));
  const row = fc.record({ free: fc.nat({ max: 6 }), reserved: fc.nat({ max: 6 }) }).map(({ free, reserved }) => ({ available: free + reserved, reserved }));

  test("allows exactly the rows on which the writes one after another all hold, and ends where they end", () => {
    fc.assert(fc.property(row, fc.array(step, { maxLength: 8 }), (start, steps) => expect(folded(start, steps)).toEqual(oneByOne(start, steps))), { numRuns: 2_000 });
  });

  test("a write that would fail midway fails the whole UPDATE, though the net change would fit", async () => {
    // 2 on hand, both held: shipping 1 from free stock fails before the release that would have freed it.
    await database.db.insert(products).values({ productId: "w-mid", available: 2, reserved: 2, updatedAt: now });
    const events: InventoryEvent[] = [
      { type: "inventory.shipment.committed", reservationId: "w-none", orderId: "w-none", status: "shipped", fromReserved: [], fromFree: [{ productId: "w-mid", quantity: 1 }], unbacked: [] },
      { type: "com.example.stock.released", data: { reservationId: "w-none-2", orderId: "w-none-2", userId: "u", items: [{ productId: "w-mid", quantity: 2 }], reason: "expired" } },
    ];
    expect(await failureOf(database.db.transaction((tx) => writeEvents(tx, events, now)))).toMatchObject({ code: "inventory.stock_changed" });
    expect(await failureOf(database.db.transaction((tx) => writeEvents(tx, [...events].reverse(), now)))).toMatchObject({ code: "inventory.reservation_missing" });
    expect(await stockOf("w-mid")).toMatchObject({ available: 2, reserved: 2 });
  });
});
