import { expect, test } from "bun:test";
import { hops, stages } from "../measure/stages.ts";
import { planFor } from "../plan.ts";
import type { FlowResult } from "../run-flow.ts";
import type { Limits } from "../run-limits.ts";
import { renderMarkdown } from "./markdown.ts";
import type { BenchReport } from "./types.ts";

const summary = (p50: number) => ({ count: 10, p50, p95: 2 * p50, p99: 3 * p50, max: 4 * p50 });
const counters = (orders: number) => ({
  statements: [{ query: "select pg_notify($1, $2)", calls: 6 * orders, totalMs: orders }],
  database: { xact_commit: 25 * orders, xact_rollback: 0 },
  redis: new Map([["set", 30 * orders]]),
  kafka: { records: 5 * orders, bytes: 3_600 * orders, perTopic: { "order-events": 2 * orders, "payment-events": 3 * orders } },
});

const real: FlowResult = {
  name: "real",
  engines: "PostgreSQL, Kafka, Redis",
  settings: { processes: "5 services, 1 relay, 1 dispatcher(s)" },
  closedLoop: { completedPerSecond: 40, completedInWindow: 2_400, accepted: 2_500, acceptMs: summary(5), completionMs: summary(900), notCompleted: 0, windowStart: 0, windowEnd: 60_000 },
  rates: [50].map((rate) => ({
    rate, sentPerSecond: rate, acceptMs: summary(4), notCompleted: 0, inFlightAtEnd: 20, startedAt: 0, endedAt: 30_000, orders: 1_500,
    stages: Object.fromEntries(stages.map((s, i) => [s, summary(100 * (i + 1))])) as FlowResult["rates"][number]["stages"],
    hops: hops.map((h) => ({ name: h.name, ms: summary(25) })),
  })),
  burst: { perSecond: 300, count: 4_500, latencyMs: summary(20) },
  cpu: [
    { phase: "saturation", seconds: 60, cpuSeconds: { order: 30, "Kafka broker (shared with other users)": 10, "order (alone)": 0, "load generator (this bench process)": 6 }, completed: 2_400 },
    { phase: "50/s", seconds: 30, cpuSeconds: { order: 15, "Kafka broker (shared with other users)": 3 }, completed: 1_500 },
    { phase: "accept burst", seconds: 15, cpuSeconds: { order: 14, "Kafka broker (shared with other users)": 1, "order (alone)": 9 } },
  ],
  peakMemoryMiB: { order: 120 },
  memory: {},
  growsByDesign: {},
  profiles: {
    payment: { samples: 400, parts: [{ name: "drizzle-orm", share: 0.25 }, { name: "postgres", share: 0.2 }], functions: [{ name: "writeBuffered (native)", share: 0.1 }] },
    relay: { samples: 0, parts: [], functions: [] },
  },
  counters: { before: counters(0), after: counters(2_400), completed: 2_400, seconds: 60 },
  failures: [],
};

const limits: Limits = {
  pgbench: { clients: 5, order: { script: "order", clients: 5, tps: 2_000, latencyMs: summary(2), transactions: 1 }, handler: { script: "handler", clients: 5, tps: 1_800, latencyMs: summary(2), transactions: 1 }, handlerOneClient: { script: "handler", clients: 1, tps: 600, latencyMs: summary(1.5), transactions: 1 } },
  kafka: { recordSize: 720, partitions: 12, producer: { records: 1, recordsPerSecond: 30_000, mbPerSecond: 20, avgMs: 5, p50Ms: 4, p99Ms: 9, maxMs: 20 }, producerAtLowRate: { records: 1, recordsPerSecond: 500, mbPerSecond: 0.3, avgMs: 3, p50Ms: 3, p99Ms: 6, maxMs: 9 }, consumer: { records: 1, recordsPerSecond: 60_000, mbPerSecond: 40 } },
  hello: { perSecond: 30_000, count: 1, latencyMs: summary(1) },
};

const report: BenchReport = {
  command: "bun run bench", startedAt: new Date("2026-11-30T09:00:00Z"), finishedAt: new Date("2026-11-30T09:20:00Z"), loadAverage: { before: [0.5, 0.4, 0.3], after: [1, 1, 1] },
  cores: 2, plan: planFor({}), flows: [real], limits, postgres: { fsync: "on", synchronous_commit: "on" }, postgresKind: "the run's own server", kafkaBrokers: "127.0.0.1:9092", broken: [],
};

test("performance.md puts every figure beside its limit, the targets, the hops, and the round trips per order", () => {
  const markdown = renderMarkdown(report, ["performance-shipped.png"]);
  expect(markdown).toContain("| completed orders/s (closed loop) | 40.0/s | pgbench, order transaction (5 clients): 2000/s | 0.020× |");
  expect(markdown).toContain("| ≥ 500 completed orders/s on Kafka + PostgreSQL + Redis, and ≥ 0.15 × pgbench (order transaction) | 40.0/s = 0.020× 2000 tps | **missed** |");
  // 202 → shipped at 50/s: p50 300 ms against a floor of 3 appends × 3 ms + 5 transactions × 1.5 ms.
  expect(markdown).toContain("| 50/s (sent 50.0/s, 1500 orders, 0 not completed) | shipped | 300.0 | 600.0 | 900.0 | 1200.0 | 16.5 ms | 18× |");
  expect(markdown).toContain("| 202 → order.created published (relay) | 25 / 75 |");
  expect(markdown).toContain("| SQL statements (each a round trip) | 6.0 |");
  expect(markdown).toContain("| Kafka records written | 5.0 of 720 bytes |");
  expect(markdown).toContain("| payment | 400 | drizzle-orm 25 %, postgres 20 % | writeBuffered (native) 10 % |");
  expect(markdown).not.toContain("| relay | 0 |");
  // CPU per completed order, only for the phases that wait for their orders (not the burst).
  expect(markdown).toContain("| process | saturation | 50/s |\n");
  expect(markdown).toContain("| order | 12.5 | 10.0 |");
  expect(markdown).toContain("| load generator (this bench process) | 2.5 | 0.0 |");
  expect(markdown).toContain("| the flow in all (the load generator left out) | 16.7 | 12.0 |");
  expect(markdown).not.toContain("| order (alone) | 0.0 | 0.0 |");
  expect(markdown).toContain("![performance-shipped.png](performance-shipped.png)");
  expect(markdown).not.toContain("A `--quick` run");
});
