import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { eq } from "drizzle-orm";
import { createFixedClock, createSequentialIds } from "../../lib/clock/index.ts";
import type { Database } from "../../lib/db/index.ts";
import { createMemoryLogger } from "../../lib/log/index.ts";
import { bearerFor, createForgetfulIdempotencyStore, createTestDatabase, deliver, emittedEvents, eventFor, outcomesOf, testSecurity } from "../../lib/testing/index.ts";
import { createApp } from "./app.ts";
import type { InventoryDeps } from "./deps.ts";
import { expireReservations } from "./handlers/expire-reservations.ts";
import { reservations, outbox } from "./store/schema.ts";

/**
 * A reservation ends shipped (shipment.created: the units leave) or expired (shipping refused it,
 * after the sweeper asked or by itself: the units go back and stock.released is emitted). Both
 * happen once, whatever is delivered twice. The rules themselves are tested without a database in
 * domain/; this is the handlers writing them.
 */
let database: Database;
let deps: InventoryDeps;
const clock = createFixedClock();
const ttlMs = 30 * 60_000;
const graceMs = 5 * 60_000;
const logged = createMemoryLogger();
const loggedLines = () => logged.lines().map((line) => JSON.parse(line));

beforeAll(async () => {
  database = await createTestDatabase();
  deps = { db: database.db, idempotency: createForgetfulIdempotencyStore(), security: testSecurity, clock, ids: createSequentialIds("life"), reservationTtlMs: ttlMs, reservationGraceMs: graceMs, log: logged };
}, 60_000);
afterAll(async () => database?.close(), 60_000);

// Without the fast path: only the database decides what happens once.
const app = () => createApp(deps);
const stock = async (productId: string) => (await (await app().request(`/inventory/${productId}`)).json()) as { available: number; reserved: number };
const reservationOf = async (orderId: string) => (await database.db.select().from(reservations).where(eq(reservations.orderId, orderId)))[0];
const released = (orderId: string) => emittedEvents(database.db, outbox, orderId, "com.example.stock.released");

async function reserve(orderId: string, productId: string, quantity: number, available: number) {
  const headers = { "content-type": "application/json", authorization: await bearerFor("staff-1", "staff") };
  await app().request(`/inventory/${productId}`, { method: "PUT", headers, body: JSON.stringify({ available }) });
  const paid = eventFor("com.example.payment.completed", orderId, { data: { items: [{ productId, quantity }] } });
  expect(await outcomesOf(await deliver(app(), "inventory", paid))).toEqual(["processed"]);
}
const shipped = (orderId: string, id?: string) => eventFor("com.example.shipment.created", orderId, { id });

describe("shipment.created", () => {
  test("the reserved units leave the warehouse, once, even for two deliveries and two event ids", async () => {
    await reserve("life-ship", "p-ship", 2, 5);
    expect(await stock("p-ship")).toEqual({ productId: "p-ship", available: 5, reserved: 2 } as never);
    expect(await outcomesOf(await deliver(app(), "inventory", shipped("life-ship")))).toEqual(["processed"]);
    expect(await outcomesOf(await deliver(app(), "inventory", shipped("life-ship")))).toEqual(["duplicate"]);
    await deliver(app(), "inventory", shipped("life-ship", "another-id"));
    expect(await stock("p-ship")).toEqual({ productId: "p-ship", available: 3, reserved: 0 } as never);
    expect((await reservationOf("life-ship"))?.status).toBe("shipped");
  });

  test("without a reservation nothing moves, and the log says why", async () => {
    expect(await outcomesOf(await deliver(app(), "inventory", shipped("life-never-reserved")))).toEqual(["processed"]);
    expect(await reservationOf("life-never-reserved")).toBeUndefined();
    expect(loggedLines()).toContainEqual(expect.objectContaining({ orderId: "life-never-reserved", rejected: "inventory.no_reservation", reason: expect.stringContaining("which has no reservation") }));
  });

  test("a shipped reservation never expires", async () => {
    await reserve("life-shipped-then-late", "p-late", 1, 1);
    await deliver(app(), "inventory", shipped("life-shipped-then-late"));
    clock.advance(ttlMs + graceMs + 1);
    await expireReservations(deps);
    expect(await released("life-shipped-then-late")).toHaveLength(0);
    expect(await stock("p-late")).toEqual({ productId: "p-late", available: 0, reserved: 0 } as never);
  });
});

