import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, test } from "bun:test";
import { sql } from "drizzle-orm";
import { type ConsumedRecord, createEmbeddedBroker } from "../broker/index.ts";
import { fromKafkaRecord } from "../cloudevents/index.ts";
import { allTopics, newEvent, topics } from "../events/index.ts";
import { createMemoryLogger } from "../log/index.ts";
import { createScratchDatabase, createTestMessagingTables, tryGetServiceUrl, waitFor } from "../testing/index.ts";
import { enqueue, outboxName } from "./enqueue.ts";
import { createOutboxRelay } from "./relay.ts";

const url = tryGetServiceUrl("postgres");

/**
 * A relay that finds an outbox's lock taken leaves that outbox to the relay holding it: commits
 * no longer wake it for that outbox, only its sweep tries again, and takes over once the lock is
 * free. Here the "other relay" is a transaction holding the lock, so that the handover is forced.
 */
describe.skipIf(!url)("a relay standing by for an outbox another relay publishes (PostgreSQL)", () => {
  test("it publishes nothing under the other's lock, and everything, in order, once the lock is free", async () => {
    const scratch = await createScratchDatabase(url!);
    const database = await scratch.open();
    const holder = await scratch.open();
    const dir = mkdtempSync(join(tmpdir(), "orderflow-standby-"));
    const broker = createEmbeddedBroker({ dir, fsync: false });
    try {
      const { outbox } = await createTestMessagingTables(database);
      await broker.ensureTopics(allTopics);
      const seen: ConsumedRecord[] = [];
      await broker.subscribe({ group: "watch", topics: [topics.order.name], handle: async (records) => void seen.push(...records) });
      const standby = createOutboxRelay({ database, broker, outboxes: [outbox], sweepIntervalMs: 200, log: createMemoryLogger() });
      const ids = () => seen.map((r) => fromKafkaRecord(r).id);
      const write = (n: number) =>
        database.db.transaction((tx) =>
          enqueue(tx, outbox, [newEvent("com.example.order.cancelled", { orderId: "o-1", userId: "u", reason: "payment_failed" }, { id: `e-${n}`, time: new Date(), correlationid: "o-1" })]),
        );
      await standby.start();
      try {
        await write(1);
        await waitFor(() => ids().length === 1, { what: "the first event" });

        // Another relay publishes this outbox: its transaction holds the lock.
        let release!: () => void;
        const released = new Promise<void>((resolve) => (release = resolve));
        let locked!: () => void;
        const holding = new Promise<void>((resolve) => (locked = resolve));
        const other = holder.db.transaction(async (tx) => {
          await tx.execute(sql`select pg_advisory_xact_lock(hashtext(${`outbox:${outboxName(outbox)}`}))`);
          locked();
          await released;
        });
        await holding;
        await write(2);
        await write(3);
        // Both commits' wake-ups found the lock taken: while it is held, nothing more is published.
        await waitFor(async () => (await standby.flush()) === 0, { what: "a drain that finds the lock taken" });
        expect(ids()).toEqual(["e-1"]);

        // The other relay is gone: no commit wakes the standby, its sweep takes the outbox over.
        release();
        await other;
        await waitFor(() => ids().length === 3, { what: "the sweep to publish what waited" });
        await write(4);
        await waitFor(() => ids().length === 4, { what: "the next commit's event" });
        expect(ids()).toEqual(["e-1", "e-2", "e-3", "e-4"]);
      } finally {
        await standby.stop();
      }
    } finally {
      await broker.close();
      await Promise.all([database.close(), holder.close()]);
      await scratch.drop();
      rmSync(dir, { recursive: true, force: true });
    }
  }, 60_000);
});
