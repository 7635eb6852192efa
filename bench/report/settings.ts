import { allTopics } from "../../lib/events/index.ts";
import { maxBodyBytes, maxEventsPerPush } from "../../lib/http/index.ts";
import { perfProducerSettings } from "../limits/kafka-perf.ts";
import type { BenchReport } from "./types.ts";

/** The settings the figures depend on: the flow's (with the file that sets each) and the engines' as measured. */
export function settingsRows(report: BenchReport): Array<[string, string]> {
  const pg = report.postgres;
  return [
    ["PostgreSQL pool", `DATABASE_POOL_SIZE, 10 connections per process (lib/engines/engines.ts), through ${report.postgresDriver === "postgres.js" ? "postgres.js" : "Bun.SQL"} (DATABASE_DRIVER=${report.postgresDriver ?? "bun"}); pgbench runs with 5 clients; both ${report.postgresSocket ? "over the server's Unix socket (DATABASE_URL ?host=<directory>, pgbench -h)" : "over TCP"}`],
    ["PostgreSQL", `${pg.server_version ?? "?"}; fsync ${pg.fsync}, synchronous_commit ${pg.synchronous_commit}, wal_sync_method ${pg.wal_sync_method}, full_page_writes ${pg.full_page_writes}, shared_buffers ${pg.shared_buffers}; ${report.postgresKind}`],
    ["Kafka producer (relay)", "idempotent, acks=all, no linger: the relay sends each batch of up to 200 outbox rows at once (lib/outbox/relay.ts, lib/broker/kafka.ts)"],
    ["Kafka consumer (dispatcher)", "fetch long-poll 500 ms, up to 8 MiB; batches of up to 500 records, up to 2,000 records in flight per partition (lib/broker/kafka-fetch.ts, kafka-consumer.ts, apps/dispatcher/dispatcher.ts)"],
    ["POST /orders", "the POSTs that arrive while two transactions are in flight are written together, up to 100 in one transaction (apps/order/routes/place-order.ts)"],
    ["pushes", `up to ${maxEventsPerPush} events and ${maxBodyBytes / 1024 / 1024} MiB per signed push, 1 push in flight per service (DISPATCH_CONCURRENCY); what waits is joined, up to 100 events (apps/dispatcher/push-queue.ts); every service applies a push set-based, in a constant number of statements; the idempotency fast path is one Redis script to claim a push and one to settle it`],
    ["partitions", allTopics.map((t) => `${t.name} ${t.partitions}`).join(", ")],
    ["Kafka broker", `${report.kafkaBrokers} (shared; single node, replication factor 1: acks=all is the leader's append; the broker flushes to disk on its own schedule, not per append)`],
    ["kafka perf tools", `${Object.entries(perfProducerSettings).map(([k, v]) => `${k}=${v}`).join(", ")}; record size = the flow's bytes per record on disk`],
    ["embedded", "PGlite on disk (DATA_DIR), embedded log fsynced per published batch, idempotency store in memory"],
    ["notifier", "the recording notifier: one JSON line per send, the sends of one event-loop turn fdatasync'd together (notifications.jsonl)"],
    ["card network", "the payment sandbox: its ledger in the flow's PostgreSQL, concurrent charges in one insert"],
    ["load", `${report.plan.products} products with ample stock; 50 customers; 1 or 2 lines an order; every ${report.plan.declineEvery}th card declined; rate limit off`],
    ["closed loop", `${report.plan.closedLoop.window} orders in flight, ${report.plan.closedLoop.connections} HTTP connections, ${report.plan.closedLoop.warmupMs / 1000} s warm-up, ${report.plan.closedLoop.measureMs / 1000} s measured`],
    ["fixed rates", `${report.plan.rates.join(", ")} orders/s, ${report.plan.rateMs / 1000} s each, open loop`],
    ["accept burst", `${report.plan.burst.connections} clients back to back for ${report.plan.burst.durationMs / 1000} s (the flow runs behind it); then, real engines, ${report.plan.burst.aloneMs / 1000} s with every process of the flow but an order service frozen (SIGSTOP, thawed after): the order API alone (workers: an order service process of its own, warmed up first)`],
    ...report.flows.flatMap((f) => Object.entries(f.settings).map(([k, v]): [string, string] => [`${f.name}: ${k}`, v])),
  ];
}
