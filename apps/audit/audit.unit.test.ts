import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { sql } from "drizzle-orm";
import { afterAll, beforeAll, beforeEach, describe, expect, test } from "bun:test";
import type { Database } from "../../lib/db/index.ts";
import { createTestDatabase } from "../../lib/testing/index.ts";
import {
  clearState, declinedStory, expiredStory, outOfStockStory, refundFailedStory, shippedStory, unresolvedStory, writeNotification, writeOrder, writeRefund, writeReservation,
  writeShipment, writeStock, writeTimeline,
} from "./audit-fixture.ts";
import type { Breach } from "./breach.ts";
import { replayStatus } from "./order-invariants.ts";
import { formatAudit } from "./report.ts";
import { runAudit } from "./run-audit.ts";

let database: Database;
let folder: string;
beforeAll(async () => {
  database = await createTestDatabase();
  folder = mkdtempSync(join(tmpdir(), "orderflow-audit-"));
}, 60_000);
afterAll(async () => {
  await database.close();
  rmSync(folder, { recursive: true, force: true });
}, 60_000);
beforeEach(() => clearState(database.db), 60_000);

const shipped = { orderId: "o-shipped", productId: "p-1", quantity: 2 };
const declined = { orderId: "o-declined", productId: "p-1", quantity: 1 };
const short = { orderId: "o-short", productId: "p-2", quantity: 3 };

/** The three stories of a flow at rest: nothing for the auditor to report. */
async function cleanState() {
  await writeStock(database.db, "p-1", 3);
  await writeStock(database.db, "p-2", 1);
  await shippedStory(database.db, shipped);
  await declinedStory(database.db, declined);
  await outOfStockStory(database.db, short);
}

const found = async (options = {}) => (await runAudit(database, options)).breaches;
const pick = (breach: Breach) => [breach.invariant, breach.subject];

