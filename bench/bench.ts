import { mkdtempSync, rmSync } from "node:fs";
import { loadavg, tmpdir } from "node:os";
import { join } from "node:path";
import { defaultPostgresDriver } from "../lib/db/index.ts";
import { engineConfigFromEnv } from "../lib/engines/index.ts";
import { createBenchKafka } from "./engines/kafka.ts";
import { type BenchPostgres, externalPostgres, privatePostgres } from "./engines/postgres.ts";
import { type BenchRedis, externalRedis, privateRedis } from "./engines/redis.ts";
import { type Layout, startCluster } from "./flow/cluster.ts";
import { startEmbedded } from "./flow/embedded.ts";
import type { FlowUnderTest } from "./flow/types.ts";
import { type Plan, plannedFlowSeconds } from "./plan.ts";
import { createProgress } from "./progress.ts";
import type { BenchReport } from "./report/types.ts";
import { type FlowResult, runFlowPhases } from "./run-flow.ts";
import { runLimits } from "./run-limits.ts";

export type BenchOptions = {
  command: string;
  plan: Plan;
  engines: Array<"embedded" | "real">;
  kafkaBrokers: string;
  postgresUrl?: string;
  redisUrl?: string;
  layout: Layout;
  logLevel: string;
  /** Bun's sampling profiler in the flow's processes (measure/profiles.ts). */
  profile: boolean;
  keepWorkDir: boolean;
};

/**
 * One run: the flow on each engine set, then the engines' limits, with a run id that names its
 * databases, Kafka namespace and folder, all removed at the end. A failure is recorded as a broken
 * run (the report still shows what was measured); slowness never is.
 */
export async function runBench(options: BenchOptions): Promise<BenchReport> {
  const { plan } = options;
  const run = crypto.randomUUID().replaceAll("-", "").slice(0, 10);
  const workDir = mkdtempSync(join(tmpdir(), "orderflow-bench-"));
  const report: BenchReport = {
    command: options.command,
    startedAt: new Date(),
    finishedAt: new Date(),
    loadAverage: { before: loadavg(), after: [] },
    cores: navigator.hardwareConcurrency,
    plan,
    flows: [],
    postgres: {},
    postgresKind: options.postgresUrl ? "a fresh database on the given server" : "the run's own server (initdb), pg_stat_statements preloaded",
    kafkaBrokers: options.kafkaBrokers,
    broken: [],
  };
  const progress = createProgress(options.engines.length * plannedFlowSeconds(plan) + plan.pgbenchSeconds * 3 + plan.helloMs / 1000 + 20);
  const kafka = createBenchKafka(options.kafkaBrokers, `bench-${run}`);
  let pg: BenchPostgres | undefined;
  let redis: BenchRedis | undefined;
  try {
    progress.phase("starting the engines");
    pg = options.postgresUrl ? await externalPostgres(options.postgresUrl) : await privatePostgres(workDir);
    report.postgres = pg.settings;
    report.postgresSocket = pg.socketDir !== undefined;
    // The flow's processes inherit this environment, DATABASE_DRIVER included.
    report.postgresDriver = engineConfigFromEnv(process.env).databaseDriver ?? defaultPostgresDriver;
    for (const engine of options.engines) {
      if (engine === "real") redis ??= await openRedis(options, workDir);
      const flow = await startFlow(engine, workDir, { ...options, run, pg, kafka, redis });
      const result = await runFlowPhases(flow, plan, progress).finally(async () => {
        // runFlowPhases stops the flow itself; after a failure it may not have.
        await flow.stop().catch(() => {});
        await flow.dispose().catch(() => {});
      });
      report.flows.push(result);
      checkBroken(result, report.broken);
    }
    const real = report.flows.find((f) => f.name === "real");
    const bytes = real?.counters?.after.kafka;
    const recordSize = bytes && bytes.records > 0 ? Math.round(bytes.bytes / bytes.records) : 1_000;
    report.limits = await runLimits({ plan, workDir, pg, kafka, database: `orderflow_bench_${run}_pgbench`, recordSize, progress });
  } catch (error) {
    report.broken.push(error instanceof Error ? (error.stack ?? error.message) : String(error));
  } finally {
    progress.stop(report.broken.length > 0 ? "the run broke" : "done");
    await kafka.cleanup().catch(() => {});
    await kafka.close().catch(() => {});
    await redis?.stop().catch(() => {});
    await pg?.stop().catch(() => {});
    if (report.broken.length > 0 || options.keepWorkDir) console.error(`logs and data of the run: ${workDir}`);
    else rmSync(workDir, { recursive: true, force: true });
  }
  report.finishedAt = new Date();
  report.loadAverage.after = loadavg();
  return report;
}

function openRedis(options: BenchOptions, workDir: string): Promise<BenchRedis> {
  return options.redisUrl ? Promise.resolve(externalRedis(options.redisUrl)) : privateRedis(workDir);
}

function startFlow(
  engine: "embedded" | "real",
  workDir: string,
  context: BenchOptions & { run: string; pg: BenchPostgres; kafka: ReturnType<typeof createBenchKafka>; redis?: BenchRedis },
): Promise<FlowUnderTest> {
  if (engine === "embedded") return startEmbedded(workDir, { logLevel: context.logLevel, profile: context.profile });
  return startCluster(workDir, { postgres: context.pg, redis: context.redis!, kafka: context.kafka, database: `orderflow_bench_${context.run}`, layout: context.layout, logLevel: context.logLevel, profile: context.profile });
}

/** A run is broken when the flow did not work: a refused order, or nothing completed at all. */
function checkBroken(result: FlowResult, broken: string[]): void {
  if (result.failures.length > 0) {
    const first = result.failures[0]!;
    broken.push(`${result.name}: ${result.failures.length} orders not accepted (first: ${first.status} ${first.body})`);
  }
  if (result.closedLoop.completedInWindow === 0) broken.push(`${result.name}: no order completed in the closed loop's window`);
}
