import { Command, InvalidArgumentError } from "commander";
import { createProgress } from "./harness/progress.ts";
import { runScenario } from "./harness/run-scenario.ts";
import type { ScenarioReport, Tier } from "./harness/scenario.ts";
import { renderReliability, summaryLine } from "./report/reliability.ts";
import { scenarios } from "./scenarios/index.ts";

/**
 * `bun run faults`: the fault suite (docs/operations.md#fault-suite). The long tier runs every
 * scenario at full size and rewrites docs/reliability.md; `--short` runs a small version of a few
 * representative ones in minutes. Exits 1 on any breach, any fault that did not fire, any error.
 */
const program = new Command("bun run faults")
  .description("Inject faults into the flow run as one process per service on Kafka, PostgreSQL and Redis, then audit it.")
  .option("--short", "the short tier: a small version of kill -9, poison, duplicate delivery and Kafka restart")
  .option("--only <names>", "only these scenarios (comma-separated)", names)
  .option("--report <file>", "write the report there (a whole long run writes docs/reliability.md unless --no-report)")
  .option("--no-report", "write no report")
  .option("--keep-logs", "keep every scenario's process logs (those of a failed one are always kept)")
  .option("--list", "list the scenarios and exit")
  .addHelpText("after", `
Engines (the shared ones; scenarios that stop an engine start a private instance of it):
  DATABASE_URL   PostgreSQL server (any database: each scenario creates its own)  [postgres://postgres@127.0.0.1:5432/postgres]
  KAFKA_BROKERS  Kafka (each scenario uses its own ORDERFLOW_NAMESPACE)             [127.0.0.1:9092]
  REDIS_URL      Redis                                                             [redis://127.0.0.1:6379]`)
  .showHelpAfterError();

function names(value: string): string[] {
  const list = value.split(",").map((s) => s.trim()).filter(Boolean);
  const unknown = list.filter((name) => !scenarios.some((s) => s.name === name));
  if (unknown.length > 0) throw new InvalidArgumentError(`unknown: ${unknown.join(", ")}; known: ${scenarios.map((s) => s.name).join(", ")}`);
  return list;
}

const options = program.parse(process.argv).opts<{ short?: boolean; only?: string[]; report?: string | boolean; keepLogs?: boolean; list?: boolean }>();
if (options.list) {
  for (const s of scenarios) console.log(`${s.name.padEnd(22)} ${s.short ? "short+long" : "long      "}  ${s.title}`);
  process.exit(0);
}
const tier: Tier = options.short ? "short" : "long";
const chosen = scenarios.filter((s) => (options.only ? options.only.includes(s.name) : tier === "long" || s.short));
const engines = {
  postgresUrl: process.env.DATABASE_URL || "postgres://postgres@127.0.0.1:5432/postgres",
  kafkaBrokers: process.env.KAFKA_BROKERS || "127.0.0.1:9092",
  redisUrl: process.env.REDIS_URL || "redis://127.0.0.1:6379",
};

const progress = createProgress(chosen.length);
const startedAt = new Date();
const reports: ScenarioReport[] = [];
for (const scenario of chosen) {
  progress.scenario(scenario.name);
  const report = await runScenario(scenario, { tier, engines, keepLogs: options.keepLogs, progress: (m) => progress.update(m) });
  reports.push(report);
  progress.finished(summaryLine(report));
}

// Only a whole long run rewrites docs/reliability.md by default: a partial one would pass for the suite's figures.
const reportFile = typeof options.report === "string" ? options.report : options.report !== false && tier === "long" && !options.only ? "docs/reliability.md" : undefined;
if (reportFile) {
  await Bun.write(reportFile, await renderReliability(reports, { startedAt, engines }));
  console.log(`faults: wrote ${reportFile}`);
}
const failed = reports.filter((r) => r.breaches > 0 || r.unfired.length > 0);
console.log(`faults (${tier}): ${reports.length - failed.length} passed, ${failed.length} failed`);
process.exit(failed.length > 0 ? 1 : 0);
