import { asc, inArray, isNull, sql } from "drizzle-orm";
import type { Broker } from "../broker/types.ts";
import { toKafkaRecord } from "../cloudevents/kafka.ts";
import { rowsOf } from "../db/rows.ts";
import type { Database } from "../db/types.ts";
import { outboxChannel } from "./enqueue.ts";
import type { MessagingTables } from "./tables.ts";

export type OutboxRelayOptions = {
  database: Database;
  broker: Broker;
  outboxes: Array<{ name: string; tables: MessagingTables }>;
  batchSize?: number;
  /** A safety net only: the relay is woken by NOTIFY on commit, this catches a missed wake-up. */
  sweepIntervalMs?: number;
  log?: (message: string, error?: unknown) => void;
};

export type OutboxRelay = { start(): Promise<void>; stop(): Promise<void>; flush(): Promise<number> };

/**
 * Publishes outbox rows in id order, by row state. Each batch runs in a transaction that holds
 * the outbox's advisory lock, so two relays never publish the same outbox at once (one publisher
 * per key range keeps per-order order). A crash after publish and before commit republishes the
 * batch: consumers deduplicate by event id.
 */
export function createOutboxRelay(options: OutboxRelayOptions): OutboxRelay {
  const { database, broker, outboxes, batchSize = 200, sweepIntervalMs = 2_000, log = console.error } = options;
  let unlisten: (() => Promise<void>) | undefined;
  let sweep: ReturnType<typeof setInterval> | undefined;
  let running: Promise<number> | undefined;
  let again = false;
  let stopped = false;

  async function publishBatch({ name, tables }: (typeof outboxes)[number]): Promise<number> {
    return database.db.transaction(async (tx) => {
      const lock = await tx.execute(sql`select pg_try_advisory_xact_lock(hashtext(${`outbox:${name}`})) as ok`);
      if (!rowsOf<{ ok: boolean }>(lock)[0]?.ok) return 0;
      const rows = await tx
        .select()
        .from(tables.outbox)
        .where(isNull(tables.outbox.publishedAt))
        .orderBy(asc(tables.outbox.id))
        .limit(batchSize)
        .for("update");
      if (rows.length === 0) return 0;
      await broker.publish(rows.map((row) => toKafkaRecord(row.topic, row.key, row.event)));
      await tx
        .update(tables.outbox)
        .set({ publishedAt: sql`now()` })
        .where(inArray(tables.outbox.id, rows.map((row) => row.id)));
      return rows.length;
    });
  }

  async function drain(): Promise<number> {
    let total = 0;
    for (const outbox of outboxes) {
      for (;;) {
        const published = await publishBatch(outbox);
        total += published;
        if (published < batchSize) break;
      }
    }
    return total;
  }

  /** Coalesces wake-ups: one drain at a time, and one more if rows arrived while it ran. */
  function flush(): Promise<number> {
    if (running) {
      again = true;
      return running;
    }
    running = (async () => {
      let total = 0;
      do {
        again = false;
        total += await drain();
      } while (again && !stopped);
      return total;
    })().finally(() => (running = undefined));
    return running;
  }

  const wake = () => {
    if (!stopped) flush().catch((error) => log("outbox relay: publish failed, will retry", error));
  };

  return {
    async start() {
      unlisten = await database.listen(outboxChannel, wake);
      sweep = setInterval(wake, sweepIntervalMs);
      wake();
    },
    async stop() {
      stopped = true;
      clearInterval(sweep);
      await unlisten?.();
      await running?.catch(() => {});
    },
    flush,
  };
}