describe("runAudit", () => {
  test("a clean state: no breach, every invariant checked over every order and product", async () => {
    await cleanState();
    const result = await runAudit(database);
    expect(result.breaches).toEqual([]);
    expect(result.checked).toMatchObject({ orders: 3, products: 2, notificationLog: false });
    expect(result.checked.invariants).toHaveLength(9);
    expect(formatAudit(result)).toBe("audit: no breach (9 invariants over 3 orders and 2 products)");
  });

  test("accepted-orders-terminal: an order still pending is reported; needs_attention is an end", async () => {
    await cleanState();
    await writeOrder(database.db, { orderId: "o-stuck", productId: "p-1", quantity: 1 }, "pending");
    await writeTimeline(database.db, "o-stuck", ["order.created"]);
    await unresolvedStory(database.db, { orderId: "o-attention", productId: "p-1", quantity: 1 });
    expect((await found()).map(pick)).toEqual([["accepted-orders-terminal", "order o-stuck"]]);
  });

  test("the flow's other ends are clean: refused and expired, a charge never resolved, a refund that kept failing", async () => {
    await cleanState();
    await writeStock(database.db, "p-3", 4);
    await expiredStory(database.db, { orderId: "o-expired", productId: "p-3", quantity: 2 });
    await unresolvedStory(database.db, { orderId: "o-unresolved", productId: "p-3", quantity: 1 });
    await refundFailedStory(database.db, { orderId: "o-refund-failed", productId: "p-3", quantity: 1 });
    const result = await runAudit(database);
    expect(result.breaches).toEqual([]);
    expect(result.checked).toMatchObject({ orders: 6, products: 3 });
  });

  test("needs_attention is no cover: a refund in part, held stock, or a status its timeline does not lead to is reported", async () => {
    const attention = { orderId: "o-attention", productId: "p-3", quantity: 2 };
    await refundFailedStory(database.db, attention);
    await writeRefund(database.db, attention.orderId, 100);
    await writeStock(database.db, "p-3", 5, 2);
    await writeReservation(database.db, attention, "reserved");
    await unresolvedStory(database.db, { orderId: "o-no-escalation", productId: "p-3", quantity: 1 });
    await database.db.execute(sql`delete from orders.order_timeline where order_id = 'o-no-escalation' and type = 'com.example.payment.escalated'`);
    const breaches = await found();
    expect(breaches.map(pick)).toEqual([
      ["charged-minus-refunded", "order o-attention"],
      ["one-active-reservation", "order o-attention"],
      ["legal-transitions", "order o-no-escalation"],
    ]);
    expect(breaches.map((b) => b.found)).toEqual([
      "charged 1400 − refunded 100 = 1300 (status needs_attention)",
      "an active reservation on a needs_attention order",
      "status needs_attention",
    ]);
  });

  test("an expiring reservation (shipping settling it) still holds its units", async () => {
    const held = { orderId: "o-expiring", productId: "p-4", quantity: 2 };
    await writeStock(database.db, "p-4", 5, 2);
    await writeOrder(database.db, held, "reserved");
    await writeTimeline(database.db, held.orderId, ["order.created", "payment.completed", "stock.reserved"]);
    await writeReservation(database.db, held, "expiring");
    // Not at rest (the order is on its way), but the books add up.
    expect((await found()).map(pick)).toEqual([["accepted-orders-terminal", "order o-expiring"]]);
  });

  test("charged-minus-refunded: a cancelled order refunded in part", async () => {
    await writeStock(database.db, "p-2", 1);
    await outOfStockStory(database.db, short);
    await database.db.execute(sql`update gateway.refunds set amount = 100`);
    const breaches = await found();
    expect(breaches.map(pick)).toEqual([["charged-minus-refunded", "order o-short"]]);
    expect(breaches[0]).toMatchObject({ found: "charged 2100 − refunded 100 = 2000 (status cancelled)", expected: "0" });
  });

  test("never-shipped-and-refunded: a shipped order whose charge was refunded", async () => {
    await writeStock(database.db, "p-1", 3);
    await shippedStory(database.db, shipped);
    await writeRefund(database.db, shipped.orderId, 1400);
    expect((await found()).map(pick)).toEqual([
      ["charged-minus-refunded", "order o-shipped"],
      ["never-shipped-and-refunded", "order o-shipped"],
    ]);
  });

  test("never-shipped-and-refunded: the race the issue found (a shipment, and the expiry's refund), whatever the order's status says", async () => {
    const raced = { orderId: "o-raced", productId: "p-5", quantity: 1 };
    await writeStock(database.db, "p-5", 2);
    await expiredStory(database.db, raced);
    await writeShipment(database.db, raced.orderId);
    expect((await found()).map(pick)).toEqual([
      ["never-shipped-and-refunded", "order o-raced"],
      ["one-shipment", "order o-raced"],
      ["one-shipment", "order o-raced"],
    ]);
  });

  test("one-active-reservation: a cancelled order still holding stock", async () => {
    await writeStock(database.db, "p-2", 5, 3);
    await outOfStockStory(database.db, short);
    await writeReservation(database.db, short, "reserved");
    const breaches = await found();
    expect(breaches.map(pick)).toEqual([["one-active-reservation", "order o-short"]]);
    expect(breaches[0]!.found).toBe("an active reservation on a cancelled order");
  });

  test("stock-conserved: units reserved with no reservation behind them, and units shipped unbacked", async () => {
    await writeStock(database.db, "p-ghost", 5, 2);
    await writeStock(database.db, "p-1", 3);
    await shippedStory(database.db, shipped);
    await database.db.execute(sql`update inventory.reservations set status = 'shipped_unbacked'`);
    const breaches = await found();
    expect(breaches.map(pick)).toEqual([
      ["stock-conserved", "product p-1"],
      ["stock-conserved", "product p-ghost"],
    ]);
    expect(breaches.map((b) => b.found)).toEqual(["2 shipped unbacked for order o-shipped", "reserved 2"]);
  });

  test("one-shipment: a shipped order with none, a declined order with one", async () => {
    await cleanState();
    await database.db.execute(sql`delete from shipping.shipments`);
    await writeShipment(database.db, declined.orderId);
    expect((await found()).map(pick)).toEqual([
      ["one-shipment", "order o-declined"],
      ["one-shipment", "order o-shipped"],
    ]);
  });

  test("no-duplicate-notification: two rows for one step, and a key the notifier delivered twice", async () => {
    await cleanState();
    await writeNotification(database.db, shipped.orderId, "shipment.created", "another key");
    const file = join(folder, "notifications.jsonl");
    const send = (key: string, duplicate: boolean) => JSON.stringify({ idempotencyKey: key, orderId: "o", userId: "u", type: "t", subject: "s", body: "b", duplicate });
    writeFileSync(file, [send("k-1", false), send("k-1", true), send("k-2", false), send("k-2", false), '{"torn'].join("\n"));
    const breaches = await found({ notificationsFile: file });
    expect(breaches.map(pick)).toEqual([
      ["no-duplicate-notification", "notification com.example.shipment.created for order o-shipped"],
      ["no-duplicate-notification", "notification k-2"],
    ]);
  });

  test("outboxes-drained: an event left unpublished is reported with its outbox", async () => {
    await cleanState();
    await database.db.execute(sql`insert into payments.outbox (topic, key, event) values ('payments', 'o-1', '{}'::jsonb)`);
    const breaches = await found();
    expect(breaches.map(pick)).toEqual([["outboxes-drained", "outbox payments"]]);
    expect(breaches[0]!.found).toBe("1 unpublished");
  });

  test("legal-transitions: a status the timeline does not lead to, and an event the order never follows", async () => {
    await cleanState();
    await database.db.execute(sql`delete from orders.order_timeline where order_id = 'o-short' and type = 'com.example.payment.refunded'`);
    await database.db.execute(sql`update orders.order_timeline set type = 'com.example.order.shipped' where event_id = 'o-declined-e1'`);
    const breaches = await found();
    expect(breaches.map(pick)).toEqual([
      ["legal-transitions", "order o-declined"],
      ["legal-transitions", "order o-short"],
    ]);
    expect(breaches.map((b) => b.found)).toEqual(["event com.example.order.shipped on its timeline", "status cancelled"]);
    expect(breaches[1]!.expected).toBe("paid, as its timeline replays");
  });

  test("a breach is printed with its invariant, subject, found and expected, then a summary", async () => {
    await writeOrder(database.db, { orderId: "o-stuck", productId: "p-1", quantity: 1 }, "paid");
    await writeTimeline(database.db, "o-stuck", ["order.created", "payment.completed"]);
    await writeStock(database.db, "p-1", 1, 1);
    const report = formatAudit(await runAudit(database));
    expect(report.split("\n")).toEqual([
      "BREACH accepted-orders-terminal: order o-stuck: found status paid, expected shipped, cancelled or needs_attention",
      "BREACH stock-conserved: product p-1: found reserved 1, expected 0, the units its active reservations hold",
      "audit: 2 breaches (9 invariants over 1 orders and 1 products)",
    ]);
  });
});

describe("replayStatus", () => {
  const replay = (...types: string[]) => replayStatus(types.map((type) => `com.example.${type}`));

  test("an escalation ends an open order in needs_attention, and nothing moves it after", () => {
    expect(replay("order.created", "payment.escalated")).toEqual({ status: "needs_attention" });
    expect(replay("order.created", "payment.completed", "stock.insufficient", "payment.escalated", "payment.refunded")).toEqual({ status: "needs_attention" });
    expect(replay("order.created", "payment.failed", "payment.escalated")).toEqual({ status: "cancelled" });
  });

  test("follows the state machine: forward only, a late event after the end moves nothing", () => {
    expect(replay("order.created", "payment.completed", "stock.reserved", "shipment.created", "payment.refunded")).toEqual({ status: "shipped" });
    expect(replay("order.created", "stock.reserved", "payment.completed")).toEqual({ status: "reserved" });
    expect(replay("order.created", "payment.completed", "stock.released", "payment.refunded")).toEqual({ status: "cancelled" });
  });

  test("an event before order.created moves nothing; no timeline is no order", () => {
    expect(replay("payment.completed", "order.created")).toEqual({ status: "pending" });
    expect(replay()).toEqual({ status: "none" });
  });
});