describe("expiry: asked of shipping, which alone decides", () => {
  const expired = (orderId: string) => emittedEvents(database.db, outbox, orderId, "com.example.stock.expired");
  const refused = (orderId: string, id?: string) => eventFor("com.example.shipment.refused", orderId, { id });

  test("after its lifetime and the grace, a reservation is asked about once (stock.expired); the stock stays held until shipping refuses", async () => {
    await reserve("life-expire", "p-expire", 3, 4);
    clock.advance(ttlMs);
    expect(await expireReservations(deps)).toBe(0);
    clock.advance(graceMs + 1);
    const [first, second] = await Promise.all([expireReservations(deps), expireReservations(deps)]);
    expect(first + second).toBe(1);
    expect(await expireReservations(deps)).toBe(0);
    expect((await reservationOf("life-expire"))?.status).toBe("expiring");
    expect(await stock("p-expire")).toEqual({ productId: "p-expire", available: 4, reserved: 3 } as never);
    const [asked, ...again] = await expired("life-expire");
    expect(again).toEqual([]);
    expect(asked!.event).toMatchObject({ correlationid: "life-expire", data: { orderId: "life-expire", reservationId: (await reservationOf("life-expire"))!.id } });
    expect(await released("life-expire")).toEqual([]);

    expect(await outcomesOf(await deliver(app(), "inventory", refused("life-expire")))).toEqual(["processed"]);
    expect(await outcomesOf(await deliver(app(), "inventory", refused("life-expire", "another-refusal-id")))).toEqual(["processed"]);
    expect(await stock("p-expire")).toEqual({ productId: "p-expire", available: 4, reserved: 0 } as never);
    expect((await reservationOf("life-expire"))?.status).toBe("expired");
    const [event, ...more] = await released("life-expire");
    expect(more).toEqual([]);
    expect(event!.event.data).toMatchObject({ orderId: "life-expire", userId: "user-of-life-expire", items: [{ productId: "p-expire", quantity: 3 }], reason: "expired" });
    expect(event!.event.causationid).toBe(refused("life-expire").id);
  });

  test("asked about, but shipping had shipped: the shipment takes the held units and nothing is ever given back", async () => {
    await reserve("life-late-ship", "p-late-ship", 2, 5);
    clock.advance(ttlMs + graceMs + 1);
    await expireReservations(deps);
    await deliver(app(), "inventory", shipped("life-late-ship"));
    expect(await stock("p-late-ship")).toEqual({ productId: "p-late-ship", available: 3, reserved: 0 } as never);
    expect((await reservationOf("life-late-ship"))?.status).toBe("shipped");
    expect(await released("life-late-ship")).toEqual([]);
  });

  test("a process that was down asks nothing until it has been up for the grace: the answers may be in its backlog", async () => {
    await reserve("life-backlog", "p-backlog", 1, 1);
    clock.advance(10 * (ttlMs + graceMs));
    const upSince = clock.now();
    expect(await expireReservations(deps, { upSince })).toBe(0);
    // The shipment waiting in the backlog is delivered meanwhile.
    await deliver(app(), "inventory", shipped("life-backlog"));
    clock.advance(graceMs + 1);
    expect(await expireReservations(deps, { upSince })).toBe(0);
    expect(await expired("life-backlog")).toEqual([]);
    expect((await reservationOf("life-backlog"))?.status).toBe("shipped");
  });

  test("released before shipping decided expiries, then shipped: the units come out of free stock", async () => {
    await reserve("life-legacy", "p-legacy", 2, 5);
    await deliver(app(), "inventory", refused("life-legacy"));
    await deliver(app(), "inventory", shipped("life-legacy"));
    expect(await stock("p-legacy")).toEqual({ productId: "p-legacy", available: 3, reserved: 0 } as never);
    expect((await reservationOf("life-legacy"))?.status).toBe("shipped");
  });

  test("…and when the free stock is gone, the reservation is marked shipped_unbacked", async () => {
    await reserve("life-unbacked", "p-unbacked", 2, 2);
    await deliver(app(), "inventory", refused("life-unbacked"));
    await reserve("life-took-it", "p-unbacked", 2, 2); // someone else reserved the freed units
    await deliver(app(), "inventory", shipped("life-unbacked"));
    expect((await reservationOf("life-unbacked"))?.status).toBe("shipped_unbacked");
    expect(loggedLines()).toContainEqual(expect.objectContaining({ level: 50, orderId: "life-unbacked", event: expect.objectContaining({ type: "com.example.shipment.created" }), msg: expect.stringContaining("shipped after its reservation expired") }));
    expect(await stock("p-unbacked")).toEqual({ productId: "p-unbacked", available: 2, reserved: 2 } as never);
  });

  test("shipping refusing an order it shipped is refused and logged; nothing is given back", async () => {
    await reserve("life-both", "p-both", 1, 3);
    await deliver(app(), "inventory", shipped("life-both"));
    expect(await outcomesOf(await deliver(app(), "inventory", refused("life-both")))).toEqual(["processed"]);
    expect(await stock("p-both")).toEqual({ productId: "p-both", available: 2, reserved: 0 } as never);
    expect(await released("life-both")).toEqual([]);
    expect(loggedLines()).toContainEqual(expect.objectContaining({ level: 50, orderId: "life-both", rejected: "inventory.shipped_and_refused" }));
  });
});
