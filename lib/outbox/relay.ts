import { asc, isNull, sql } from "drizzle-orm";
import type { Broker } from "../broker/index.ts";
import { type CloudEvent, toKafkaRecord, type ValidCloudEvent } from "../cloudevents/index.ts";
import { anyOf, type Database, rowsOf } from "../db/index.ts";
import type { Logger } from "../log/index.ts";
import { outboxChannel, outboxName } from "./enqueue.ts";
import type { OutboxTable } from "./tables.ts";

export type OutboxRelayOptions = {
  database: Database;
  broker: Broker;
  outboxes: OutboxTable[];
  batchSize?: number;
  /** A safety net only: the relay is woken by NOTIFY on commit, this catches a missed wake-up. */
  sweepIntervalMs?: number;
  /** Hears of failed publishes (retried); an outbox row's event never reaches it. */
  log: Logger;
};

export type OutboxRelay = { start(): Promise<void>; stop(): Promise<void>; flush(): Promise<number> };

/**
 * Publishes outbox rows in id order, by row state. Each batch runs in a transaction that holds
 * the outbox's advisory lock, so two relays never publish the same outbox at once (one publisher
 * per key range keeps per-order order). A crash after publish and before commit republishes the
 * batch: consumers deduplicate by event id.
 */
export function createOutboxRelay(options: OutboxRelayOptions): OutboxRelay {
  const { database, broker, outboxes, batchSize = 200, sweepIntervalMs = 2_000, log } = options;
  let unlisten: (() => Promise<void>) | undefined;
  let sweep: ReturnType<typeof setInterval> | undefined;
  const byName = new Map(outboxes.map((outbox) => [outboxName(outbox), outbox]));
  /** Outboxes that were written to since their last drain. */
  const pending = new Set<string>();
  /**
   * Outboxes another relay was publishing when this one tried (their lock was taken): left to it,
   * NOTIFY wakes this one no more for them, only the sweep tries again (and takes over once that
   * relay is gone). Without it every relay would open a transaction per commit anywhere, only to
   * find the lock taken: with two whole-flow workers, a fifth of the database's transactions.
   */
  const elsewhere = new Set<string>();
  let running: Promise<number> | undefined;
  let stopped = false;

  /** The rows published, or "elsewhere" when another relay holds the outbox's lock. */
  async function publishBatch(name: string, outbox: OutboxTable): Promise<number | "elsewhere"> {
    return database.db.transaction(async (tx) => {
      const lock = await tx.execute(sql`select pg_try_advisory_xact_lock(hashtext(${`outbox:${name}`})) as ok`);
      if (!rowsOf<{ ok: boolean }>(lock)[0]?.ok) return "elsewhere";
      const rows = await tx
        .select()
        .from(outbox)
        .where(isNull(outbox.publishedAt))
        .orderBy(asc(outbox.id))
        .limit(batchSize)
        .for("update");
      if (rows.length === 0) return 0;
      await broker.publish(rows.map((row) => toKafkaRecord(row.topic, row.key, trustStoredEvent(row.event))));
      await tx
        .update(outbox)
        .set({ publishedAt: sql`now()` })
        .where(anyOf(outbox.id, rows.map((row) => row.id)));
      return rows.length;
    });
  }

  async function drain(name: string): Promise<number> {
    const outbox = byName.get(name);
    let total = 0;
    for (;;) {
      const published = outbox ? await publishBatch(name, outbox) : 0;
      if (published === "elsewhere") {
        elsewhere.add(name);
        return total;
      }
      elsewhere.delete(name);
      total += published;
      if (published < batchSize) return total;
    }
  }

  /**
   * Coalesces wake-ups: one round at a time, over the outboxes marked pending, drained side by
   * side; names marked while it runs are drained in the next round. On failure the failed names
   * stay pending for the next wake.
   */
  function run(): Promise<number> {
    running ??= (async () => {
      let total = 0;
      while (pending.size > 0 && !stopped) {
        // Every pending outbox at once: each has its own lock, rows and topic, and one waiting on
        // the broker's answer need not hold back the others (each takes a connection meanwhile).
        const round = [...pending];
        // Unmarked BEFORE the drain: a NOTIFY that arrives meanwhile marks it again.
        for (const name of round) pending.delete(name);
        const drained = await Promise.allSettled(round.map((name) => drain(name)));
        const failed = drained.flatMap((result, i) => (result.status === "rejected" ? [{ name: round[i]!, error: result.reason as unknown }] : []));
        for (const { name } of failed) pending.add(name);
        if (failed.length > 0) throw failed[0]!.error;
        for (const result of drained) if (result.status === "fulfilled") total += result.value;
      }
      return total;
    })().finally(() => (running = undefined));
    return running;
  }

  /**
   * Marks outboxes pending (all of them for an unknown name or a sweep, those another relay
   * publishes included) and makes sure a drain runs.
   */
  function wake(name?: string): Promise<number> {
    if (name && elsewhere.has(name)) return running ?? Promise.resolve(0);
    for (const key of name && byName.has(name) ? [name] : byName.keys()) pending.add(key);
    // A drain already running may have passed this outbox: chain one more round after it.
    return running ? running.then(() => run()) : run();
  }

  const wakeAndLog = (name?: string) => {
    if (!stopped) wake(name).catch((error: unknown) => log.error({ outbox: name, error }, "outbox relay: publish failed, will retry"));
  };

  return {
    async start() {
      unlisten = await database.listen(outboxChannel, (payload) => wakeAndLog(payload));
      sweep = setInterval(() => wakeAndLog(), sweepIntervalMs);
      wakeAndLog();
    },
    async stop() {
      stopped = true;
      clearInterval(sweep);
      await unlisten?.();
      await running?.catch(() => {});
    },
    flush: () => wake(),
  };
}

/**
 * An outbox row's event, taken as valid without parsing it again. Sound because the outbox is
 * written only by `enqueue`, inside our own transactions, from events `newEvent` built (valid by
 * construction, see lib/events/new-event.ts); jsonb gives back the same JSON values (only the key
 * order may change). The outbox is no trust edge: nothing outside our code writes it.
 */
function trustStoredEvent(event: CloudEvent): ValidCloudEvent {
  return event as ValidCloudEvent;
}
