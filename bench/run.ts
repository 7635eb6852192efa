import { mkdirSync, writeFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { Command, InvalidArgumentError, Option } from "commander";
import { runBench } from "./bench.ts";
import { endAllOnSignals } from "./engines/abort.ts";
import { planFor } from "./plan.ts";
import { writeStageCharts } from "./report/charts.ts";
import { printReport } from "./report/console.ts";
import { renderMarkdown } from "./report/markdown.ts";

/**
 * `bun run bench`: the flow's throughput and latencies on the embedded engines and on Kafka +
 * PostgreSQL + Redis, each beside the engines' own limits measured in the same run, written to
 * docs/performance.md with a latency chart per stage. Exits non-zero only when the run is broken
 * (the flow refused orders, completed none, or a tool failed), never because it is slow.
 */
const program = new Command("bun run bench")
  .description("Measure orderflow: completed and accepted orders/s, stage latencies at fixed rates, CPU and memory, beside pgbench, Kafka's perf tools and a hello-world.")
  .option("--quick", "short phases (CI's smoke test, about a minute)")
  .option("--soak", "add a soak at 200 orders/s (memory must stay flat); the flow then runs without the profiler")
  .option("--soak-minutes <n>", "length of the soak", positive, 10)
  .addOption(new Option("--engines <list>", "which flows to run: embedded, real, or both").default(["embedded", "real"], "embedded,real").argParser(engineList))
  .option("--rates <list>", "fixed arrival rates, orders/s (default 20,50,200; --quick 20,50)", rateList)
  .option("--kafka <brokers>", "Kafka bootstrap servers (the run uses its own namespace on them)", process.env.KAFKA_BROKERS || "127.0.0.1:9092")
  .option("--postgres-url <url>", "an existing PostgreSQL server instead of the run's own (fresh databases on it; round trips only if it preloads pg_stat_statements)")
  .option("--redis-url <url>", "an existing Redis instead of the run's own")
  .addOption(new Option("--layout <layout>", "how the real engines' flow is cut into processes: services (one per service, the relay, dispatchers) or workers (whole flows, one per core)").choices(["services", "workers"]).default("workers"))
  .option("--workers <n>", "worker processes with --layout workers", positive, navigator.hardwareConcurrency)
  .option("--dispatchers <n>", "dispatcher processes with --layout services", positive, 1)
  .option("--log-level <level>", "LOG_LEVEL of the flow's processes", "warn")
  .option("--no-profile", "run the flow's processes without Bun's sampling profiler (performance.md then shows no per-function profile)")
  .option("--out <dir>", "where performance.md and the charts go", "docs")
  .option("--keep", "keep the run's folder (logs, data) afterwards")
  .parse();

const options = program.opts<{
  quick?: boolean; soak?: boolean; soakMinutes: number; engines: Array<"embedded" | "real">; rates?: number[]; kafka: string;
  postgresUrl?: string; redisUrl?: string; layout: "services" | "workers"; workers: number; dispatchers: number; logLevel: string; profile: boolean; out: string; keep?: boolean;
}>();
endAllOnSignals();
// Bun's profiler keeps every sample in memory until the process exits: over a soak it grew each
// process two to three times over, which would be judged as the flow's own growth.
const profile = options.profile && !options.soak;
if (options.profile && options.soak) console.log("--soak: the flow's processes run without the profiler (it keeps every sample in memory)");
const plan = planFor({ quick: options.quick, soak: options.soak, soakMinutes: options.soakMinutes, rates: options.rates });
const command = ["bun run bench", ...process.argv.slice(2)].join(" ");
const report = await runBench({
  command, plan, engines: options.engines, kafkaBrokers: options.kafka, postgresUrl: options.postgresUrl, redisUrl: options.redisUrl,
  layout: options.layout === "workers" ? { kind: "workers", workers: options.workers } : { kind: "services", dispatchers: options.dispatchers },
  logLevel: options.logLevel, profile, keepWorkDir: Boolean(options.keep),
});
printReport(report);
if (report.flows.length > 0) {
  const out = resolve(options.out);
  mkdirSync(out, { recursive: true });
  const charts = await writeStageCharts(report.flows, out).catch((error: Error) => {
    report.broken.push(`charts: ${error.message}`);
    return [];
  });
  writeFileSync(join(out, "performance.md"), renderMarkdown(report, charts));
  console.log(`\nwrote ${join(options.out, "performance.md")}${charts.length ? ` and ${charts.length} charts` : ""}`);
}
process.exit(report.broken.length > 0 ? 1 : 0);

function positive(value: string): number {
  const number = Number(value);
  if (!Number.isInteger(number) || number < 1) throw new InvalidArgumentError("a positive integer");
  return number;
}

function engineList(value: string): Array<"embedded" | "real"> {
  const list = value.split(",").map((s) => s.trim());
  if (list.length === 0 || list.some((e) => e !== "embedded" && e !== "real")) throw new InvalidArgumentError("embedded, real, or embedded,real");
  return list as Array<"embedded" | "real">;
}

function rateList(value: string): number[] {
  return value.split(",").map((s) => positive(s.trim()));
}
