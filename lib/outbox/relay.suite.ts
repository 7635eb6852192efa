import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { isNull } from "drizzle-orm";
import { type Broker, type ConsumedRecord, createEmbeddedBroker } from "../broker/index.ts";
import { fromKafkaRecord } from "../cloudevents/index.ts";
import type { Database } from "../db/index.ts";
import { allTopics, newEvent, topics } from "../events/index.ts";
import { createMemoryLogger } from "../log/index.ts";
import { createTestMessagingTables, waitFor } from "../testing/index.ts";
import { enqueue } from "./enqueue.ts";
import { createOutboxRelay, type OutboxRelay } from "./relay.ts";

/**
 * The relay with the embedded broker, on PGlite and (with DATABASE_URL) PostgreSQL: woken by
 * NOTIFY on commit (the sweep is set to an hour, so only a wake-up can publish), in order, by row
 * state.
 */
export function relaySuite(label: string, open: () => Promise<{ database: Database; cleanup(): Promise<void> }>, options: { interleaves: boolean }) {
  describe(`outbox relay on ${label}`, () => {
    let database: Database;
    let cleanup: () => Promise<void>;
    let broker: Broker;
    let relay: OutboxRelay;
    let dir: string;
    const seen: ConsumedRecord[] = [];
    let outbox: Awaited<ReturnType<typeof createTestMessagingTables>>["outbox"];

    beforeAll(async () => {
      ({ database, cleanup } = await open());
      ({ outbox } = await createTestMessagingTables(database));
      dir = mkdtempSync(join(tmpdir(), "orderflow-relay-"));
      broker = createEmbeddedBroker({ dir, fsync: false });
      await broker.ensureTopics(allTopics);
      await broker.subscribe({ group: "watch", topics: [topics.order.name], handle: async (records) => void seen.push(...records) });
      relay = createOutboxRelay({ database, broker, outboxes: [outbox], sweepIntervalMs: 3_600_000, log: createMemoryLogger() });
      await relay.start();
    }, 60_000);
    afterAll(async () => {
      await relay.stop();
      await broker.close();
      await database.close();
      await cleanup();
      rmSync(dir, { recursive: true, force: true });
    }, 60_000);

    const cancelled = (orderId: string, n: number) =>
      newEvent("com.example.order.cancelled", { orderId, userId: "u", reason: "payment_failed" }, { id: `${orderId}-${n}`, time: new Date(), correlationid: orderId });
    const idsOf = (orderId: string) => seen.filter((r) => r.key === orderId).map((r) => fromKafkaRecord(r).id);

    test("a commit wakes the relay; events of one order are published in the order they were written", async () => {
      await database.db.transaction((tx) => enqueue(tx, outbox, [cancelled("r-1", 1), cancelled("r-1", 2)]));
      await database.db.transaction((tx) => enqueue(tx, outbox, [cancelled("r-1", 3)]));
      await waitFor(() => idsOf("r-1").length >= 3, { what: "three records" });
      expect(idsOf("r-1")).toEqual(["r-1-1", "r-1-2", "r-1-3"]);
      // Records reach consumers before the relay's transaction marks the rows published: wait for it.
      const unpublished = () => database.db.select().from(outbox).where(isNull(outbox.publishedAt));
      await waitFor(async () => (await unpublished()).length === 0, { what: "the rows to be marked published" });
    });

    test("a rolled-back write publishes nothing", async () => {
      await database.db
        .transaction(async (tx) => {
          await enqueue(tx, outbox, [cancelled("r-2", 1)]);
          throw new Error("abort");
        })
        .catch(() => {});
      await database.db.transaction((tx) => enqueue(tx, outbox, [cancelled("r-3", 1)]));
      await waitFor(() => idsOf("r-3").length >= 1, { what: "the committed record" });
      expect(idsOf("r-2")).toEqual([]);
    });

    // PGlite has one connection: two transactions cannot interleave there, so this needs PostgreSQL.
    test.skipIf(!options.interleaves)("a row whose id was taken before a later row committed is still published (by state, not a high-water mark)", async () => {
      let commitEarly!: () => void;
      let taken!: () => void;
      const held = new Promise<void>((resolve) => (commitEarly = resolve));
      const idTaken = new Promise<void>((resolve) => (taken = resolve));
      // The early transaction takes its outbox id first, and stays open.
      const early = database.db.transaction(async (tx) => {
        await enqueue(tx, outbox, [cancelled("r-4", 1)]);
        taken();
        await held;
      });
      await idTaken;
      // A later id commits and is published while the earlier one is still open…
      await database.db.transaction((tx) => enqueue(tx, outbox, [cancelled("r-5", 1)]));
      await waitFor(() => idsOf("r-5").length >= 1, { what: "the later row" });
      // …and the earlier one, committing last, is published too.
      commitEarly();
      await early;
      await waitFor(() => idsOf("r-4").length >= 1, { what: "the earlier row" });
    });
  });
}
