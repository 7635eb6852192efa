/**
 * Compares Kafka clients on Bun against a local broker (scripts/kafka/start.sh).
 *
 *   bun bench/kafka-clients/run.ts
 *
 * Environment (defaults in brackets): KAFKA_BROKERS [127.0.0.1:9092], BENCH_MESSAGES records per
 * batched produce and per consume [50000], BENCH_CONCURRENT_MESSAGES records for the one-send-per-
 * record produce [5000], BENCH_RUNS [5], BENCH_PARTITIONS [4], BENCH_CLIENTS
 * [platformatic,kafkajs,adapter], BENCH_MAX_SECONDS: no new run starts after this [300].
 *
 * Every run uses fresh topics (deleted at the end) and a fresh consumer group; clients alternate
 * within a run so that a noisy moment on the shared 2-core machine does not land on one client
 * only. A first, smaller round is not counted: it warms up the broker's JIT and the clients'.
 * Figures are medians.
 */
import os from "node:os";
import { Admin } from "@platformatic/kafka";
import { adapterClient } from "./adapter.ts";
import { kafkajsClient } from "./kafkajs.ts";
import { type ClientUnderTest, makeEvents, within } from "./payload.ts";
import { platformaticClient } from "./platformatic.ts";

const env = (name: string, fallback: string) => process.env[name] || fallback;
const brokers = env("KAFKA_BROKERS", "127.0.0.1:9092").split(",");
const messages = Number(env("BENCH_MESSAGES", "50000"));
const concurrentMessages = Number(env("BENCH_CONCURRENT_MESSAGES", "5000"));
const runs = Number(env("BENCH_RUNS", "5"));
const partitions = Number(env("BENCH_PARTITIONS", "4"));
const maxSeconds = Number(env("BENCH_MAX_SECONDS", "300"));
const phaseLimitMs = 120_000;
const factories: Record<string, (brokers: string[]) => ClientUnderTest> = {
  platformatic: platformaticClient,
  kafkajs: kafkajsClient,
  adapter: adapterClient,
};
const chosen = env("BENCH_CLIENTS", "platformatic,kafkajs,adapter").split(",");
// Deleted only at the end: kafkajs keeps refreshing metadata of every topic it has produced to,
// and fails its sends once one of them is gone.
const created: string[] = [];

type Metric = "produce batched" | "produce 1/send" | "consume" | "group join";
const results = new Map<string, Map<Metric, number[]>>();
const failures = new Map<string, string>();

let counting = false;
function record(client: string, metric: Metric, value: number) {
  if (!counting) return;
  const byMetric = results.get(client) ?? new Map<Metric, number[]>();
  byMetric.set(metric, [...(byMetric.get(metric) ?? []), value]);
  results.set(client, byMetric);
}

const perSecond = (count: number, ms: number) => Math.round((count * 1000) / ms);

async function timed(work: () => Promise<void>): Promise<number> {
  const start = performance.now();
  await work();
  return performance.now() - start;
}

async function runOnce(client: ClientUnderTest, run: number, messages: number, concurrentMessages: number) {
  const id = `${client.name.replace(/\W/g, "")}-${run}-${crypto.randomUUID().slice(0, 6)}`;
  const events = makeEvents(messages);
  const batchTopic = `bench-batch-${id}`;
  const singleTopic = `bench-single-${id}`;
  created.push(batchTopic, singleTopic);
  await client.createTopic(batchTopic, partitions);
  await client.createTopic(singleTopic, partitions);

  const batchedMs = await timed(() => within(phaseLimitMs, "batched produce", client.produceBatched(batchTopic, events, 500)));
  record(client.name, "produce batched", perSecond(messages, batchedMs));

  const single = events.slice(0, concurrentMessages);
  const singleMs = await timed(() => within(phaseLimitMs, "1/send produce", client.produceConcurrent(singleTopic, single, 64)));
  record(client.name, "produce 1/send", perSecond(single.length, singleMs));

  const timing = await within(phaseLimitMs, "consume", client.consume(batchTopic, `bench-g-${id}`, messages));
  // Subscribe to last record, join included: "first to last record" would flatter a client that
  // hands over whole fetches at once.
  record(client.name, "consume", perSecond(messages, timing.joinMs + timing.drainMs));
  record(client.name, "group join", Math.round(timing.joinMs));
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? (sorted[mid] as number) : Math.round(((sorted[mid - 1] as number) + (sorted[mid] as number)) / 2);
}

function printTable(clients: ClientUnderTest[]) {
  const metrics: Array<[Metric, string]> = [
    ["produce batched", `produce, ${messages} records in sends of 500 (msg/s)`],
    ["produce 1/send", `produce, ${concurrentMessages} records one per send, 64 pending (msg/s)`],
    ["consume", `consume + commit per batch, ${messages} records, join included (msg/s)`],
    ["group join", "consumer: start to first record (ms)"],
  ];
  const header = ["", ...clients.map((c) => `${c.name} ${c.version}`)];
  const rows = metrics.map(([metric, label]) => [
    label,
    ...clients.map((c) => {
      if (failures.has(c.name)) return `failed`;
      const values = results.get(c.name)?.get(metric) ?? [];
      return values.length ? `${median(values)} (${values.join(", ")})` : "-";
    }),
  ]);
  const widths = header.map((_, i) => Math.max(...[header, ...rows].map((r) => (r[i] ?? "").length)));
  const line = (cells: string[]) => `| ${cells.map((c, i) => c.padEnd(widths[i] ?? 0)).join(" | ")} |`;
  console.log(line(header));
  console.log(`|${widths.map((w) => "-".repeat(w + 2)).join("|")}|`);
  for (const row of rows) console.log(line(row));
  for (const [name, reason] of failures) console.log(`\n${name} failed: ${reason}`);
}

const started = performance.now();
const clients = chosen.map((name) => {
  const factory = factories[name];
  if (!factory) throw new Error(`unknown client ${name}; known: ${Object.keys(factories).join(", ")}`);
  return factory(brokers);
});
console.log(
  `bun ${Bun.version}, ${os.cpus().length}x ${os.cpus()[0]?.model ?? "cpu"}, ${Math.round(os.totalmem() / 2 ** 30)} GiB, ` +
    `brokers ${brokers.join(",")}, ${partitions} partitions, ${runs} runs after a warm-up (median, then each run)\n`,
);
for (let run = 0; run <= runs; run++) {
  counting = run > 0;
  if ((performance.now() - started) / 1000 > maxSeconds) {
    console.log(`stopping after ${run - 1} runs: BENCH_MAX_SECONDS=${maxSeconds} reached`);
    break;
  }
  for (const client of clients) {
    if (failures.has(client.name)) continue;
    try {
      // Round 0 warms up with a fifth of the records and is not counted.
      const scale = run === 0 ? 5 : 1;
      await runOnce(client, run, Math.ceil(messages / scale), Math.ceil(concurrentMessages / scale));
    } catch (error) {
      failures.set(client.name, error instanceof Error ? `${error.message}${error.cause ? ` (${String(error.cause)})` : ""}` : String(error));
    }
  }
}
// Bounded too: a client that failed mid-run may not close cleanly.
for (const client of clients) await within(30_000, "close", client.close()).catch(() => {});
const admin = new Admin({ clientId: "bench-cleanup", bootstrapBrokers: brokers });
await within(30_000, "topic cleanup", admin.deleteTopics({ topics: created })).catch(() => {});
await admin.close();
printTable(clients);
console.log(`\ntotal ${Math.round((performance.now() - started) / 1000)} s`);
process.exit(0);
