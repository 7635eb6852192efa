import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { eq } from "drizzle-orm";
import { createFixedClock, createSequentialIds } from "../../lib/clock/index.ts";
import { hasCode } from "../../lib/errors/index.ts";
import { createMemoryIdempotencyStore } from "../../lib/idempotency/index.ts";
import { createMemoryLogger } from "../../lib/log/index.ts";
import { type CountedDatabase, createCountingTestDatabase, emittedEvents, orderBody, testSecurity } from "../../lib/testing/index.ts";
import type { OrderDeps } from "./deps.ts";
import { createOrderPlacer, type OrderPlacer, type PlaceOrderResult } from "./routes/place-order.ts";
import { saveProduct } from "./store/products.ts";
import { orders, orderTimeline, outbox } from "./store/schema.ts";

/**
 * POSTs that arrive together are written in one transaction (routes/place-order.ts): each must be
 * decided and answered as if it had been alone. The placer is called directly, every POST in the
 * same tick, so which ones share a transaction does not depend on the machine's speed: the first
 * two take the two writers alone, the rest wait and go together.
 */
let counted: CountedDatabase;
let deps: OrderDeps;
let place: OrderPlacer;

beforeAll(async () => {
  counted = await createCountingTestDatabase();
  const clock = createFixedClock();
  deps = { db: counted.database.db, idempotency: createMemoryIdempotencyStore(), security: testSecurity, clock, ids: createSequentialIds("batch"), log: createMemoryLogger() };
  for (const [productId, unitPrice] of [["sku-a", 1000], ["sku-b", 250]] as const) {
    await saveProduct(deps.db, { productId, name: productId, unitPrice, currency: "JPY", updatedAt: new Date() });
  }
  place = createOrderPlacer(deps);
}, 60_000);
afterAll(() => counted.database.close(), 60_000);

const placedId = (result: PlaceOrderResult) => ("placed" in result ? result.placed.id : undefined);
const settle = (promises: Array<Promise<PlaceOrderResult>>) => Promise.allSettled(promises);

describe("concurrent POST /orders, written together", () => {
  test("each order is answered as if alone: its row, one order.created and one timeline line; refusals write nothing", async () => {
    const before = await deps.db.$count(orders);
    const goods = Array.from({ length: 24 }, (_, i) => ({ userId: `u-${i}`, productId: i % 2 ? "sku-a" : "sku-b", quantity: 1 + (i % 3) }));
    const placeGood = ({ userId, productId, quantity }: (typeof goods)[number]) => place(userId, orderBody([{ productId, quantity }]));
    const answers = await settle([
      ...goods.slice(0, 12).map(placeGood),
      place("u-stale", orderBody([{ productId: "sku-a", quantity: 1, unitPrice: 900 }])),
      place("u-unknown", orderBody([{ productId: "sku-none", quantity: 1 }])),
      ...goods.slice(12).map(placeGood),
    ]);
    const [stale, unknown] = answers.splice(12, 2);
    expect(stale?.status === "fulfilled" && "priceChanged" in stale.value && stale.value.priceChanged).toEqual([expect.objectContaining({ productId: "sku-a", unitPrice: 1000, currency: "JPY" })]);
    expect(unknown?.status === "rejected" && hasCode(unknown.reason, "order.unknown_product")).toBe(true);

    const ids = answers.map((answer) => (answer.status === "fulfilled" ? placedId(answer.value) : undefined));
    expect(new Set(ids).size).toBe(24);
    expect(await deps.db.$count(orders)).toBe(before + 24);
    for (const [i, { userId, productId, quantity }] of goods.entries()) {
      const orderId = ids[i]!;
      const [row] = await deps.db.select().from(orders).where(eq(orders.id, orderId));
      expect(row).toMatchObject({ userId, status: "pending", totalAmount: quantity * (productId === "sku-a" ? 1000 : 250) });
      expect((await emittedEvents(deps.db, outbox, orderId, "com.example.order.created")).map((r) => r.event.data)).toEqual([expect.objectContaining({ orderId, userId })]);
      expect(await deps.db.$count(orderTimeline, eq(orderTimeline.orderId, orderId))).toBe(1);
    }
  });

  test("they share transactions: far fewer statements than one transaction per order", async () => {
    let before = counted.statements();
    await place("u-alone", orderBody([{ productId: "sku-a", quantity: 1 }]));
    const perOrderAlone = counted.statements() - before;

    before = counted.statements();
    await Promise.all(Array.from({ length: 30 }, (_, i) => place(`u-many-${i}`, orderBody([{ productId: "sku-b", quantity: 1 }]))));
    // Two alone (the two writers were free), then the other 28 in one transaction.
    expect(counted.statements() - before).toBe(3 * perOrderAlone);
  });

  test("the same key twice in one batch: one order, and both POSTs answered with it", async () => {
    const body = orderBody([{ productId: "sku-a", quantity: 2 }]);
    const [first, second, ...rest] = await Promise.all([
      place("u-k", orderBody([{ productId: "sku-b", quantity: 1 }])),
      place("u-k", orderBody([{ productId: "sku-b", quantity: 1 }])),
      place("u-k", body, "same-key"),
      place("u-k", body, "same-key"),
    ]);
    expect(placedId(first!)).not.toBe(placedId(second!));
    // The keyed POSTs looked the key up before queueing, so they may go in the same batch or not: one order either way.
    expect(new Set(rest.map(placedId)).size).toBe(1);
    expect(await deps.db.$count(orders, eq(orders.idempotencyKey, "same-key"))).toBe(1);
  });

  test("the same key with another body in the same batch: the second is 422, and nothing more is written", async () => {
    const answers = await settle([
      place("u-m", orderBody([{ productId: "sku-b", quantity: 1 }])),
      place("u-m", orderBody([{ productId: "sku-b", quantity: 1 }])),
      place("u-m", orderBody([{ productId: "sku-a", quantity: 1 }]), "misused-key"),
      place("u-m", orderBody([{ productId: "sku-a", quantity: 3 }]), "misused-key"),
    ]);
    const keyed = answers.slice(2);
    expect(keyed.filter((answer) => answer.status === "fulfilled")).toHaveLength(1);
    expect(keyed.filter((answer) => answer.status === "rejected" && hasCode(answer.reason, "order.idempotency_key_reused"))).toHaveLength(1);
    expect(await deps.db.$count(orders, eq(orders.idempotencyKey, "misused-key"))).toBe(1);
  });
});
